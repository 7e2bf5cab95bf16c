import {
  NotificationChanged,
  OrderChanged,
  PaymentCompleted,
  TOPICS,
  type OrderChangedPayload,
  type PaymentCompletedPayload,
} from '@boxoffice/contracts';
import type { App } from '@boxoffice/http';
import { EventRecorder, PeerPublisher, dropDatabase, testEnv } from '@boxoffice/testing';
import { buildApp } from '../../src/app';
import { readConfig } from '../../src/config';

export interface TestUser {
  id: number;
  role: 'user' | 'admin';
  token: string;
}

export const INTERNAL_TOKEN = 'alarm-test-internal-token';

/**
 * The alarm service in-process on real PostgreSQL, Redis and Kafka under this file's own topic prefix. Peers are
 * played the way they publish: real events on Kafka (users as the user service announces them, orders and
 * payments as the payment service does); what the alarm service publishes is read back by a recorder.
 */
export class AlarmKit {
  readonly env = testEnv('alarm', {
    INTERNAL_API_TOKEN: INTERNAL_TOKEN,
    USER_SERVICE_URL: 'http://127.0.0.1:9', // never asked: the tests wait for the users replica
    ITEM_SERVICE_URL: 'http://127.0.0.1:9',
  });
  readonly recorder = new EventRecorder(this.env.KAFKA_TOPIC_PREFIX!, [TOPICS.notifications]);
  app!: App;
  admin!: TestUser;
  private readonly peers = new PeerPublisher({
    brokers: this.env.KAFKA_BROKERS!,
    topicPrefix: this.env.KAFKA_TOPIC_PREFIX!,
    topics: [TOPICS.users, TOPICS.orders, TOPICS.payments, TOPICS.notifications, TOPICS.items],
  });

  async start(): Promise<this> {
    // topics first, from one client: creating them while the app's consumers create them too can race in Kafka
    await this.peers.connect();
    await this.recorder.start();
    this.app = await buildApp(readConfig(this.env));
    await this.app.ready();
    [this.admin] = await this.users(1, 'admin');
    return this;
  }

  async stop(): Promise<void> {
    await this.recorder.stop().catch(() => undefined);
    await this.peers.stop().catch(() => undefined);
    await this.app?.close().catch(() => undefined);
    await dropDatabase(this.env.DATABASE_URL!);
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

  payment(payment: PaymentCompletedPayload) {
    return this.peers.publish(PaymentCompleted, [
      { aggregateId: payment.paymentId, aggregateVersion: 1, payload: payment },
    ]);
  }

  /** Announces users as the user service would and waits until the users replica knows them. */
  users(count: number, role: 'user' | 'admin' = 'user'): Promise<TestUser[]> {
    return this.peers.announceUsers(count, { role, replicas: [this.app.pg] });
  }

  send(body: unknown, headers: Record<string, string>) {
    return this.app.inject({ method: 'POST', url: '/api/notification/send', headers, payload: body as object });
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

  /** The notification.changed events published for a user, in order. */
  notificationEvents(userId: number) {
    return this.recorder.of(NotificationChanged).filter((event) => event.payload.userId === userId);
  }
}
