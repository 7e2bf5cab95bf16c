import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { waitFor } from '@boxoffice/testing';
import { SEED_JOURNEYS, USER_TOKEN, gatewayCall, type Answer } from '../journeys/seed-journeys';
import { ComposeProject, REPO_ROOT } from './compose-project';

/**
 * docker-compose.yaml for real: `npm run images`, the whole stack up in containers (production mode, demo profile),
 * the seed journeys through the published gateway, then one container stopped at a time to show what
 * docs/architecture.md promises for it, and everything back: outboxes drained, replicas equal to their owners.
 * Runs under `npm run test:containers` (TEST_INFRA=containers). Traffic goes only to the gateway on 127.0.0.1;
 * the databases are asked through `compose exec`.
 */
const project = new ComposeProject();
const call = gatewayCall(() => project.gatewayUrl);
const shopper = { 'user-token': USER_TOKEN };
const APPLICATION = ['user', 'item', 'alarm', 'queue', 'ticket', 'payment', 'gateway'];
const INFRASTRUCTURE = ['pg-user', 'pg-item', 'pg-alarm', 'pg-queue', 'pg-ticket', 'pg-payment', 'redis', 'kafka'];
const DATABASES = ['user', 'item', 'alarm', 'queue', 'ticket', 'payment'];

let upSeconds = 0;

// Generous: a JVM or a PostgreSQL restarting on a loaded two-core host can take minutes; the test waits, it does
// not time anything.
async function healthy(service: string): Promise<void> {
  await waitFor(`${service} to be healthy`, async () => (await project.state(service)) === 'running healthy', {
    timeoutMs: 300_000,
    intervalMs: 500,
  });
}

async function stopped<T>(service: string, during: () => Promise<T>): Promise<T> {
  // time for a clean shutdown (Kafka's controlled shutdown), as an operator's `stop` gives it
  await project.compose('stop', '--timeout', '30', service);
  try {
    return await during();
  } catch (error) {
    console.error(await project.logs());
    throw error;
  } finally {
    await project.compose('start', service);
    await healthy(service);
  }
}

const alarmedIds = (list: Answer) =>
  list.body.payload
    .filter((item: { is_alarm_set: boolean }) => item.is_alarm_set)
    .map((item: { id: number }) => item.id);

/** The shopper's item list, answered in full. */
async function fullItemList(): Promise<Answer> {
  const list = await call('GET', '/api/items', { headers: shopper });
  expect(list.status).toBe(200);
  expect(list.body.count).toBe(50);
  return list;
}

const pendingOutbox = async () => {
  const counts = await Promise.all(
    DATABASES.map((db) => project.sql(db, "SELECT count(*) FROM outbox WHERE state = 'pending'")),
  );
  return counts.map(Number).reduce((a, b) => a + b, 0);
};

beforeAll(async () => {
  const images = spawnSync('bash', [path.join(REPO_ROOT, 'scripts', 'images.sh')], { stdio: 'inherit' });
  if (images.status !== 0) throw new Error(`npm run images failed with ${images.status}`);
  await project.prepare();
  const started = Date.now();
  try {
    await project.compose('up', '-d');
    await healthy('gateway');
    await waitFor('the gateway to be ready', async () => (await fetch(`${project.gatewayUrl}/ready`)).ok, {
      timeoutMs: 60_000,
    });
    for (const loader of ['demo-user', 'demo-item', 'demo-ticket']) {
      await waitFor(`${loader} to finish`, async () => (await project.state(loader)).startsWith('exited'), {
        timeoutMs: 120_000,
      });
    }
    // the demo items reach the replicas that the journeys read (the item service's own list needs none)
    await waitFor(
      'the demo data everywhere',
      async () => {
        const [items, alarmItems, userItems, alarmUsers] = await Promise.all([
          project.sql('item', 'SELECT count(*) FROM items'),
          project.sql('alarm', 'SELECT count(*) FROM items_replica'),
          project.sql('user', 'SELECT count(*) FROM items_replica'),
          project.sql('alarm', 'SELECT count(*) FROM users_replica'),
        ]);
        return items === '50' && alarmItems === '50' && userItems === '50' && Number(alarmUsers) >= 10;
      },
      { timeoutMs: 120_000 },
    );
  } catch (error) {
    console.error(`[compose] containers:\n${await project.healthReport()}`);
    console.error(await project.logs());
    throw error;
  }
  upSeconds = Math.round((Date.now() - started) / 1000);
  console.log(`[compose] ${project.command.join(' ')}: the stack answered through the gateway ${upSeconds} s after up`);
}, 900_000);

afterAll(async () => {
  await project.down();
}, 120_000);

describe('docker-compose.yaml, up for real', () => {
  it('when up, then every container is healthy, the demo loaders are done, and only the gateway is published, on 127.0.0.1', async () => {
    for (const service of [...APPLICATION, ...INFRASTRUCTURE])
      expect([service, await project.state(service)]).toEqual([service, 'running healthy']);
    for (const loader of ['demo-user', 'demo-item', 'demo-ticket'])
      expect([loader, await project.state(loader)]).toEqual([loader, 'exited 0']);
    expect(await project.publishedPorts()).toEqual([`gateway 127.0.0.1:${project.gatewayPort}`]);
    for (const service of APPLICATION) {
      expect([service, await project.exec(service, 'printenv', 'NODE_ENV')]).toEqual([service, 'production']);
    }
  }, 600_000);

  it.each(SEED_JOURNEYS)('%s', async (_name, journey) => {
    await journey(call);
  });
});

describe('one container stopped at a time', () => {
  it('when alarm is stopped, then the item list answers from its alarms replica, unflagged, and setting an alarm is a clean 503', async () => {
    const before = await call('GET', '/api/items', { headers: shopper });
    await stopped('alarm', async () => {
      const list = await fullItemList();
      expect(alarmedIds(list)).toEqual(alarmedIds(before));
      expect(list.headers.get('x-data-stale')).toBeNull();
      expect((await call('GET', '/api/users/visit', { headers: shopper })).status).toBe(200);
      const setAlarm = await call('POST', '/api/alarms', { headers: shopper, body: { item_id: 20 } });
      expect(setAlarm.status).toBe(503);
      expect(setAlarm.headers.get('retry-after')).toBeTruthy();
      expect(setAlarm.body.errors.message).toMatch(/alarm/);
    });
  }, 600_000);

  it('when item is stopped, then the alarm list answers with full item details from its replica, alarms can be set, and the item list is a clean 503', async () => {
    await stopped('item', async () => {
      const alarms = await call('GET', '/api/alarms', { headers: shopper });
      expect(alarms.status).toBe(200);
      expect(alarms.body.payload.length).toBeGreaterThan(0);
      expect(alarms.body.payload[0]).toMatchObject({ name: expect.any(String), price: expect.any(Number) });
      const setAlarm = await call('POST', '/api/alarms', { headers: shopper, body: { item_id: 21 } });
      expect(setAlarm.status).toBe(201);
      expect((await call('GET', '/api/users/visit', { headers: shopper })).status).toBe(200);
      const list = await call('GET', '/api/items', { headers: shopper });
      expect(list.status).toBe(503);
      expect(list.headers.get('retry-after')).toBeTruthy();
    });
    await waitFor('the alarm set while item was down in the item list', async () =>
      alarmedIds(await call('GET', '/api/items', { headers: shopper })).includes(21),
    );
  }, 600_000);

  it('when user is stopped, then tokens resolve from the replicas (items and alarms answer) and logging in is a clean 503', async () => {
    await stopped('user', async () => {
      await fullItemList();
      expect((await call('POST', '/api/alarms', { headers: shopper, body: { item_id: 22 } })).status).toBe(201);
      const login = await call('POST', '/api/users/login', {
        body: { login_id: 'gyugyeong', password: 'boxoffice-demo' },
      });
      expect(login.status).toBe(503);
      expect(login.headers.get('retry-after')).toBeTruthy();
    });
    expect(
      (await call('POST', '/api/users/login', { body: { login_id: 'gyugyeong', password: 'boxoffice-demo' } })).status,
    ).toBe(200);
  }, 600_000);

  it("when the item service's PostgreSQL is stopped, then item answers 503 while alarm answers from its replica, and item recovers on its own", async () => {
    await stopped('pg-item', async () => {
      const list = await waitFor('the item service to notice', async () => {
        const answer = await call('GET', '/api/items', { headers: shopper });
        return answer.status !== 200 && answer;
      });
      expect(list.status).toBe(503);
      expect(list.headers.get('retry-after')).toBeTruthy();
      expect((await call('GET', '/api/alarms', { headers: shopper })).status).toBe(200);
    });
    await waitFor(
      'the item list again',
      async () => (await call('GET', '/api/items', { headers: shopper })).status === 200,
    );
  }, 600_000);

  it('when Kafka is stopped, then reads answer (flagged X-Data-Stale once the consumers notice) and writes wait in the outbox until it is back', async () => {
    await stopped('kafka', async () => {
      const list = await call('GET', '/api/items', { headers: shopper });
      expect(list.status).toBe(200);
      expect((await call('POST', '/api/alarms', { headers: shopper, body: { item_id: 23 } })).status).toBe(201);
      expect(Number(await project.sql('alarm', "SELECT count(*) FROM outbox WHERE state = 'pending'"))).toBeGreaterThan(
        0,
      );
      const flagged = await waitFor(
        'the item list to flag itself stale',
        async () => {
          const answer = await call('GET', '/api/items', { headers: shopper });
          return answer.headers.get('x-data-stale') === 'true' && answer;
        },
        { timeoutMs: 90_000 },
      );
      expect(flagged.status).toBe(200);
      expect(alarmedIds(flagged)).not.toContain(23);
    });
    await waitFor('the outboxes to drain', async () => (await pendingOutbox()) === 0, { timeoutMs: 120_000 });
    await waitFor(
      'the alarm set while Kafka was down in an unflagged item list',
      async () => {
        const answer = await call('GET', '/api/items', { headers: shopper });
        return alarmedIds(answer).includes(23) && answer.headers.get('x-data-stale') === null;
      },
      { timeoutMs: 120_000 },
    );
  }, 600_000);

  it('when Redis is stopped, then the normal path is unaffected: items and alarms answer', async () => {
    await stopped('redis', async () => {
      await fullItemList();
      expect((await call('GET', '/api/alarms', { headers: shopper })).status).toBe(200);
    });
  }, 600_000);
});

describe('everything back', () => {
  it('when every container runs again, then every outbox drains and every replica equals its owner', async () => {
    for (const service of [...APPLICATION, ...INFRASTRUCTURE]) await healthy(service);
    await waitFor('every outbox to drain', async () => (await pendingOutbox()) === 0, { timeoutMs: 120_000 });
    const items = "SELECT string_agg(id || ':' || revision, ',' ORDER BY id) FROM";
    const alarms =
      "SELECT string_agg(user_id || ':' || item_id || ':' || active || ':' || revision, ',' ORDER BY user_id, item_id) FROM";
    await waitFor(
      'the replicas to converge',
      async () => {
        const [owner, inAlarm, inUser, alarmOwner, inItem] = await Promise.all([
          project.sql('item', `${items} items`),
          project.sql('alarm', `${items} items_replica`),
          project.sql('user', `${items} items_replica`),
          project.sql('alarm', `${alarms} alarms`),
          project.sql('item', `${alarms} alarms_replica`),
        ]);
        return owner === inAlarm && owner === inUser && alarmOwner === inItem && alarmOwner.includes(':23:');
      },
      { timeoutMs: 120_000 },
    );
    const list = await call('GET', '/api/items', { headers: shopper });
    expect(alarmedIds(list)).toEqual(expect.arrayContaining([21, 22, 23]));
    expect(list.headers.get('x-data-stale')).toBeNull();
  }, 600_000);
});
