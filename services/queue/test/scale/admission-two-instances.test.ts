import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import pg from 'pg';
import { ServiceProcess, freePort, testInfra, waitFor } from '@boxoffice/testing';
import { QueueKit, type TestUser } from '../support/queue-kit';
import { SseClient } from '../support/sse-client';

const REPO = path.resolve(__dirname, '..', '..', '..', '..');
const MAX_ACTIVE = 5;
/** The concert room's capacity: a different one, so a room admitting at the other's capacity shows. */
const ROOM_MAX_ACTIVE = 3;
const USERS = 60;
const ROOM_USERS = 30;
const FIRST_WAVE = 40;
const ROOM_FIRST_WAVE = 20;

/**
 * Two queue-service processes share one database, topic prefix and Redis lines; both run the admitter (and the
 * journal recorder). Users join two rooms (the default one and a concert's) through both, alternately; ACTIVE time
 * is 1 s so the slots turn over many times.
 */
describe('admission with two queue-service instances and two rooms', () => {
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

  const logDir = mkdtempSync(path.join(tmpdir(), 'queue-two-instances-'));
  const logFiles = [0, 1].map((i) => path.join(logDir, `queue-${i}.log`));

  beforeAll(async () => {
    execFileSync('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: REPO, stdio: 'ignore' });
    for (let i = 0; i < 2; i++) {
      // every request logged, so the test can show no query credential reaches a log line
      const env = { ...kit.env, LOG_LEVEL: 'info' };
      const instance = new ServiceProcess('queue', env, await freePort(), logFiles[i]);
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
    rmSync(logDir, { recursive: true, force: true });
    // the line's keys live a day past the JWTs; this test's are removed now (its own prefix only)
    const keys = await redis.keys(`${linePrefix}*`);
    for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
    redis.disconnect();
  });

  const join = async (instance: ServiceProcess, user: TestUser, roomId?: string) => {
    const response = await fetch(`${instance.url}/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-token': user.accessToken },
      body: JSON.stringify({ userId: user.id, roomId }),
    });
    if (response.status !== 201)
      throw new Error(`join via ${instance.url}: ${response.status} ${await response.text()}`);
    return (await response.json()) as { token: string; uuid: string; status: string };
  };
  const admissionNo = async (tokenId: string) => {
    const value = await redis.hget(`${linePrefix}token:${tokenId}`, 'admissionNo');
    return value ? Number(value) : undefined;
  };

  const roomActiveKey = (roomId: string) => `${linePrefix}room:${roomId}:active`;

  it('when users join two rooms through both instances and one is killed mid-run, then each room admits FIFO, never above its own capacity, and goes on', async () => {
    const [operator] = await kit.users(1, { waitForReplica: false, role: 'admin' });
    const users = await kit.users(USERS + ROOM_USERS, { waitForReplica: false });
    await waitFor(
      'users in the replica',
      async () =>
        (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM users_replica')).rows[0]!.n ===
        USERS + ROOM_USERS + 1,
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    const created = await fetch(`${instances[1]!.url}/admin/rooms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-token': operator!.accessToken },
      body: JSON.stringify({
        name: 'concert 7',
        concertId: 7,
        maxActive: ROOM_MAX_ACTIVE,
        sessionSeconds: 1,
        state: 'OPEN',
      }),
    });
    expect(created.status).toBe(201);
    const room = (await created.json()) as { id: string };
    const inRoom: { uuid: string; token: string }[] = [];

    // ACTIVE, sampled all along: the line's own count (a superset of what reads ACTIVE, since an ACTIVE token
    // past its time stays in the set until an admitter round records it) and what the public API answers
    const samples: { zcard: number; api: number; roomZcard: number }[] = [];
    const joined: { uuid: string; token: string }[] = [];
    const killed = new Set<number>();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const zcard = await redis.zcard(`${linePrefix}active`);
        const roomZcard = await redis.zcard(roomActiveKey(room.id));
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
          roomZcard,
          api: answers.filter((a) => a?.status === 'ACTIVE' && Date.parse(a.expiresAt) > end).length,
        });
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();

    // the first wave joins both rooms alternately through both instances, one after the other: this is the join
    // order of each room. Both rooms are paused meanwhile, so each has a line behind its free slots when it opens,
    // however slow the joins are (a session is 1 s: joins slower than the sessions would never fill the slots)
    const setState = async (roomId: string, action: 'suspend' | 'open') => {
      const changed = await fetch(`${instances[0]!.url}/admin/rooms/${roomId}/${action}`, {
        method: 'POST',
        headers: { 'user-token': operator!.accessToken },
      });
      expect(changed.status).toBe(200);
    };
    await setState('default', 'suspend');
    await setState(room.id, 'suspend');
    for (let i = 0; i < FIRST_WAVE; i++) {
      joined.push(await join(instances[i % 2]!, users[i]!));
      if (i < ROOM_FIRST_WAVE) inRoom.push(await join(instances[(i + 1) % 2]!, users[USERS + i]!, room.id));
    }
    await setState('default', 'open');
    await setState(room.id, 'open');

    // kill the second instance while the line is being admitted
    await waitFor('some admitted', async () => ((await admissionNo(joined[12]!.uuid)) ?? 0) > 0, {
      timeoutMs: 60_000,
      intervalMs: 50,
    });
    killed.add(1); // polls go to the survivor from now on
    await instances[1]!.stop('SIGKILL');

    // the rest join through the survivor, which alone must now admit everyone
    for (let i = FIRST_WAVE; i < USERS; i++) joined.push(await join(instances[0]!, users[i]!));
    for (let i = ROOM_FIRST_WAVE; i < ROOM_USERS; i++)
      inRoom.push(await join(instances[0]!, users[USERS + i]!, room.id));
    await waitFor(
      'everyone admitted',
      async () =>
        (await admissionNo(joined.at(-1)!.uuid)) !== undefined &&
        (await admissionNo(inRoom.at(-1)!.uuid)) !== undefined,
      { timeoutMs: 120_000, intervalMs: 100 },
    );
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

    // the concert's room: its own FIFO, its own capacity, through both instances and the kill
    const roomOrder = await Promise.all(inRoom.map(({ uuid }) => admissionNo(uuid)));
    expect(roomOrder.every((no, i) => no !== undefined && (i === 0 || no > roomOrder[i - 1]!))).toBe(true);
    expect(Math.max(...samples.map((s) => s.roomZcard))).toBeLessThanOrEqual(ROOM_MAX_ACTIVE);
    expect(Math.max(...samples.map((s) => s.roomZcard))).toBe(ROOM_MAX_ACTIVE);
    const roomTokens = await Promise.all(
      inRoom.map(async ({ uuid }) =>
        redis.hmget(`${linePrefix}token:${uuid}`, 'room', 'activatedAt', 'activeExpiresAt'),
      ),
    );
    expect(roomTokens.every(([roomId]) => roomId === room.id)).toBe(true);
    for (const [, start] of roomTokens) {
      const overlapping = roomTokens.filter(([, s, e]) => Number(s) <= Number(start) && Number(e) > Number(start));
      expect(overlapping.length).toBeLessThanOrEqual(ROOM_MAX_ACTIVE);
    }

    // the durable record (the survivor's recorder claims what the killed one left pending after 30 s) agrees:
    // at no instant were more than MAX_ACTIVE tokens inside their ACTIVE time
    await waitFor(
      'every admission recorded',
      async () =>
        (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM queue_tokens WHERE admission_no IS NOT NULL'))
          .rows[0]!.n ===
        USERS + ROOM_USERS,
      { timeoutMs: 90_000, intervalMs: 500 },
    );
    const { rows } = await db.query<{ id: string; join_seq: string; admission_no: string; starts: Date; ends: Date }>(
      `SELECT id, join_seq, admission_no, activated_at AS starts, LEAST(active_expires_at, COALESCE(expired_at, active_expires_at)) AS ends
       FROM queue_tokens WHERE room_id = 'default' ORDER BY admission_no`,
    );
    expect(rows.map((row) => row.id)).toEqual(joined.map(({ uuid }) => uuid));
    for (const row of rows) {
      const overlapping = rows.filter((other) => other.starts <= row.starts && other.ends > row.starts).length;
      expect(overlapping).toBeLessThanOrEqual(MAX_ACTIVE);
    }
  }, 300_000);

  it('when a stream or a poll carries the JWT in the query, then no log line of the instance holds it', async () => {
    const [user] = await kit.users(1, { waitForReplica: false });
    await waitFor(
      'the user in the replica',
      async () => (await db.query('SELECT 1 FROM users_replica WHERE id = $1', [user!.id])).rowCount === 1,
    );
    const issued = await join(instances[0]!, user!);
    const stream = await SseClient.open(`${instances[0]!.url}/tokens/stream?token=${issued.token}`);
    expect(stream.status).toBe(200);
    await stream.next(() => true);
    stream.close();
    // answered (and so logged) requests with the token in the query
    expect((await fetch(`${instances[0]!.url}/tokens?token=${issued.token}`)).status).toBe(401);
    expect((await fetch(`${instances[0]!.url}/tokens/stream?token=${issued.token}&x=1`)).status).toBe(422);
    await waitFor('the request lines written', async () =>
      readFileSync(logFiles[0]!, 'utf8').includes('/tokens/stream?token=[redacted]&x=1'),
    );
    const log = readFileSync(logFiles[0]!, 'utf8');
    expect(log).toContain('/tokens?token=[redacted]');
    expect(log).toContain('/tokens/stream?token=[redacted]&x=1');
    expect(log).not.toContain(issued.token);
    expect(log).not.toContain(issued.token.split('.')[2]); // not even the signature alone
  });
});
