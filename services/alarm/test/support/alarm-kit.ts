import {
  ItemChanged,
  OrderChanged,
  PaymentCompleted,
  TOPICS,
  type ItemChangedPayload,
  type OrderChangedPayload,
  type PaymentCompletedPayload,
} from '@boxoffice/contracts';
import { NEVER_ASKED, ServiceKit, waitFor, type AnnouncedUser } from '@boxoffice/testing';
import { buildApp } from '../../src/app';
import { readConfig } from '../../src/config';

/** The users these tests act as, announced as the user service would. */
export type TestUser = AnnouncedUser;

export const INTERNAL_TOKEN = 'alarm-test-internal-token';

/** The alarm service under test; its peers play orders and payments as the payment service publishes them. */
export class AlarmKit extends ServiceKit {
  constructor(env: Record<string, string> = {}) {
    super('alarm', (env) => buildApp(readConfig(env)), {
      env: { INTERNAL_API_TOKEN: INTERNAL_TOKEN, ITEM_SERVICE_URL: NEVER_ASKED, ...env },
      peerTopics: [TOPICS.orders, TOPICS.payments, TOPICS.items],
    });
  }

  /** An order.changed as the payment service publishes it (one revision per status). */
  order(
    order: Pick<OrderChangedPayload, 'orderId' | 'userId' | 'status'> & Partial<OrderChangedPayload>,
    revision: number,
  ) {
    const payload: OrderChangedPayload = {
      items: [{ productId: 1, quantity: 2 }],
      amount: 3_000,
      paymentMethod: null,
      reason: null,
      ...order,
    };
    return this.peers.publish(OrderChanged, [{ aggregateId: order.orderId, aggregateVersion: revision, payload }]);
  }

  /** An item.changed as the item service publishes it. */
  item(item: Pick<ItemChangedPayload, 'id'> & Partial<ItemChangedPayload>, revision: number) {
    const payload: ItemChangedPayload = {
      name: `item ${item.id}`,
      broadcaster: 'cjmall',
      category: 'test',
      price: 1_000,
      stock: 10,
      deleted: false,
      code: null,
      broadcasts: [],
      ...item,
    };
    return this.peers.publish(ItemChanged, [{ aggregateId: item.id, aggregateVersion: revision, payload }]);
  }

  payment(payment: PaymentCompletedPayload) {
    return this.peers.publish(PaymentCompleted, [
      { aggregateId: payment.paymentId, aggregateVersion: 1, payload: payment },
    ]);
  }

  send(body: unknown, headers: Record<string, string>) {
    return this.app.inject({ method: 'POST', url: '/api/notification/send', headers, payload: body as object });
  }

  /** Waits until the notifications consumer has taken at least `count` events of `eventType` (its inbox rows). */
  async consumed(eventType: string, count: number): Promise<void> {
    await waitFor(`${count} ${eventType} consumed`, async () => {
      const { rowCount } = await this.app.pg.query(
        "SELECT 1 FROM inbox WHERE consumer = 'alarm.notifications' AND event_type = $1",
        [eventType],
      );
      return rowCount! >= count;
    });
  }

  async inbox(user: TestUser, query = '') {
    const response = await this.app.inject({
      method: 'GET',
      url: `/api/notifications${query}`,
      headers: { 'user-token': user.token },
    });
    expect(response.statusCode).toBe(200);
    return response.json() as {
      count: number;
      payload: {
        id: string;
        userId: number;
        notificationType: string;
        subject: string;
        message: string;
        status: string;
        createdAt: string;
      }[];
    };
  }

  /** What raised each notification stored for a user ('api', or the event step), oldest first. */
  async triggersOf(userId: number): Promise<string[]> {
    const { rows } = await this.app.pg.query<{ trigger: string }>(
      'SELECT trigger FROM notifications WHERE user_id = $1 ORDER BY seq',
      [userId],
    );
    return rows.map((row) => row.trigger);
  }
}
