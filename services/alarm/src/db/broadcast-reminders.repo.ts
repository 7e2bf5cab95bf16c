import type { Queryable } from '@boxoffice/db';
import type { DueReminder } from '../domain/notification';

/**
 * Reminders due now: an active alarm on a live item with a slot starting within `leadSeconds` (or on air and not
 * ended: a reminder missed while every instance was down is sent late rather than never) for which this user has
 * not been notified yet. Slots come from the items replica (item.changed carries each item's open slots), so a
 * slot or an alarm removed before its reminder simply stops matching: that is the cancellation.
 */
export async function dueReminders(db: Queryable, leadSeconds: number, limit: number): Promise<DueReminder[]> {
  const { rows } = await db.query<DueReminder>(
    `SELECT a.user_id AS "userId", i.id AS "itemId", i.name AS "itemName",
            b.id AS "slotId", b.channel, b."startsAt"
     FROM items_replica i
     CROSS JOIN LATERAL jsonb_to_recordset(coalesce(i.broadcasts, '[]'::jsonb))
       AS b(id integer, channel text, "startsAt" timestamptz, "endsAt" timestamptz)
     JOIN alarms a ON a.item_id = i.id AND a.active
     WHERE NOT i.deleted
       AND b."startsAt" <= now() + make_interval(secs => $1) AND b."endsAt" > now()
       AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.trigger = 'broadcast:' || b.id || ':' || a.user_id)
     ORDER BY b."startsAt" LIMIT $2`,
    [leadSeconds, limit],
  );
  return rows;
}
