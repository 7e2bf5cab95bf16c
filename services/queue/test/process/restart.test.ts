import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { ServiceProcess, waitFor } from '@boxoffice/testing';
import { QueueKit } from '../support/queue-kit';

const REPO = path.resolve(__dirname, '..', '..', '..', '..');

interface Joined {
  token: string;
  uuid: string;
  waitingNo: number;
}

describe('restart safety: the line lives in Redis and PostgreSQL, not in the process', () => {
  // the kit only publishes users (real events); the service under test is a real OS process on the kit's settings
  const kit = new QueueKit();
  let env: Record<string, string>;
  let queue: ServiceProcess;

  beforeAll(async () => {
    execFileSync('npx', ['tsc', '-b', 'services/queue'], { cwd: REPO, stdio: 'ignore' });
    env = { ...kit.env, QUEUE_MAX_ACTIVE: '1' };
    queue = await ServiceProcess.create('queue', env);
    await queue.start();
  });
  afterAll(async () => {
    await queue.stop();
    await kit.close(); // drops the database the process used
  });

  const join = async (accessToken: string, userId: number) => {
    const response = await fetch(`${queue.url}/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-token': accessToken },
      body: JSON.stringify({ userId }),
    });
    return (await response.json()) as Joined;
  };
  const status = async (token: string) =>
    (await (await fetch(`${queue.url}/tokens`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      status: string;
      waitingNo: number;
    };
  const jwks = async () =>
    (await (await fetch(`${queue.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };

  it('when the queue service is killed and started again, then everyone keeps their place and their token', async () => {
    const users = await kit.users(4, { waitForReplica: false }); // the process's replica learns them from Kafka
    const tokens: Joined[] = [];
    for (const user of users) {
      tokens.push(
        await waitFor(
          `user ${user.id} known to the process`,
          async () => {
            const issued = await join(user.accessToken, user.id);
            return issued.token ? issued : undefined;
          },
          { timeoutMs: 30_000 },
        ),
      );
    }
    await waitFor('the first admitted', async () => (await status(tokens[0]!.token)).status === 'ACTIVE');
    const before = await Promise.all(tokens.map((token) => status(token.token)));
    const kidBefore = (await jwks()).keys.map((key) => key.kid);

    await queue.stop('SIGKILL');
    await queue.start();

    expect((await jwks()).keys.map((key) => key.kid)).toEqual(kidBefore); // the key pair was persisted, not remade
    const after = await Promise.all(tokens.map((token) => status(token.token)));
    expect(after).toEqual(before);
    expect(after.map((s) => s.waitingNo)).toEqual([0, 0, 1, 2]);
    const again = await join(users[3]!.accessToken, users[3]!.id);
    expect(again.uuid).toBe(tokens[3]!.uuid);
  });
});
