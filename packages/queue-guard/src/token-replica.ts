import type { FastifyInstance } from 'fastify';
import { QueueRoomChanged, QueueTokenChanged } from '@boxoffice/contracts';
import type { Queryable } from '@boxoffice/db';
import { applyManyToReplica, type EventConsumer } from '@boxoffice/events';
import { replicaTable } from '@boxoffice/replica';
import type { QueueTokenClaims } from './token-verifier';
import { activeFor, type CacheTimes, type KnownState, type QueueTokenStatus, type TokenChange } from './token-state';

/** A token as the local replica (queue_tokens_replica, fed by queue.token.changed) holds it. */
export interface ReplicaToken {
  status: QueueTokenStatus;
  active_expires_at: Date | null;
  revision: number;
}

export async function findReplicaToken(db: Queryable, tokenId: string): Promise<ReplicaToken | undefined> {
  const { rows } = await db.query<ReplicaToken>(
    'SELECT status, active_expires_at, revision FROM queue_tokens_replica WHERE token_id = $1',
    [tokenId],
  );
  return rows[0];
}

/** Which room guards which concert: queue_rooms_replica, fed by queue.room.changed. */
export const roomsReplica = replicaTable(QueueRoomChanged, {
  table: 'queue_rooms_replica',
  key: 'roomId',
  fields: ['concertId', 'state'],
});

/**
 * Keeps the replicas from queue.token.changed and queue.room.changed, and hands each token change that was news to
 * `applied`. The instances of a service share one consumer group, so each event reaches only one of them.
 */
export function consumeTokenChanges(
  app: FastifyInstance,
  consumerGroup: string,
  applied: (change: TokenChange) => void,
): EventConsumer {
  // replicas only: each event touches its own aggregate's row
  return app.events
    .consumer(`${consumerGroup}.queue-guard`, { partitionsConcurrently: 3 })
    .on(QueueRoomChanged, roomsReplica.applyEvent)
    .onBatch(QueueTokenChanged, async (events, db) => {
      const changes = events.map((event) => {
        const token = event.payload;
        const row = {
          token_id: token.tokenId,
          user_id: token.userId,
          status: token.status,
          active_expires_at: token.activeExpiresAt,
        };
        return { row, revision: event.aggregateVersion, token };
      });
      // The state itself travels, not "look again": receivers need not wait for this transaction's commit.
      // An event older than what the replica holds (redelivered, or overtaken) is not news for anyone.
      for (const { token, revision } of await applyManyToReplica(db, 'queue_tokens_replica', 'token_id', changes))
        applied({
          tokenId: token.tokenId,
          status: token.status,
          activeExpiresAt: token.activeExpiresAt,
          tokenExpiresAt: token.tokenExpiresAt,
          revision,
        });
    });
}

/** A late retry of a broadcast must not undo a newer change: it sends the token's state as the replica has it now. */
export async function latestOf(db: Queryable, change: TokenChange): Promise<TokenChange> {
  const row = await findReplicaToken(db, change.tokenId);
  if (!row || row.revision <= change.revision) return change;
  return {
    ...change,
    status: row.status,
    activeExpiresAt: row.active_expires_at?.toISOString() ?? null,
    revision: row.revision,
  };
}

/**
 * The token's state from the replica; undefined while it shows WAITING, since only the queue knows whether it was
 * admitted since, and the place. `longCache` says whether every change was heard all through the lookup.
 */
export async function stateFromReplica(
  db: Queryable,
  times: CacheTimes,
  claims: QueueTokenClaims,
  now: number,
  longCache: () => boolean,
): Promise<KnownState | undefined> {
  const row = await findReplicaToken(db, claims.tokenId);
  if (!row) return undefined;
  const revision = row.revision;
  if (row.status === 'EXPIRED')
    return { status: 'EXPIRED', waitingNo: 0, until: claims.expiresAtMs, activeUntil: 0, revision };
  if (row.status === 'ACTIVE' && row.active_expires_at) {
    const activeUntil = row.active_expires_at.getTime();
    if (activeUntil <= now)
      return { status: 'EXPIRED', waitingNo: 0, until: claims.expiresAtMs, activeUntil, revision };
    return {
      status: 'ACTIVE',
      waitingNo: 0,
      until: activeFor(times, now, activeUntil, longCache()),
      activeUntil,
      revision,
    };
  }
  return undefined;
}
