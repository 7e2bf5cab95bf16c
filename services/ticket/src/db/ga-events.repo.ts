import type { Queryable } from '@boxoffice/db';
import type { GaEvent, Reservation } from '../domain/ga-events';

type GaEventRow = Omit<GaEvent, 'createdAt' | 'updatedAt'> & { created_at: Date; updated_at: Date };

interface ReservationRow {
  id: string;
  ga_event_id: string;
  user_id: number;
  no_of_tickets: number;
  cancelled: boolean;
  revision: number;
  created_at: Date;
  updated_at: Date;
}

const toGaEvent = (row: GaEventRow): GaEvent => ({
  id: row.id,
  name: row.name,
  description: row.description,
  date: row.date,
  availability: row.availability,
  stock: row.stock,
  deleted: row.deleted,
  revision: row.revision,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const toReservation = (row: ReservationRow): Reservation => ({
  id: row.id,
  gaEventId: row.ga_event_id,
  userId: row.user_id,
  noOfTickets: row.no_of_tickets,
  cancelled: row.cancelled,
  revision: row.revision,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export async function insertGaEvent(
  db: Queryable,
  gaEvent: { name: string; description: string; date: string; availability: number },
): Promise<GaEvent> {
  const { rows } = await db.query<GaEventRow>(
    `INSERT INTO ga_events (name, description, date, availability, stock) VALUES ($1, $2, $3, $4, $4) RETURNING *`,
    [gaEvent.name, gaEvent.description, gaEvent.date, gaEvent.availability],
  );
  return toGaEvent(rows[0]!);
}

export async function findGaEvent(
  db: Queryable,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<GaEvent | undefined> {
  const { rows } = await db.query<GaEventRow>(
    `SELECT * FROM ga_events WHERE id = $1 AND NOT deleted ${options.forUpdate ? 'FOR UPDATE' : ''}`,
    [id],
  );
  return rows[0] && toGaEvent(rows[0]);
}

export async function allGaEvents(db: Queryable): Promise<GaEvent[]> {
  const { rows } = await db.query<GaEventRow>('SELECT * FROM ga_events WHERE NOT deleted ORDER BY date, created_at');
  return rows.map(toGaEvent);
}

export async function countGaEvents(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ count: number }>('SELECT count(*)::int AS count FROM ga_events');
  return rows[0]!.count;
}

export async function updateGaEventDetails(
  db: Queryable,
  id: string,
  changes: { name?: string; description?: string; date?: string },
): Promise<GaEvent | undefined> {
  const { rows } = await db.query<GaEventRow>(
    `UPDATE ga_events SET name = COALESCE($2, name), description = COALESCE($3, description), date = COALESCE($4, date),
            revision = revision + 1, updated_at = now()
     WHERE id = $1 AND NOT deleted RETURNING *`,
    [id, changes.name ?? null, changes.description ?? null, changes.date ?? null],
  );
  return rows[0] && toGaEvent(rows[0]);
}

/**
 * Takes `count` tickets from stock in one conditional write: it succeeds only while enough are left, so two
 * concurrent takers can never both get the last ticket. undefined means "not enough" (or no such GA event).
 */
export async function takeFromStock(db: Queryable, id: string, count: number): Promise<GaEvent | undefined> {
  const { rows } = await db.query<GaEventRow>(
    `UPDATE ga_events SET availability = availability - $2, revision = revision + 1, updated_at = now()
     WHERE id = $1 AND NOT deleted AND availability >= $2 RETURNING *`,
    [id, count],
  );
  return rows[0] && toGaEvent(rows[0]);
}

export async function returnToStock(db: Queryable, id: string, count: number): Promise<GaEvent> {
  const { rows } = await db.query<GaEventRow>(
    `UPDATE ga_events SET availability = availability + $2, revision = revision + 1, updated_at = now()
     WHERE id = $1 RETURNING *`,
    [id, count],
  );
  return toGaEvent(rows[0]!);
}

export async function markGaEventDeleted(db: Queryable, id: string, returned: number): Promise<GaEvent> {
  const { rows } = await db.query<GaEventRow>(
    `UPDATE ga_events SET deleted = true, availability = availability + $2, revision = revision + 1, updated_at = now()
     WHERE id = $1 RETURNING *`,
    [id, returned],
  );
  return toGaEvent(rows[0]!);
}

export async function insertReservation(
  db: Queryable,
  r: { gaEventId: string; userId: number; noOfTickets: number },
): Promise<Reservation> {
  const { rows } = await db.query<ReservationRow>(
    'INSERT INTO reservations (ga_event_id, user_id, no_of_tickets) VALUES ($1, $2, $3) RETURNING *',
    [r.gaEventId, r.userId, r.noOfTickets],
  );
  return toReservation(rows[0]!);
}

/**
 * The caller's live reservations of one event, counted under a transaction-scoped advisory lock on (user, event):
 * concurrent reservations by one user then count one after the other and cannot race past the cap together.
 */
export async function liveReservationsOfUserLocked(db: Queryable, userId: number, gaEventId: string): Promise<number> {
  await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`reservation-cap:${userId}:${gaEventId}`]);
  const { rows } = await db.query<{ live: number }>(
    'SELECT count(*)::int AS live FROM reservations WHERE user_id = $1 AND ga_event_id = $2 AND NOT cancelled',
    [userId, gaEventId],
  );
  return rows[0]!.live;
}

/** The caller's reservation, locked when asked: changes to one reservation then run one after the other. */
export async function findReservation(
  db: Queryable,
  id: string,
  userId: number,
  options: { forUpdate?: boolean } = {},
): Promise<Reservation | undefined> {
  const { rows } = await db.query<ReservationRow>(
    `SELECT * FROM reservations WHERE id = $1 AND user_id = $2 ${options.forUpdate ? 'FOR UPDATE' : ''}`,
    [id, userId],
  );
  return rows[0] && toReservation(rows[0]);
}

export async function listReservations(db: Queryable, userId: number): Promise<Reservation[]> {
  const { rows } = await db.query<ReservationRow>(
    'SELECT * FROM reservations WHERE user_id = $1 ORDER BY created_at DESC, id',
    [userId],
  );
  return rows.map(toReservation);
}

export async function setReservationTickets(db: Queryable, id: string, noOfTickets: number): Promise<Reservation> {
  const { rows } = await db.query<ReservationRow>(
    `UPDATE reservations SET no_of_tickets = $2, revision = revision + 1, updated_at = now() WHERE id = $1 RETURNING *`,
    [id, noOfTickets],
  );
  return toReservation(rows[0]!);
}

export async function cancelReservationRow(db: Queryable, id: string): Promise<Reservation> {
  const { rows } = await db.query<ReservationRow>(
    `UPDATE reservations SET cancelled = true, revision = revision + 1, updated_at = now() WHERE id = $1 RETURNING *`,
    [id],
  );
  return toReservation(rows[0]!);
}

/** Cancels every live reservation of a GA event (it is being deleted); returns them. */
export async function cancelGaEventReservations(db: Queryable, gaEventId: string): Promise<Reservation[]> {
  const { rows } = await db.query<ReservationRow>(
    `UPDATE reservations SET cancelled = true, revision = revision + 1, updated_at = now()
     WHERE ga_event_id = $1 AND NOT cancelled RETURNING *`,
    [gaEventId],
  );
  return rows.map(toReservation);
}
