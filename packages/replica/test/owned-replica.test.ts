import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { AlarmChanged, ItemChanged, TOPICS, type ItemChangedPayload } from '@boxoffice/contracts';
import type { Queryable } from '@boxoffice/db';
import type { App } from '@boxoffice/http';
import { keyedReplica, peerClient, queryReplica, replicaTable, type Caller } from '@boxoffice/replica';
import { PeerPublisher, createPluginHost, dropDatabase, testEnv, waitFor } from '@boxoffice/testing';

// the user service's items_replica (its migrations build the table): the fields it keeps
const itemsReplica = replicaTable(ItemChanged, {
  table: 'items_replica',
  key: 'id',
  fields: ['name', 'broadcaster', 'category', 'price', 'stock', 'deleted'],
});
const alarmsReplica = replicaTable(AlarmChanged, { table: 'alarms_replica', key: ['userId', 'itemId'] });
const alarmedItemIds = async (db: Queryable, userId: number) =>
  new Set((await alarmsReplica.select(db, { userId, active: true })).map((alarm) => alarm.itemId));

type OwnedItem = ItemChangedPayload & { revision: number };
const item = (id: number, revision = 1): OwnedItem => ({
  id,
  name: `item ${id}`,
  broadcaster: 'b',
  category: 'c',
  price: 10 * id,
  stock: 5,
  deleted: false,
  revision,
});

/**
 * The owner, as a real HTTP server: the item service's GET /internal/items?ids= and the alarm service's GET /ids,
 * both answering for the caller's USER-TOKEN. `failing` makes it answer 500, as a sick peer does.
 */
class Owner {
  items = new Map<number, OwnedItem>();
  alarms = new Map<number, number[]>(); // user id → alarmed item ids
  readonly asked: string[] = [];
  readonly internalTokens = new Set<string>();
  failing = false;
  private server: Server | undefined;
  private readonly users = new Map<string, number>();

  token(userId: number): Caller {
    const token = `00000000-0000-4000-8000-${String(userId).padStart(12, '0')}`;
    this.users.set(token, userId);
    return { id: userId, token };
  }

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const url = new URL(request.url!, 'http://owner');
      this.asked.push(`${url.pathname}${url.search}`);
      this.internalTokens.add(String(request.headers['x-internal-token']));
      const userId = this.users.get(String(request.headers['user-token']));
      const answer = (status: number, body: unknown) =>
        response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (this.failing) return answer(500, { errors: { code: 'INTERNAL' } });
      if (userId === undefined) return answer(401, { errors: { code: 'UNAUTHORIZED' } });
      if (url.pathname === '/internal/items') {
        const ids = url.searchParams.get('ids')!.split(',').map(Number);
        const payload = ids.flatMap((id) => this.items.get(id) ?? []);
        return answer(200, { count: payload.length, payload });
      }
      const payload = this.alarms.get(userId) ?? [];
      return answer(200, { count: payload.length, payload });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

/** The user service's tables: it keeps both replicas, configured as below. */
const USER_TABLES = {
  namespace: 'user',
  directory: path.join(__dirname, '..', '..', '..', 'services', 'user', 'migrations'),
};

/** A service keeping both replicas, configured as the user service configures them. */
async function reader(env: Record<string, string>, ownerUrl: string) {
  const app = await createPluginHost('reader', env, [USER_TABLES]);
  const owner = peerClient(app, { peer: 'owner', url: ownerUrl, timeoutMs: 1_000, internalToken: 'peers-only' });
  const items = keyedReplica(app, {
    table: itemsReplica,
    group: 'reader.items',
    by: 'id',
    owner: { client: owner, path: (ids) => `/internal/items?ids=${ids.join(',')}` },
  });
  const alarms = queryReplica(app, {
    table: alarmsReplica,
    group: 'reader.alarms',
    local: (db, caller) => alarmedItemIds(db, caller.id),
    owner: { client: owner, path: '/ids', value: (ids: number[]) => new Set(ids) },
  });
  return { app, items, alarms };
}

describe('a replica of a peer’s data with the owner asked while it cannot answer (@boxoffice/replica)', () => {
  const env = testEnv('reader');
  const coldEnv = testEnv('cold');
  const owner = new Owner();
  const peers = new PeerPublisher({ topicPrefix: env.KAFKA_TOPIC_PREFIX!, topics: [TOPICS.items, TOPICS.alarms] });
  let warm: Awaited<ReturnType<typeof reader>>;
  /** Never started: its consumers have not caught up (a cold start) and are not running. */
  let cold: Awaited<ReturnType<typeof reader>>;
  const alice = owner.token(1);
  const bob = owner.token(2);
  const carol = owner.token(3);

  const publishItem = (state: OwnedItem) =>
    peers.publish(ItemChanged, [{ aggregateId: state.id, aggregateVersion: state.revision, payload: state }]);
  const inReplica = async (app: App, id: number) => (await itemsReplica.select(app.pg, { id }))[0];

  beforeAll(async () => {
    const url = await owner.start();
    await peers.connect();
    warm = await reader(env, url);
    await warm.app.ready();
    cold = await reader(coldEnv, url);
    await waitFor('the replicas complete', () => warm.items.complete() && warm.alarms.complete(), {
      timeoutMs: 30_000,
    });
  });
  afterAll(async () => {
    await Promise.all([warm.app.close(), cold.app.close(), peers.stop(), owner.stop()]);
    await Promise.all([dropDatabase(env.DATABASE_URL!), dropDatabase(coldEnv.DATABASE_URL!)]);
  });

  it('when the owner publishes, then the replica holds its rows at their revisions, and a complete one is live', async () => {
    await publishItem(item(1, 3));
    await publishItem(item(2));
    await waitFor('items 1 and 2 in the replica', async () => (await inReplica(warm.app, 2)) && inReplica(warm.app, 1));
    expect(await inReplica(warm.app, 1)).toEqual(item(1, 3));
    expect([warm.items.complete(), warm.items.live(), cold.items.complete(), cold.items.live()]).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });

  it('when the replica holds every key, then the owner is not asked', async () => {
    const lookup = await warm.items.lookUp([1, 2, 1], alice);
    expect([...lookup.found.keys()].sort()).toEqual([1, 2]);
    expect(lookup).toMatchObject({ missing: [], unresolved: [], stale: false });
    expect(owner.asked).toEqual([]);
  });

  it('when the replica lacks some keys, then only those are asked of the owner for the caller; its rows warm the replica; what it lacks is missing', async () => {
    owner.items.set(3, item(3, 4));
    const lookup = await warm.items.lookUp([99, 1, 3], alice);
    expect(owner.asked).toEqual(['/internal/items?ids=3,99']);
    expect([...owner.internalTokens]).toEqual(['peers-only']);
    expect(lookup.found.get(3)).toEqual(item(3, 4));
    expect(lookup).toMatchObject({ missing: [99], unresolved: [], stale: false });
    expect(await inReplica(warm.app, 3)).toEqual(item(3, 4)); // at the owner's revision
  });

  it('when the owner cannot answer, then the keys it was asked for are unresolved and the answer stale; a cached answer of it is served, stale', async () => {
    expect((await warm.items.lookUp([77], alice)).missing).toEqual([77]); // answered, and cached
    owner.failing = true;
    expect(await warm.items.lookUp([1, 4], alice)).toMatchObject({ missing: [], unresolved: [4], stale: true });
    expect(await warm.items.lookUp([77], alice)).toMatchObject({ missing: [77], unresolved: [], stale: true });
  });

  it('when the query replica is complete, then it answers alone, even with the owner down', async () => {
    await peers.publish(AlarmChanged, [
      { aggregateId: '1:2', aggregateVersion: 1, payload: { userId: 1, itemId: 2, active: true } },
      { aggregateId: '1:3', aggregateVersion: 1, payload: { userId: 1, itemId: 3, active: true } },
      { aggregateId: '1:3', aggregateVersion: 2, payload: { userId: 1, itemId: 3, active: false } },
    ]);
    // the last event applied, not only the first two: until 1:3's second revision lands, 3 still counts as alarmed
    await waitFor('alice’s alarms applied, 1:3 at its second revision', async () => {
      const alarms = await alarmsReplica.select(warm.app.pg, { userId: 1 });
      return alarms.length === 2 && alarms.some((alarm) => alarm.itemId === 3 && !alarm.active);
    });
    const asked = owner.asked.length;
    expect(await warm.alarms.ask(alice)).toEqual({ value: new Set([2]), stale: false });
    expect(owner.asked).toHaveLength(asked);
  });

  it('when the query replica is cold, then the owner decides; when the owner then fails, its cached answer is served, stale', async () => {
    owner.failing = false;
    owner.alarms.set(2, [5, 6]);
    expect(await cold.alarms.ask(bob)).toEqual({ value: new Set([5, 6]), stale: false });
    expect(owner.asked.at(-1)).toBe('/ids');
    owner.failing = true;
    expect(await cold.alarms.ask(bob)).toEqual({ value: new Set([5, 6]), stale: true });
  });

  it('when the query replica is cold and the owner cannot answer, then what the replica has, stale', async () => {
    await alarmsReplica.apply(cold.app.pg, { userId: 3, itemId: 8, active: true }, 1); // an event that did arrive
    expect(await cold.alarms.ask(carol)).toEqual({ value: new Set([8]), stale: true });
  });

  it('then the service’s /metrics shows its consumers’ lag per group and topic, its outbox and its dead letters', async () => {
    const text = (await warm.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).toMatch(
      /events_consumer_lag_messages\{group="reader.items",topic="item.items",service="reader"\} 0\n/,
    );
    expect(text).toMatch(
      /events_consumer_lag_messages\{group="reader.alarms",topic="alarm.alarms",service="reader"\} 0\n/,
    );
    expect(text).toMatch(/events_outbox_pending_rows\{service="reader"\} 0\n/);
    expect(text).toMatch(/events_dead_letters_rows\{service="reader"\} 0\n/);
  });

  it('when a complete replica’s events stop flowing, then its answers are stale, and it stays complete', async () => {
    await warm.items.consumer.stop();
    await warm.alarms.consumer.stop();
    expect([warm.items.complete(), warm.items.live()]).toEqual([true, false]);
    expect(await warm.items.lookUp([1], alice)).toMatchObject({ unresolved: [], stale: true });
    expect(await warm.alarms.ask(alice)).toEqual({ value: new Set([2]), stale: true });
  });
});
