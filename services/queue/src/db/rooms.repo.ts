import type { Queryable } from '@boxoffice/db';
import type { Room } from '../domain/room';

const at = (ms: number | null) => (ms === null ? null : new Date(ms));

/** The stored revision of each of these rooms (absent: not stored yet). */
export async function storedRoomRevisions(db: Queryable, roomIds: string[]): Promise<Map<string, number>> {
  const { rows } = await db.query<{ id: string; revision: number }>(
    'SELECT id, revision FROM rooms WHERE id = ANY($1::text[])',
    [roomIds],
  );
  return new Map(rows.map((row) => [row.id, row.revision]));
}

/** Stores a room's state unless a newer one is already there. */
export async function upsertRoom(db: Queryable, room: Room): Promise<void> {
  await db.query(
    `INSERT INTO rooms (id, name, concert_id, state, max_active, admission_rate_per_minute, session_seconds,
       queueing_method, sale_starts_at, max_waiting, abandon_seconds, revision, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
     ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, state = EXCLUDED.state, max_active = EXCLUDED.max_active,
       admission_rate_per_minute = EXCLUDED.admission_rate_per_minute, session_seconds = EXCLUDED.session_seconds,
       queueing_method = EXCLUDED.queueing_method, sale_starts_at = EXCLUDED.sale_starts_at,
       max_waiting = EXCLUDED.max_waiting, abandon_seconds = EXCLUDED.abandon_seconds, revision = EXCLUDED.revision,
       updated_at = EXCLUDED.updated_at, recorded_at = now()
     WHERE rooms.revision < EXCLUDED.revision`,
    [
      room.id,
      room.name,
      room.concertId,
      room.state,
      room.maxActive,
      room.admissionRatePerMinute,
      room.sessionSeconds,
      room.queueingMethod,
      at(room.saleStartsAtMs),
      room.maxWaiting,
      room.abandonSeconds,
      room.revision,
      at(room.createdAtMs),
      at(room.updatedAtMs),
    ],
  );
}
