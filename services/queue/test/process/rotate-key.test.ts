import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { decodeProtectedHeader } from 'jose';
import { ServiceProcess, waitFor } from '@boxoffice/testing';
import { QueueKit } from '../support/queue-kit';

const run = promisify(execFile);

describe('rotating the queue signing key', () => {
  const kit = new QueueKit({ QUEUE_MAX_ACTIVE: '100' });
  let queue: ServiceProcess;

  beforeAll(async () => {
    queue = await ServiceProcess.create('queue', kit.env);
    await queue.start();
  });
  afterAll(async () => {
    await queue.stop();
    await kit.close();
  });

  // the process learns users from the real user events; until its replica has them, joining answers 401/503
  const join = (user: { id: number; accessToken: string }) =>
    waitFor(`user ${user.id} to join`, async () => {
      const response = await fetch(`${queue.url}/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-token': user.accessToken },
        body: JSON.stringify({ userId: user.id }),
      });
      return response.status === 201 ? ((await response.json()) as { token: string }) : undefined;
    });
  const jwks = async () =>
    (await (await fetch(`${queue.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
  const poll = (token: string) => fetch(`${queue.url}/tokens`, { headers: { authorization: `Bearer ${token}` } });

  it('when the key is rotated and the queue restarted, then new tokens use the new key and old ones still verify', async () => {
    const [before, after] = await kit.users(2, { waitForReplica: false });
    const jwksBefore = await jwks();
    const old = await join(before!);
    const oldKid = decodeProtectedHeader(old.token).kid;
    expect(jwksBefore.keys.map((k: { kid: string }) => k.kid)).toEqual([oldKid]);

    const { stderr } = await run(process.execPath, [path.join(__dirname, '..', '..', 'dist', 'rotate-key.js')], {
      env: { ...process.env, ...kit.env },
    });
    expect(stderr).toMatch(/new signing key \S+ stored \(2 keys in the JWKS\)/);
    expect(stderr).not.toMatch(/"d"\s*:/); // the private key is never printed

    await queue.stop();
    await queue.start();
    const jwksAfter = await jwks();
    expect(jwksAfter.keys).toHaveLength(2);
    const fresh = await join(after!);
    const newKid = decodeProtectedHeader(fresh.token).kid;
    expect(newKid).not.toBe(oldKid);
    expect(jwksAfter.keys.map((k: { kid: string }) => k.kid)).toEqual(expect.arrayContaining([oldKid, newKid]));
    expect((await poll(old.token)).status).toBe(200);
    expect((await poll(fresh.token)).status).toBe(200);
  });
});
