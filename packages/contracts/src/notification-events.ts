import { Type, type Static } from '@sinclair/typebox';
import { defineEvent } from './envelope';
import { TOPICS } from './topics';

export const NotificationChannel = Type.Union([Type.Literal('email'), Type.Literal('sms')]);
export type NotificationChannel = Static<typeof NotificationChannel>;

export const NotificationStatus = Type.Union([Type.Literal('sent')]);
export type NotificationStatus = Static<typeof NotificationStatus>;

/**
 * The state of one notification after a change (SPEC §3), published by the alarm service; aggregate id = the
 * notification id, `aggregateVersion` its revision. Delivery is simulated, so today every notification is `sent`
 * when first published; a later status would be a new revision. `trigger` says what raised it: `api` (POST
 * /api/notification/send) or the event, e.g. `order.changed:<orderId>:paid`, `payment.completed:<paymentId>`.
 */
export const NotificationChangedPayload = Type.Object({
  notificationId: Type.String({ format: 'uuid' }),
  userId: Type.Integer(),
  notificationType: NotificationChannel,
  subject: Type.String(),
  message: Type.String(),
  status: NotificationStatus,
  trigger: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
});
export type NotificationChangedPayload = Static<typeof NotificationChangedPayload>;

export const NotificationChanged = defineEvent({
  type: 'notification.changed',
  version: 1,
  topic: TOPICS.notifications,
  aggregateType: 'notification',
  payload: NotificationChangedPayload,
});
