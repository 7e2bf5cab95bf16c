import { randomUUID } from 'node:crypto';
import type { Pool, Transact } from '@boxoffice/db';
import { assertBodyNamesCaller, badRequest } from '@boxoffice/errors';
import { liveHoldsOfUserLocked } from '../db/hold-cap.repo';
import { findShowtime, holdSeatRow, seatOccupancy } from '../db/seating.repo';
import { publishTicketChanged } from '../events/ticket-events';
import {
  assertBookable,
  priceMismatch,
  seatNotFound,
  seatTaken,
  showtimeCancelled,
  type SeatLocks,
  type Showtime,
  type Ticket,
} from './seating';

export interface HoldDeps {
  pool: Pool;
  locks: SeatLocks;
  ttlSeconds: number;
  leaseMs: number;
  /** Most live holds one user may have in one showtime (MAX_HOLDS_PER_USER): a bot cannot sit on a block of seats. */
  maxHoldsPerUser: number;
  /** The showtime being held (its times decide whether it is on sale); undefined: no such showtime. */
  showtimeOf: (showtimeId: number) => Promise<Showtime | undefined>;
}

export interface HoldInput {
  userId: number;
  showtimeId: number;
  seatId: number;
  /** Seed 000's `user_id`: must name the caller. */
  bodyUserId?: number | string;
  /** Seed 000's `price`: must be the seat's price, which is what the hold costs either way. */
  price?: number;
}

const SOLD_LOCK_MS = 24 * 3600 * 1000;

class NotTaken extends Error {}

const holdLimitReached = (max: number, showtimeId: number) =>
  badRequest(
    'HOLD_LIMIT_REACHED',
    `You already hold ${max} seats in this showtime; pay for them or let them go first.`,
    [
      {
        location: 'body',
        param: 'showtime_id',
        value: showtimeId,
        error: 'HoldLimit',
        msg: `At most ${max} live holds per user and showtime.`,
      },
    ],
  );

/**
 * Holds a seat for a user until now + TTL; `transact` runs the write's transaction (the route's Idempotency-Key
 * joins it).
 *
 * In a storm almost every request loses, so losers are answered from an atomic Redis lock without touching
 * PostgreSQL; only a lock winner writes. The hold itself is the PostgreSQL conditional UPDATE: a Redis lock
 * alone never counts, a winner whose UPDATE matches nothing gets 409 like everyone else, and with Redis down or
 * emptied (restart) every request simply goes to PostgreSQL, which still lets exactly one through.
 */
export async function holdSeat(deps: HoldDeps, input: HoldInput, transact: Transact): Promise<Ticket> {
  const { userId, showtimeId, seatId, price } = input;
  assertBodyNamesCaller(userId, input.bodyUserId, 'user_id');
  const showtime = await deps.showtimeOf(showtimeId);
  if (showtime) assertBookable(showtime, new Date()); // no such showtime: the seat lookup below answers 404
  const attempt = randomUUID(); // becomes the ticket id if this attempt wins
  const lock = await deps.locks.tryLock(showtimeId, seatId, attempt, deps.leaseMs).catch(() => 'unavailable' as const);
  if (lock === 'taken') throw seatTaken(seatId);

  try {
    const held = await transact(async (tx) => {
      if ((await liveHoldsOfUserLocked(tx, userId, showtimeId)) >= deps.maxHoldsPerUser) {
        throw holdLimitReached(deps.maxHoldsPerUser, showtimeId);
      }
      const result = await holdSeatRow(tx, {
        ticketId: attempt,
        userId,
        showtimeId,
        seatId,
        ttlSeconds: deps.ttlSeconds,
      });
      if (!result) throw new NotTaken();
      // rolled back: a hold at another price than the client was shown is not what they asked for
      if (price !== undefined && price !== result.ticket.price) throw priceMismatch(price, result.ticket.price);
      await publishTicketChanged(tx, result.ticket);
      return result.ticket;
    });
    if (lock === 'won') await deps.locks.extendTo(showtimeId, seatId, attempt, held.heldUntil).catch(() => undefined);
    return held;
  } catch (error) {
    if (!(error instanceof NotTaken)) {
      if (lock === 'won') await deps.locks.release(showtimeId, seatId, attempt).catch(() => undefined);
      throw error;
    }
    const occupancy = await seatOccupancy(deps.pool, showtimeId, seatId);
    if (lock === 'won') {
      // PostgreSQL knows an occupant Redis did not (lock lost or expired early): teach Redis, so the next
      // losers are answered there again.
      if (occupancy?.ticketId) {
        const until = occupancy.status === 'SOLD' ? new Date(Date.now() + SOLD_LOCK_MS) : occupancy.heldUntil!;
        await deps.locks.mirror(showtimeId, seatId, attempt, occupancy.ticketId, until).catch(() => undefined);
      } else {
        await deps.locks.release(showtimeId, seatId, attempt).catch(() => undefined);
      }
    }
    if (!occupancy) throw seatNotFound(showtimeId, seatId);
    if (occupancy.status === 'AVAILABLE' && (await findShowtime(deps.pool, showtimeId))?.cancelledAt)
      throw showtimeCancelled(showtimeId);
    throw seatTaken(seatId);
  }
}
