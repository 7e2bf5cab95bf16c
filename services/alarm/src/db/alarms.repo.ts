import type { Queryable } from '@boxoffice/db';

export interface AlarmRow {
  userId: number;
  itemId: number;
  active: boolean;
  revision: number;
}

const COLUMNS = 'user_id AS "userId", item_id AS "itemId", active, revision';

/** Sets the alarm; returns the row only when something changed (new, or re-set after a clear). */
export async function activateAlarm(db: Queryable, userId: number, itemId: number): Promise<AlarmRow | undefined> {
  const { rows } = await db.query<AlarmRow>(
    `INSERT INTO alarms (user_id, item_id) VALUES ($1, $2)
     ON CONFLICT (user_id, item_id) DO UPDATE SET active = true, revision = alarms.revision + 1, updated_at = now()
     WHERE NOT alarms.active
     RETURNING ${COLUMNS}`,
    [userId, itemId],
  );
  return rows[0];
}

/** Clears the alarm; returns the row only when it was set. */
export async function deactivateAlarm(db: Queryable, userId: number, itemId: number): Promise<AlarmRow | undefined> {
  const { rows } = await db.query<AlarmRow>(
    `UPDATE alarms SET active = false, revision = revision + 1, updated_at = now()
     WHERE user_id = $1 AND item_id = $2 AND active RETURNING ${COLUMNS}`,
    [userId, itemId],
  );
  return rows[0];
}

/** The user's alarmed item ids, item id descending. */
export async function activeItemIds(db: Queryable, userId: number): Promise<number[]> {
  const { rows } = await db.query<{ item_id: number }>(
    'SELECT item_id FROM alarms WHERE user_id = $1 AND active ORDER BY item_id DESC',
    [userId],
  );
  return rows.map((row) => row.item_id);
}

export async function isActive(db: Queryable, userId: number, itemId: number): Promise<boolean> {
  const { rowCount } = await db.query('SELECT 1 FROM alarms WHERE user_id = $1 AND item_id = $2 AND active', [
    userId,
    itemId,
  ]);
  return (rowCount ?? 0) > 0;
}
