import { NotificationChanged } from '@boxoffice/contracts';
import type { Queryable } from '@boxoffice/db';
import { appendEvent } from '@boxoffice/events';
import type { Notification } from '../domain/notification';

/** Every notification, as its new state; call it in the transaction that stored it. */
export function publishNotificationChanged(db: Queryable, notification: Notification) {
  return appendEvent(db, 'alarm', NotificationChanged, {
    aggregateId: notification.id,
    aggregateVersion: notification.revision,
    payload: {
      notificationId: notification.id,
      userId: notification.userId,
      notificationType: notification.channel,
      subject: notification.subject,
      message: notification.message,
      status: notification.status,
      trigger: notification.trigger,
      createdAt: notification.createdAt.toISOString(),
    },
  });
}
