import type { Queryable } from '@boxoffice/db';

/** Newest views looked at to build the recent list: a longer run of one item than this shows it alone. */
const VIEW_WINDOW = 1_000;

export async function insertView(
  db: Queryable,
  view: { eventId: string; userId: number; itemId: number; viewedAt: string },
): Promise<boolean> {
  const { rowCount } = await db.query(
    'INSERT INTO item_views (event_id, user_id, item_id, viewed_at) VALUES ($1, $2, $3, $4) ON CONFLICT (event_id) DO NOTHING',
    [view.eventId, view.userId, view.itemId, view.viewedAt],
  );
  return (rowCount ?? 0) > 0;
}

/** The user's latest viewed item ids, oldest first (ties in time keep arrival order). */
export async function latestViewedItemIds(db: Queryable, userId: number): Promise<number[]> {
  const { rows } = await db.query<{ item_id: number }>(
    `SELECT item_id FROM (
       SELECT item_id, viewed_at, id FROM item_views WHERE user_id = $1 ORDER BY viewed_at DESC, id DESC LIMIT $2
     ) latest ORDER BY viewed_at, id`,
    [userId, VIEW_WINDOW],
  );
  return rows.map((row) => row.item_id);
}
