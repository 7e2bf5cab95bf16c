import {
  OrderChanged,
  PaymentCompleted,
  type OrderChangedPayload,
  type PaymentCompletedPayload,
} from '@boxoffice/contracts';
import type { App } from '@boxoffice/http';
import type { Courier } from '../domain/notification';
import { notifyOrderStep, notifyPaymentCompleted } from '../domain/notifications.use-case';

/** Payment and order events → notifications for their user (SPEC §3). */
export function consumePaymentsAndOrders(app: App, courier: Courier) {
  return app.events.consume({
    groupId: 'alarm.notifications',
    topics: [OrderChanged.topic, PaymentCompleted.topic],
    handlers: {
      [OrderChanged.type]: async (event, db) => notifyOrderStep(db, courier, event.payload as OrderChangedPayload),
      [PaymentCompleted.type]: async (event, db) =>
        notifyPaymentCompleted(db, courier, event.payload as PaymentCompletedPayload),
    },
  });
}
