import type { Queryable } from '@boxoffice/db';
import type { Seat, Ticket } from '../domain/seating';
import { toTicket, type TicketRow } from './seating.repo';

/** A ticket and its show's start, row-locked: its cancel, a sale and the sweeper then take turns on it. */
export async function lockTicketWithShow(
  db: Queryable,
  id: string,
): Promise<{ ticket: Ticket; startsAt: Date } | undefined> {
  const { rows } = await db.query<TicketRow & { starts_at: Date }>(
    `SELECT t.*, c.name AS concert_name, sh.concert_id, sh.venue, sh.starts_at
     FROM tickets t JOIN showtimes sh ON sh.id = t.showtime_id JOIN concerts c ON c.id = sh.concert_id
     WHERE t.id = $1 FOR UPDATE OF t`,
    [id],
  );
  return rows[0] && { ticket: toTicket(rows[0]), startsAt: rows[0].starts_at };
}

const withContext = (cte: string) => `WITH changed AS (${cte})
  SELECT changed.*, c.name AS concert_name, sh.concert_id, sh.venue
  FROM changed JOIN showtimes sh ON sh.id = changed.showtime_id JOIN concerts c ON c.id = sh.concert_id`;

/** SOLD → CANCELLED (the ones among `ids` still SOLD). */
export async function cancelSoldTickets(db: Queryable, ids: string[]): Promise<Ticket[]> {
  const { rows } = await db.query<TicketRow>(
    withContext(`UPDATE tickets SET status = 'CANCELLED', cancelled_at = now(), revision = revision + 1, updated_at = now()
     WHERE id = ANY($1::uuid[]) AND status = 'SOLD' RETURNING *`),
    [ids],
  );
  return rows.map(toTicket);
}

/** HELD → EXPIRED (the ones among `ids` still HELD), whatever their deadline: a cancelled showtime's holds. */
export async function endHolds(db: Queryable, ids: string[]): Promise<Ticket[]> {
  const { rows } = await db.query<TicketRow>(
    withContext(`UPDATE tickets SET status = 'EXPIRED', revision = revision + 1, updated_at = now()
     WHERE id = ANY($1::uuid[]) AND status = 'HELD' RETURNING *`),
    [ids],
  );
  return rows.map(toTicket);
}

/** The seats these tickets occupied (held or sold) are AVAILABLE again. */
export async function freeSeatsOfEnded(db: Queryable, ticketIds: string[]): Promise<Pick<Seat, 'id'>[]> {
  const { rows } = await db.query<{ id: number }>(
    `UPDATE seats SET status = 'AVAILABLE', ticket_id = NULL, revision = revision + 1
     WHERE ticket_id = ANY($1::uuid[]) AND status IN ('HELD', 'SOLD') RETURNING id`,
    [ticketIds],
  );
  return rows;
}

/**
 * Marks a showtime cancelled (once: a second call keeps the first time). FOR UPDATE waits for every hold under
 * way on it (each holds the showtime's key-share lock) and makes new ones wait, then find it cancelled.
 */
export async function markShowtimeCancelled(
  db: Queryable,
  id: number,
): Promise<{ id: number; cancelledAt: Date } | undefined> {
  const locked = await db.query('SELECT 1 FROM showtimes WHERE id = $1 FOR UPDATE', [id]);
  if (locked.rowCount === 0) return undefined;
  const { rows } = await db.query<{ id: number; cancelledAt: Date }>(
    `UPDATE showtimes SET cancelled_at = coalesce(cancelled_at, now()),
       revision = revision + (CASE WHEN cancelled_at IS NULL THEN 1 ELSE 0 END), updated_at = now()
     WHERE id = $1 RETURNING id, cancelled_at AS "cancelledAt"`,
    [id],
  );
  return rows[0];
}

/** A batch of a showtime's live (HELD or SOLD) tickets, row-locked; SKIP LOCKED is not used: each must end. */
export async function lockLiveTicketsOfShowtime(
  db: Queryable,
  showtimeId: number,
  limit: number,
): Promise<{ id: string; status: 'HELD' | 'SOLD' }[]> {
  const { rows } = await db.query<{ id: string; status: 'HELD' | 'SOLD' }>(
    `SELECT id, status FROM tickets WHERE showtime_id = $1 AND status IN ('HELD', 'SOLD')
     ORDER BY id LIMIT $2 FOR UPDATE`,
    [showtimeId, limit],
  );
  return rows;
}
