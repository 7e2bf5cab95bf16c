import type { OrderChangedPayload, PaymentCompletedPayload } from '@boxoffice/contracts';
import { withTransaction, type Pool, type Queryable } from '@boxoffice/db';
import { forbidden } from '@boxoffice/errors';
import { dueReminders } from '../db/broadcast-reminders.repo';
import { insertNotification, listForUser } from '../db/notifications.repo';
import {
  broadcastReminder,
  orderNotification,
  paymentNotification,
  type Courier,
  type Draft,
  type NotificationChannel,
  type Sender,
} from './notification';

/**
 * Stores and "sends" one notification in the caller's transaction. A step that already notified
 * (same trigger) does nothing: an event redelivered or republished never reaches the user twice.
 */
async function notify(tx: Queryable, courier: Courier, draft: Draft): Promise<boolean> {
  const notification = await insertNotification(tx, draft);
  if (!notification) return false;
  courier.delivered(notification);
  return true;
}

/** POST /api/notification/send: admins and peers may notify anyone; a user may notify only themselves. */
export async function sendNotification(
  pool: Pool,
  courier: Courier,
  sender: Sender,
  input: { userId: number; notificationType: NotificationChannel; subject: string; message: string },
): Promise<void> {
  if (sender.kind === 'user' && sender.role !== 'admin' && sender.id !== input.userId) {
    throw forbidden('Only an admin may notify another user.', [
      {
        location: 'body',
        param: 'userId',
        value: input.userId,
        error: 'Forbidden',
        msg: 'You may only notify yourself.',
      },
    ]);
  }
  await withTransaction(pool, (tx) =>
    notify(tx, courier, {
      userId: input.userId,
      channel: input.notificationType,
      subject: input.subject,
      message: input.message,
      trigger: 'api',
    }),
  );
}

/** The caller's inbox, newest first. */
export function listNotifications(pool: Pool, userId: number, page: { offset: number; limit: number }) {
  return listForUser(pool, userId, page);
}

/** order.changed → the user hears of each step that matters to them (in the consumer's transaction). */
export async function notifyOrderStep(tx: Queryable, courier: Courier, order: OrderChangedPayload): Promise<void> {
  const draft = orderNotification(order);
  if (draft) await notify(tx, courier, draft);
}

/** payment.completed → the payer hears that their ticket is paid. */
export async function notifyPaymentCompleted(
  tx: Queryable,
  courier: Courier,
  payment: PaymentCompletedPayload,
): Promise<void> {
  await notify(tx, courier, paymentNotification(payment));
}

/**
 * One pass of the broadcast reminders (a background job, every BROADCAST_SWEEP_INTERVAL_MS): every due reminder
 * is stored and sent in one transaction. Several instances may pass at once: the notification's unique trigger
 * lets one of them insert it and the others find it taken (they wait for its commit), so a slot reminds a user
 * once; nothing lives in memory, so a restart loses nothing. Returns how many were sent by this pass.
 */
export async function sendBroadcastReminders(
  pool: Pool,
  courier: Courier,
  options: { leadSeconds: number; batchSize?: number },
): Promise<number> {
  return withTransaction(pool, async (tx) => {
    let sent = 0;
    for (const due of await dueReminders(tx, options.leadSeconds, options.batchSize ?? 500))
      if (await notify(tx, courier, broadcastReminder(due))) sent++;
    return sent;
  });
}
