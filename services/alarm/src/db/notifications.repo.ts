import { randomUUID } from 'node:crypto';
import type { Queryable } from '@boxoffice/db';
import type { Draft, Notification } from '../domain/notification';

const COLUMNS = `id, user_id AS "userId", channel, subject, message, status, trigger, revision, created_at AS "createdAt"`;

/** Stores a sent notification; undefined when an event trigger already notified (the step was seen before). */
export async function insertNotification(db: Queryable, draft: Draft): Promise<Notification | undefined> {
  const { rows } = await db.query<Notification>(
    `INSERT INTO notifications (id, user_id, channel, subject, message, status, trigger)
     VALUES ($1, $2, $3, $4, $5, 'sent', $6)
     ON CONFLICT (trigger) WHERE trigger <> 'api' DO NOTHING
     RETURNING ${COLUMNS}`,
    [randomUUID(), draft.userId, draft.channel, draft.subject, draft.message, draft.trigger],
  );
  return rows[0];
}

/** One user's notifications, newest first, with how many there are in all. */
export async function listForUser(
  db: Queryable,
  userId: number,
  page: { offset: number; limit: number },
): Promise<{ total: number; notifications: Notification[] }> {
  const [list, count] = await Promise.all([
    db.query<Notification>(
      `SELECT ${COLUMNS} FROM notifications WHERE user_id = $1 ORDER BY created_at DESC, seq DESC OFFSET $2 LIMIT $3`,
      [userId, page.offset, page.limit],
    ),
    db.query<{ total: number }>('SELECT count(*)::int AS total FROM notifications WHERE user_id = $1', [userId]),
  ]);
  return { total: count.rows[0]!.total, notifications: list.rows };
}
