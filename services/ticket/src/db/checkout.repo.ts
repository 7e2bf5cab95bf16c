import type { Queryable } from '@boxoffice/db';

export interface BuyerConcert {
  userId: number;
  concertId: number;
}

/**
 * Of the given (buyer, concert) pairs, those where the buyer is done with checkout: no live hold left (HELD
 * before its deadline) and at least one seat bought, with the newest sale's time. Called in the transaction that
 * ended holds, so the holds it ended already count as ended. One statement for any number of pairs (the sweeper
 * ends hundreds of holds at once).
 */
export async function finishedPurchasesOf(
  db: Queryable,
  pairs: BuyerConcert[],
): Promise<(BuyerConcert & { lastSoldAt: Date })[]> {
  if (pairs.length === 0) return [];
  const { rows } = await db.query<{ user_id: number; concert_id: number; last_sold_at: Date }>(
    `SELECT p.user_id, p.concert_id, max(t.sold_at) AS last_sold_at
     FROM unnest($1::int[], $2::int[]) AS p(user_id, concert_id)
     JOIN showtimes sh ON sh.concert_id = p.concert_id
     JOIN tickets t ON t.showtime_id = sh.id AND t.user_id = p.user_id
     GROUP BY p.user_id, p.concert_id
     HAVING count(*) FILTER (WHERE t.status = 'HELD' AND t.held_until > now()) = 0
        AND count(*) FILTER (WHERE t.status = 'SOLD') > 0`,
    [pairs.map((pair) => pair.userId), pairs.map((pair) => pair.concertId)],
  );
  return rows.map((row) => ({ userId: row.user_id, concertId: row.concert_id, lastSoldAt: row.last_sold_at }));
}
