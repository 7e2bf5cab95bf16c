import type { Queryable } from '@boxoffice/db';

/**
 * The caller's live holds in one showtime, counted under a transaction-scoped advisory lock on (user, showtime):
 * two concurrent holds by one user then count one after the other, so the cap cannot be raced past. Other users
 * never wait on it.
 */
export async function liveHoldsOfUserLocked(tx: Queryable, userId: number, showtimeId: number): Promise<number> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`hold-cap:${userId}:${showtimeId}`]);
  const { rows } = await tx.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM tickets
     WHERE user_id = $1 AND showtime_id = $2 AND status = 'HELD' AND held_until > now()`,
    [userId, showtimeId],
  );
  return rows[0]!.n;
}
