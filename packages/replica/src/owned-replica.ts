import type { FastifyInstance } from 'fastify';
import '@boxoffice/db';
import '@boxoffice/events';
import { withTransaction, type Pool, type Queryable } from '@boxoffice/db';
import type { ConsumerSettings, EventConsumer } from '@boxoffice/events';
import type { Caller, PeerClient } from './peer-client';
import type { ReplicaTable, Revisioned } from './replica-table';
import { ownerSnapshot, type SnapshotOwner } from './snapshot';

/**
 * A local replica of a peer's data, fed by the peer's events, with the peer (its owner) asked through a breaker
 * when the replica cannot answer. THE COLD-START RULE lives here and nowhere else:
 * - a replica is `complete` once its consumer has read everything on its topics at least once (recorded in
 *   `consumer_sync`); before that (a cold start) an absent row proves nothing;
 * - rows looked up by key: the replica's rows; the keys it lacks are asked of the owner (also when complete: a row
 *   may be created a moment before its event arrives), and the owner's rows are applied to the replica
 *   (revision-guarded, so a newer event already applied wins); keys the owner cannot answer for are `unresolved`;
 * - a query whose answer depends on absence (which items has this user alarmed?): the replica once complete; while
 *   cold, the owner; when the owner cannot answer either, the replica's partial answer;
 * - an answer is stale when it came from the owner's cached answer, from a replica whose events are not flowing
 *   right now (Kafka down), or from a partial replica because the owner failed.
 */
export interface OwnedReplica {
  readonly consumer: EventConsumer;
  /** Has held everything the owner published at least once: not a cold start. */
  complete(): boolean;
  /** Its events are flowing right now (Kafka reachable, consumer in its group). */
  live(): boolean;
}

export interface Lookup<Row, Key> {
  /** Every row found, by key (rows the owner marks deleted included). */
  found: Map<Key, Revisioned<Row>>;
  /** Keys the owner says it does not have. */
  missing: Key[];
  /** Keys neither the replica nor the owner could answer for. */
  unresolved: Key[];
  /** Some of the answer may be behind the owner's truth. */
  stale: boolean;
}

export interface KeyedReplica<Row, Key> extends OwnedReplica {
  lookUp(keys: readonly Key[], caller: Caller): Promise<Lookup<Row, Key>>;
}

export interface Answer<T> {
  value: T;
  stale: boolean;
}

export interface QueryReplica<T> extends OwnedReplica {
  ask(caller: Caller): Promise<Answer<T>>;
}

interface ReplicaSource<Row extends object> {
  table: ReplicaTable<Row>;
  /** The consumer group that feeds the table. */
  group: string;
  settings?: ConsumerSettings;
  /**
   * The owner's snapshot route: read when retention deleted events before this replica's consumer read them, so a
   * rebuild after the topic's retention still ends complete. Without it such a replica stays not complete.
   */
  snapshot?: SnapshotOwner;
}

function feed<Row extends object>(app: FastifyInstance, source: ReplicaSource<Row>): OwnedReplica {
  const consumer = app.events
    .consumer(source.group, source.settings)
    .on(source.table.contract, source.table.applyEvent);
  if (source.snapshot) consumer.fillFrom(ownerSnapshot(app.pg, source.table, source.snapshot));
  return { consumer, complete: () => consumer.hasCaughtUp, live: () => consumer.isRunning };
}

const ascending = <Key>(a: Key, b: Key) => (a < b ? -1 : a > b ? 1 : 0);

/** Rows looked up by one key field (`by`), e.g. items by id. */
export function keyedReplica<Row extends object, K extends keyof Row & string>(
  app: FastifyInstance,
  options: ReplicaSource<Row> & {
    by: K;
    owner: {
      client: PeerClient;
      /**
       * The owner's route for these keys (sorted, no duplicates; also the answer's cache key). It answers a SPEC
       * list, `{ payload: rows }`, each row with its revision.
       */
      path(keys: Row[K][]): string;
    };
  },
): KeyedReplica<Row, Row[K]> {
  const { table, by, owner } = options;
  const fed = feed(app, options);
  return {
    ...fed,
    async lookUp(keys, caller) {
      const rows = await table.select(app.pg, { [by]: [...keys] } as never);
      const found = new Map(rows.map((row) => [row[by] as Row[K], row]));
      const absent = [...new Set(keys)].filter((key) => !found.has(key)).sort(ascending);
      const lookup: Lookup<Row, Row[K]> = { found, missing: [], unresolved: [], stale: !fed.live() };
      if (absent.length === 0) return lookup;
      try {
        const path = owner.path(absent);
        const answer = await owner.client.get<{ payload: Revisioned<Row>[] }>(path, caller, path);
        const answered = answer.body.payload;
        // what the owner said warms the replica; the revision check keeps a newer event's state if one came first
        if (answered.length > 0) await warm(app.pg, table, answered);
        answered.forEach((row) => found.set(row[by] as Row[K], row));
        lookup.missing = absent.filter((key) => !found.has(key));
        lookup.stale ||= answer.stale;
      } catch {
        lookup.unresolved = absent;
        lookup.stale = true;
      }
      return lookup;
    },
  };
}

async function warm<Row extends object>(pool: Pool, table: ReplicaTable<Row>, rows: Revisioned<Row>[]) {
  await withTransaction(pool, async (tx) => {
    for (const { revision, ...state } of rows) await table.apply(tx, state as Row, revision);
  });
}

/** A per-caller query that only a complete replica can answer alone, e.g. the caller's alarmed item ids. */
export function queryReplica<Row extends object, T, Payload>(
  app: FastifyInstance,
  options: ReplicaSource<Row> & {
    /** The answer from the replica. */
    local(db: Queryable, caller: Caller): Promise<T>;
    owner: {
      client: PeerClient;
      /** The owner's route, answering a SPEC list `{ payload }` for the caller; cached per caller. */
      path: string;
      value(payload: Payload): T;
    };
  },
): QueryReplica<T> {
  const { owner } = options;
  const fed = feed(app, options);
  return {
    ...fed,
    async ask(caller) {
      if (fed.complete()) return { value: await options.local(app.pg, caller), stale: !fed.live() };
      try {
        const answer = await owner.client.get<{ payload: Payload }>(owner.path, caller, `${owner.path}#${caller.id}`);
        return { value: owner.value(answer.body.payload), stale: answer.stale };
      } catch {
        return { value: await options.local(app.pg, caller), stale: true };
      }
    },
  };
}
