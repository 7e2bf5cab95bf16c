import { execFileSync } from 'node:child_process';
import path from 'node:path';
import Redis from 'ioredis';
import pg from 'pg';
import { ServiceProcess, testInfra, waitFor } from '@boxoffice/testing';
import { QueueKit, type TestUser } from '../support/queue-kit';

const REPO = path.resolve(__dirname, '..', '..', '..', '..');
const MAX_ACTIVE = 5;
const USERS = 60;
const FIRST_WAVE = 40;

/**
 * Two queue-service processes share one database, topic prefix and Redis line; both run the admitter (and the
 * journal recorder). Users join through both, alternately; ACTIVE time is 1 s so the slots turn over many times.
 */
describe('admission with two queue-service instances', () => {
  // the kit only publishes users (real user.changed events); the services under test are real processes
  const kit = new QueueKit({
    QUEUE_MAX_ACTIVE: String(MAX_ACTIVE),
    QUEUE_ACTIVE_TTL_SECONDS: '1',
    QUEUE_ABANDON_TTL_SECONDS: '3600',
    QUEUE_ADMITTER_INTERVAL_MS: '50',
  });
  const linePrefix = `${kit.env.KAFKA_TOPIC_PREFIX}queue:`;
  const instances: ServiceProcess[] = [];
  let redis: Redis;
  let db: pg.Client;

  beforeAll(async () => {
    execFileSync('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: REPO, stdio: 'ignore' });
    for (let i = 0; i < 2; i++) {
      const instance = await ServiceProcess.create('queue', { ...kit.env, PORT: '0' });
      await instance.start();
      instances.push(instance);
    }
    redis = new Redis(testInfra.redisUrl, { lazyConnect: true });
    await redis.connect();
    db = new pg.Client({ connectionString: kit.env.DATABASE_URL });
    await db.connect();
  }, 120_000);
  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.stop()));
    await db?.end();
    await kit.close(); // drops the database the processes used
    // the line's keys live a day past the JWTs; this test's are removed now (its own prefix only)
    const keys = await redis.keys(`${linePrefix}*`);
    for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
    redis.disconnect();
  });

  const join = async (instance: ServiceProcess, user: TestUser) => {
    const response = await fetch(`${instance.url}/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-token': user.accessToken },
      body: JSON.stringify({ userId: user.id }),
    });
    if (response.status !== 201)
      throw new Error(`join via ${instance.url}: ${response.status} ${await response.text()}`);
    return (await response.json()) as { token: string; uuid: string; status: string };
  };
  const admissionNo = async (tokenId: string) => {
    const value = await redis.hget(`${linePrefix}token:${tokenId}`, 'admissionNo');
    return value ? Number(value) : undefined;
  };

  it('when users join through both instances and one is killed mid-run, then admission is FIFO, never above the maximum, and goes on', async () => {
    const users = await kit.users(USERS, { waitForReplica: false });
    await waitFor(
      'users in the replica',
      async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM users_replica')).rows[0]!.n === USERS,
      { timeoutMs: 60_000, intervalMs: 200 },
    );

    // ACTIVE, sampled all along: the line's own count (a superset of what reads ACTIVE, since an ACTIVE token
    // past its time stays in the set until an admitter round records it) and what the public API answers
    const samples: { zcard: number; api: number }[] = [];
    const joined: { uuid: string; token: string }[] = [];
    const killed = new Set<number>();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const zcard = await redis.zcard(`${linePrefix}active`);
        const live = instances.filter((_, i) => !killed.has(i));
        const answers = await Promise.all(
          joined.slice(0, joined.length).map(async ({ token }, i) => {
            const polled = await fetch(`${live[i % live.length]!.url}/tokens`, {
              headers: { authorization: `Bearer ${token}` },
            }).catch(() => undefined);
            return polled?.ok ? ((await polled.json()) as { status: string; expiresAt: string }) : undefined;
          }),
        );
        // the polls are not one snapshot: count only the tokens still inside their ACTIVE time once all answered,
        // which makes it one (a token that ended during the sample could already have been replaced)
        const end = Date.now();
        samples.push({
          zcard,
          api: answers.filter((a) => a?.status === 'ACTIVE' && Date.parse(a.expiresAt) > end).length,
        });
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();

    // the first wave joins alternately through both instances, one after the other: this is the join order
    for (let i = 0; i < FIRST_WAVE; i++) joined.push(await join(instances[i % 2]!, users[i]!));

    // kill the second instance while the line is being admitted
    await waitFor('some admitted', async () => ((await admissionNo(joined[12]!.uuid)) ?? 0) > 0, {
      timeoutMs: 60_000,
      intervalMs: 50,
    });
    killed.add(1); // polls go to the survivor from now on
    await instances[1]!.stop('SIGKILL');

    // the rest join through the survivor, which alone must now admit everyone
    for (let i = FIRST_WAVE; i < USERS; i++) joined.push(await join(instances[0]!, users[i]!));
    await waitFor('everyone admitted', async () => (await admissionNo(joined.at(-1)!.uuid)) !== undefined, {
      timeoutMs: 120_000,
      intervalMs: 100,
    });
    sampling = false;
    await sampler;

    const order = await Promise.all(joined.map(({ uuid }) => admissionNo(uuid)));
    expect(order.every((no) => no !== undefined)).toBe(true);
    // admission numbers in join order are strictly increasing: first come, first admitted, across instances
    expect(order.every((no, i) => i === 0 || no! > order[i - 1]!)).toBe(true);
    expect(new Set(order).size).toBe(USERS);

    expect(samples.length).toBeGreaterThan(20);
    expect(Math.max(...samples.map((s) => s.zcard))).toBeLessThanOrEqual(MAX_ACTIVE);
    expect(Math.max(...samples.map((s) => s.api))).toBeLessThanOrEqual(MAX_ACTIVE);
    expect(Math.max(...samples.map((s) => s.zcard))).toBe(MAX_ACTIVE); // the slots were actually used

    // the durable record (the survivor's recorder claims what the killed one left pending after 30 s) agrees:
    // at no instant were more than MAX_ACTIVE tokens inside their ACTIVE time
    await waitFor(
      'every admission recorded',
      async () =>
        (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM queue_tokens WHERE admission_no IS NOT NULL'))
          .rows[0]!.n === USERS,
      { timeoutMs: 90_000, intervalMs: 500 },
    );
    const { rows } = await db.query<{ id: string; join_seq: string; admission_no: string; starts: Date; ends: Date }>(
      `SELECT id, join_seq, admission_no, activated_at AS starts, LEAST(active_expires_at, COALESCE(expired_at, active_expires_at)) AS ends
       FROM queue_tokens ORDER BY admission_no`,
    );
    expect(rows.map((row) => row.id)).toEqual(joined.map(({ uuid }) => uuid));
    for (const row of rows) {
      const overlapping = rows.filter((other) => other.starts <= row.starts && other.ends > row.starts).length;
      expect(overlapping).toBeLessThanOrEqual(MAX_ACTIVE);
    }
  }, 300_000);
});
