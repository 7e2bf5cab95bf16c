import type { Queryable } from '@boxoffice/db';
import type { Concert, Seat, SeatStatus, Showtime, Ticket, TicketStatus } from '../domain/seating';

export interface TicketRow {
  id: string;
  user_id: number;
  showtime_id: number;
  seat_id: number;
  seat_no: string;
  price: number;
  status: TicketStatus;
  held_until: Date;
  reserved_at: Date;
  payment_id: string | null;
  revision: number;
  concert_name: string;
  concert_id: number;
  venue: string;
}

interface SeatRow {
  id: number;
  showtime_id: number;
  seat_no: string;
  price: number;
  status: SeatStatus;
  ticket_id: string | null;
  revision: number;
}

export const toTicket = (row: TicketRow): Ticket => ({
  id: row.id,
  userId: row.user_id,
  showtimeId: row.showtime_id,
  seatId: row.seat_id,
  seatNo: row.seat_no,
  price: row.price,
  status: row.status,
  heldUntil: row.held_until,
  reservedAt: row.reserved_at,
  paymentId: row.payment_id,
  revision: row.revision,
  concertName: row.concert_name,
  concertId: row.concert_id,
  venue: row.venue,
});

const toSeat = (row: SeatRow): Seat => ({
  id: row.id,
  showtimeId: row.showtime_id,
  seatNo: row.seat_no,
  price: row.price,
  status: row.status,
  ticketId: row.ticket_id,
  revision: row.revision,
});

const TICKET_WITH_CONTEXT = `
  SELECT t.*, c.name AS concert_name, sh.concert_id, sh.venue
  FROM tickets t JOIN showtimes sh ON sh.id = t.showtime_id JOIN concerts c ON c.id = sh.concert_id`;

// ---- catalogue ---------------------------------------------------------------------------------------------

export async function insertConcert(db: Queryable, concert: { name: string; performer: string }): Promise<Concert> {
  const { rows } = await db.query<Concert>(
    'INSERT INTO concerts (name, performer) VALUES ($1, $2) RETURNING id, name, performer, revision',
    [concert.name, concert.performer],
  );
  return rows[0]!;
}

export async function listConcerts(db: Queryable): Promise<Concert[]> {
  const { rows } = await db.query<Concert>('SELECT id, name, performer, revision FROM concerts ORDER BY id');
  return rows;
}

export async function findConcert(db: Queryable, id: number): Promise<Concert | undefined> {
  const { rows } = await db.query<Concert>('SELECT id, name, performer, revision FROM concerts WHERE id = $1', [id]);
  return rows[0];
}

export async function countConcerts(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ count: number }>('SELECT count(*)::int AS count FROM concerts');
  return rows[0]!.count;
}

const SHOWTIME_COLUMNS = `id, concert_id AS "concertId", starts_at AS "startsAt", venue, sales_open_at AS "salesOpenAt",
  revision, cancelled_at AS "cancelledAt"`;

export async function insertShowtime(
  db: Queryable,
  showtime: { concertId: number; startsAt: string; venue: string; salesOpenAt: string | null },
): Promise<Showtime> {
  const { rows } = await db.query<Showtime>(
    `INSERT INTO showtimes (concert_id, starts_at, venue, sales_open_at) VALUES ($1, $2, $3, $4)
     RETURNING ${SHOWTIME_COLUMNS}`,
    [showtime.concertId, showtime.startsAt, showtime.venue, showtime.salesOpenAt],
  );
  return rows[0]!;
}

export async function findShowtime(db: Queryable, id: number): Promise<Showtime | undefined> {
  const { rows } = await db.query<Showtime>(`SELECT ${SHOWTIME_COLUMNS} FROM showtimes WHERE id = $1`, [id]);
  return rows[0];
}

/** A concert's bookable showtimes: those not started yet (a started one is off the list, not marked past). */
export async function listShowtimesWithAvailability(
  db: Queryable,
  concertId: number,
): Promise<(Showtime & { availableSeats: number })[]> {
  const { rows } = await db.query<Showtime & { availableSeats: number }>(
    `SELECT sh.id, sh.concert_id AS "concertId", sh.starts_at AS "startsAt", sh.venue,
            sh.sales_open_at AS "salesOpenAt", sh.revision,
            (SELECT count(*)::int FROM seats s WHERE s.showtime_id = sh.id AND s.status = 'AVAILABLE') AS "availableSeats"
     FROM showtimes sh WHERE sh.concert_id = $1 AND sh.starts_at > now() AND sh.cancelled_at IS NULL
     ORDER BY sh.starts_at, sh.id`,
    [concertId],
  );
  return rows;
}

export async function insertSeats(
  db: Queryable,
  showtimeId: number,
  seats: { seatNo: string; price: number }[],
): Promise<Seat[]> {
  const { rows } = await db.query<SeatRow>(
    `INSERT INTO seats (showtime_id, seat_no, price)
     SELECT $1, seat_no, price FROM unnest($2::text[], $3::int[]) AS s(seat_no, price)
     RETURNING *`,
    [showtimeId, seats.map((s) => s.seatNo), seats.map((s) => s.price)],
  );
  return rows.map(toSeat);
}

export async function listSeats(db: Queryable, showtimeId: number): Promise<Seat[]> {
  const { rows } = await db.query<SeatRow>('SELECT * FROM seats WHERE showtime_id = $1 ORDER BY id', [showtimeId]);
  return rows.map(toSeat);
}

// ---- holds -------------------------------------------------------------------------------------------------

/**
 * The hold itself: one conditional UPDATE of the seat (it succeeds only while the seat is AVAILABLE, so of any
 * number of concurrent callers exactly one wins) and the ticket row, in one statement. undefined: not taken.
 * The showtime's key-share lock (the one the ticket's foreign key takes anyway) makes an admin's cancel of the
 * showtime wait for holds under way, and a hold that waited on the cancel re-reads it and takes nothing.
 */
export async function holdSeatRow(
  db: Queryable,
  hold: { ticketId: string; userId: number; showtimeId: number; seatId: number; ttlSeconds: number },
): Promise<{ ticket: Ticket; seat: Seat } | undefined> {
  const { rows } = await db.query<TicketRow & { seat_revision: number }>(
    `WITH showtime AS (
       SELECT id FROM showtimes WHERE id = $3 AND cancelled_at IS NULL FOR KEY SHARE
     ), seat AS (
       UPDATE seats SET status = 'HELD', ticket_id = $1, revision = revision + 1
       WHERE id = $4 AND showtime_id = (SELECT id FROM showtime) AND status = 'AVAILABLE'
       RETURNING id, showtime_id, seat_no, price, revision
     ), ticket AS (
       INSERT INTO tickets (id, user_id, showtime_id, seat_id, seat_no, price, status, held_until)
       SELECT $1, $2, showtime_id, id, seat_no, price, 'HELD', now() + make_interval(secs => $5) FROM seat
       RETURNING *
     )
     SELECT ticket.*, seat.revision AS seat_revision, c.name AS concert_name, sh.concert_id, sh.venue
     FROM ticket JOIN seat ON true JOIN showtimes sh ON sh.id = ticket.showtime_id JOIN concerts c ON c.id = sh.concert_id`,
    [hold.ticketId, hold.userId, hold.showtimeId, hold.seatId, hold.ttlSeconds],
  );
  const row = rows[0];
  if (!row) return undefined;
  const ticket = toTicket(row);
  return {
    ticket,
    seat: {
      id: ticket.seatId,
      showtimeId: ticket.showtimeId,
      seatNo: ticket.seatNo,
      price: ticket.price,
      status: 'HELD',
      ticketId: ticket.id,
      revision: row.seat_revision,
    },
  };
}

/** Who occupies a seat now, for an answer after a refused hold (and to re-seed the Redis lock). */
export async function seatOccupancy(
  db: Queryable,
  showtimeId: number,
  seatId: number,
): Promise<{ status: SeatStatus; ticketId: string | null; heldUntil: Date | null } | undefined> {
  const { rows } = await db.query<{ status: SeatStatus; ticket_id: string | null; held_until: Date | null }>(
    `SELECT s.status, s.ticket_id, t.held_until FROM seats s LEFT JOIN tickets t ON t.id = s.ticket_id
     WHERE s.id = $1 AND s.showtime_id = $2`,
    [seatId, showtimeId],
  );
  const row = rows[0];
  return row && { status: row.status, ticketId: row.ticket_id, heldUntil: row.held_until };
}

export async function findTicket(db: Queryable, id: string): Promise<Ticket | undefined> {
  const { rows } = await db.query<TicketRow>(`${TICKET_WITH_CONTEXT} WHERE t.id = $1`, [id]);
  return rows[0] && toTicket(rows[0]);
}

export async function listUserTickets(db: Queryable, userId: number): Promise<Ticket[]> {
  const { rows } = await db.query<TicketRow>(
    `${TICKET_WITH_CONTEXT} WHERE t.user_id = $1 ORDER BY t.reserved_at DESC, t.id`,
    [userId],
  );
  return rows.map(toTicket);
}

/**
 * Sells a held ticket, atomically against the sweeper: the hold must still be HELD, within its deadline and the
 * payer's. If the sweeper expired it first (or holds the row), this matches nothing.
 */
export async function sellTicketRow(
  db: Queryable,
  id: string,
  userId: number,
  paymentId: string,
): Promise<Ticket | undefined> {
  const { rows } = await db.query<TicketRow>(
    `WITH sold AS (
       UPDATE tickets SET status = 'SOLD', payment_id = $3, sold_at = now(), revision = revision + 1, updated_at = now()
       WHERE id = $1 AND status = 'HELD' AND held_until > now() AND user_id = $2
       RETURNING *
     )
     SELECT sold.*, c.name AS concert_name, sh.concert_id, sh.venue
     FROM sold JOIN showtimes sh ON sh.id = sold.showtime_id JOIN concerts c ON c.id = sh.concert_id`,
    [id, userId, paymentId],
  );
  return rows[0] && toTicket(rows[0]);
}

export async function markSeatSold(db: Queryable, seatId: number, ticketId: string): Promise<Seat> {
  const { rows } = await db.query<SeatRow>(
    `UPDATE seats SET status = 'SOLD', revision = revision + 1 WHERE id = $1 AND ticket_id = $2 RETURNING *`,
    [seatId, ticketId],
  );
  return toSeat(rows[0]!);
}

/**
 * Expires due holds. FOR UPDATE SKIP LOCKED lets several sweepers (one per instance) share the work with each
 * hold expired exactly once; a hold being sold right now is skipped, and the sale's own check then decides.
 */
export async function expireDueHolds(db: Queryable, limit: number): Promise<Ticket[]> {
  const { rows } = await db.query<TicketRow>(
    `WITH due AS (
       SELECT id FROM tickets WHERE status = 'HELD' AND held_until <= now()
       ORDER BY held_until LIMIT $1 FOR UPDATE SKIP LOCKED
     ), expired AS (
       UPDATE tickets t SET status = 'EXPIRED', revision = t.revision + 1, updated_at = now()
       FROM due WHERE t.id = due.id RETURNING t.*
     )
     SELECT expired.*, c.name AS concert_name, sh.concert_id, sh.venue
     FROM expired JOIN showtimes sh ON sh.id = expired.showtime_id JOIN concerts c ON c.id = sh.concert_id`,
    [limit],
  );
  return rows.map(toTicket);
}

/** How long the most overdue hold has been past its deadline (0 when none is): the sweeper's backlog, in seconds. */
export async function oldestOverdueHoldSeconds(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ seconds: number }>(
    `SELECT coalesce(extract(epoch FROM now() - min(held_until)), 0)::float8 AS seconds
     FROM tickets WHERE status = 'HELD' AND held_until <= now()`,
  );
  return rows[0]!.seconds;
}

/**
 * The holder gives a hold back: HELD → RELEASED, only while it is still HELD and theirs (the sweeper and a sale
 * take the same row lock, so exactly one of the three wins). held_until becomes the moment of release, so anyone
 * reading the ticket sees a hold that has ended. undefined: nothing released.
 */
export async function releaseTicketRow(db: Queryable, id: string, userId: number): Promise<Ticket | undefined> {
  const { rows } = await db.query<TicketRow>(
    `WITH released AS (
       UPDATE tickets SET status = 'RELEASED', held_until = least(held_until, now()), revision = revision + 1,
                          updated_at = now()
       WHERE id = $1 AND user_id = $2 AND status = 'HELD'
       RETURNING *
     )
     SELECT released.*, c.name AS concert_name, sh.concert_id, sh.venue
     FROM released JOIN showtimes sh ON sh.id = released.showtime_id JOIN concerts c ON c.id = sh.concert_id`,
    [id, userId],
  );
  return rows[0] && toTicket(rows[0]);
}

export async function freeSeatsOf(db: Queryable, ticketIds: string[]): Promise<Seat[]> {
  const { rows } = await db.query<SeatRow>(
    `UPDATE seats SET status = 'AVAILABLE', ticket_id = NULL, revision = revision + 1
     WHERE ticket_id = ANY($1::uuid[]) AND status = 'HELD' RETURNING *`,
    [ticketIds],
  );
  return rows.map(toSeat);
}
