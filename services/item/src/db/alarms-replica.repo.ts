import type { Queryable } from '@boxoffice/db';
import { applyToReplica } from '@boxoffice/events';

export function applyAlarm(
  db: Queryable,
  alarm: { userId: number; itemId: number; active: boolean },
  revision: number,
) {
  return applyToReplica(
    db,
    'alarms_replica',
    ['user_id', 'item_id'],
    { user_id: alarm.userId, item_id: alarm.itemId, active: alarm.active },
    revision,
  );
}

export async function alarmedItemIds(db: Queryable, userId: number): Promise<Set<number>> {
  const { rows } = await db.query<{ item_id: number }>(
    'SELECT item_id FROM alarms_replica WHERE user_id = $1 AND active',
    [userId],
  );
  return new Set(rows.map((row) => row.item_id));
}
