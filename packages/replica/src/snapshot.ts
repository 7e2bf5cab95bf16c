import { Type, type Static, type TObject } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { EventContract } from '@boxoffice/contracts';
import { withTransaction, type Pool, type Queryable } from '@boxoffice/db';
import type { ReplicaSnapshot } from '@boxoffice/events';
import { Int4, Text, errorResponses } from '@boxoffice/http';
import type { ReplicaTable, Revisioned } from './replica-table';

/**
 * The owner's side and the replica's side of a snapshot: every entity's current state, as its `*.changed` event
 * carries it plus its revision, read page by page from an internal route (behind the internal token) by a replica
 * whose topic no longer holds every event (retention deleted some before it read them; decision 27).
 */
export const SNAPSHOT_PAGE_MAX = 1_000;

/** Where an owner serves the snapshot of a contract's entities: `/internal/snapshot/items` for `item.items`. */
export const snapshotPath = (contract: EventContract): `/internal/${string}` =>
  `/internal/snapshot/${contract.topic.slice(contract.topic.indexOf('.') + 1)}`;

export const SnapshotQuery = Type.Object(
  {
    after: Type.Optional(Text({ maxLength: 200, description: 'the `next` of the previous page; absent: the first' })),
    limit: Type.Optional(Int4({ minimum: 1, maximum: SNAPSHOT_PAGE_MAX, description: 'rows per page (default 500)' })),
  },
  { additionalProperties: false },
);

const SnapshotHeaders = Type.Object({
  'x-internal-token': Type.Optional(Type.String({ maxLength: 500, description: 'INTERNAL_API_TOKEN' })),
});

/** One page of the owner's rows, in the order of its cursor, and where the next one starts (null: the last page). */
export interface SnapshotPage<Row> {
  rows: Revisioned<Row>[];
  next: string | null;
}

/**
 * Registers the owner's snapshot route of `contract`'s entities (at `snapshotPath(contract)`): `page(db, after, limit)` reads `limit` rows after
 * the cursor `after` (undefined: from the start), each the contract's payload plus `revision`. Under `/internal`,
 * so createApp's internal-token guard answers 401 to anyone without INTERNAL_API_TOKEN.
 */
export function snapshotRoute<S extends TObject>(
  app: FastifyInstance & { pg: Pool },
  options: {
    contract: EventContract<S>;
    page(db: Queryable, after: string | undefined, limit: number): Promise<SnapshotPage<Static<S>>>;
  },
): void {
  const row = Type.Composite([options.contract.payload, Type.Object({ revision: Type.Integer() })]);
  app.get(
    snapshotPath(options.contract),
    {
      schema: {
        summary: `Every ${options.contract.aggregateType}'s current state and revision, paged: for peers rebuilding a replica`,
        hide: true,
        headers: SnapshotHeaders,
        querystring: SnapshotQuery,
        response: {
          200: Type.Object({
            count: Type.Integer(),
            payload: Type.Array(row),
            next: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errorResponses(401, 422, 503),
        },
      },
    },
    async (request) => {
      const query = request.query as Static<typeof SnapshotQuery>;
      const page = await options.page(app.pg, query.after, query.limit ?? 500);
      return { count: page.rows.length, payload: page.rows, next: page.next };
    },
  );
}

/** The owner of a replica's contract (its topic's owner), serving its snapshot at `snapshotPath(contract)`. */
export interface SnapshotOwner {
  /** The owner's base URL; several instances separated by commas (tried in turn). */
  url: string;
  internalToken: string;
  timeoutMs?: number;
  pageSize?: number;
}

/** The replica's side: reads the owner's snapshot page by page and applies each page (revision-guarded) in a transaction. */
export function ownerSnapshot<Row extends object>(
  pool: Pool,
  table: ReplicaTable<Row>,
  owner: SnapshotOwner,
): ReplicaSnapshot {
  const peer = table.contract.topic.split('.')[0]!;
  const path = snapshotPath(table.contract);
  const urls = owner.url.split(',').map((url) => url.trim().replace(/\/$/, ''));
  const fetchPage = async (after: string | null): Promise<{ payload: Revisioned<Row>[]; next: string | null }> => {
    const query = new URLSearchParams({ limit: String(owner.pageSize ?? 500), ...(after === null ? {} : { after }) });
    let failure: unknown;
    for (const url of urls) {
      try {
        const response = await fetch(`${url}${path}?${query}`, {
          headers: { 'x-internal-token': owner.internalToken },
          signal: AbortSignal.timeout(owner.timeoutMs ?? 10_000),
        });
        if (response.status !== 200) throw new Error(`${peer} service answered ${response.status} to ${path}`);
        return (await response.json()) as { payload: Revisioned<Row>[]; next: string | null };
      } catch (error) {
        failure = error;
      }
    }
    throw failure;
  };
  return {
    source: `${peer} service`,
    async load() {
      let applied = 0;
      for (let after: string | null = null, first = true; first || after !== null; first = false) {
        const page = await fetchPage(after);
        await withTransaction(pool, async (tx) => {
          for (const { revision, ...state } of page.payload) await table.apply(tx, state as Row, revision);
        });
        applied += page.payload.length;
        after = page.next;
      }
      return applied;
    },
  };
}
