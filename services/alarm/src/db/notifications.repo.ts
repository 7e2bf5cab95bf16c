import { randomUUID } from 'node:crypto';
import { pageOf, type Queryable } from '@boxoffice/db';
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
  const { total, rows } = await pageOf<Notification>(
    db,
    {
      columns: COLUMNS,
      from: 'notifications WHERE user_id = $1',
      orderBy: 'created_at DESC, seq DESC',
      params: [userId],
    },
    page,
  );
  return { total, notifications: rows };
}
