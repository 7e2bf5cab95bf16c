import { createHash, randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import {
  NotificationChanged,
  OrderChanged,
  PaymentCompleted,
  TOPICS,
  UserChanged,
  type EventContract,
  type OrderChangedPayload,
  type PaymentCompletedPayload,
} from '@boxoffice/contracts';
import { createEventBus, ensureTopics } from '@boxoffice/events';
import type { App } from '@boxoffice/http';
import { EventRecorder, dropDatabase, testEnv, waitFor } from '@boxoffice/testing';
import { buildApp } from '../../src/app';
import { readConfig } from '../../src/config';

export interface TestUser {
  id: number;
  role: 'user' | 'admin';
  token: string;
}

export const INTERNAL_TOKEN = 'alarm-test-internal-token';
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

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
  private producer: Producer | undefined;
  private nextUserId = Math.floor(Math.random() * 1_000_000) + 1_000;

  async start(): Promise<this> {
    // topics first, from one client: creating them while the app's consumers create them too can race in Kafka
    await this.connectProducer();
    await this.recorder.start();
    this.app = await buildApp(readConfig(this.env));
    await this.app.ready();
    [this.admin] = await this.users(1, 'admin');
    return this;
  }

  async stop(): Promise<void> {
    await this.recorder.stop().catch(() => undefined);
    await this.producer?.disconnect().catch(() => undefined);
    await this.app?.close().catch(() => undefined);
    await dropDatabase(this.env.DATABASE_URL!);
  }

  /** Sends events as their owner would: envelopes on the prefixed topic, keyed by aggregate id. */
  async publish<P>(
    contract: EventContract,
    events: { aggregateId: string | number; aggregateVersion: number; payload: P }[],
  ): Promise<void> {
    const producer = await this.connectProducer();
    await producer.send({
      topic: `${this.env.KAFKA_TOPIC_PREFIX}${contract.topic}`,
      acks: -1,
      messages: events.map((event) => ({
        key: String(event.aggregateId),
        value: JSON.stringify({
          id: randomUUID(),
          type: contract.type,
          version: contract.version,
          occurredAt: new Date().toISOString(),
          source: 'test',
          aggregateType: contract.aggregateType,
          aggregateId: String(event.aggregateId),
          aggregateVersion: event.aggregateVersion,
          payload: event.payload,
        }),
      })),
    });
  }

  private async connectProducer(): Promise<Producer> {
    if (!this.producer) {
      const bus = createEventBus({
        brokers: this.env.KAFKA_BROKERS!,
        clientId: 'test-peer',
        topicPrefix: this.env.KAFKA_TOPIC_PREFIX!,
        logger: quiet,
      });
      await ensureTopics(
        bus,
        [TOPICS.users, TOPICS.orders, TOPICS.payments, TOPICS.notifications, TOPICS.items].map((topic) =>
          bus.topic(topic),
        ),
      );
      this.producer = bus.kafka.producer({ allowAutoTopicCreation: false });
      await this.producer.connect();
    }
    return this.producer;
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
    return this.publish(OrderChanged, [{ aggregateId: order.orderId, aggregateVersion: revision, payload }]);
  }

  payment(payment: PaymentCompletedPayload) {
    return this.publish(PaymentCompleted, [{ aggregateId: payment.paymentId, aggregateVersion: 1, payload: payment }]);
  }

  /** Announces users as the user service would and waits until the users replica knows them. */
  async users(count: number, role: 'user' | 'admin' = 'user'): Promise<TestUser[]> {
    const users: TestUser[] = Array.from({ length: count }, () => ({
      id: this.nextUserId++,
      role,
      token: randomUUID(),
    }));
    await this.publish(
      UserChanged,
      users.map((user) => ({
        aggregateId: user.id,
        aggregateVersion: 1,
        payload: {
          id: user.id,
          name: `${role}${user.id}`,
          role,
          accessTokenSha256: createHash('sha256').update(user.token).digest('hex'),
          deleted: false,
        },
      })),
    );
    const ids = users.map((user) => user.id);
    await waitFor(
      'users in the replica',
      async () =>
        (await this.app.pg.query('SELECT 1 FROM users_replica WHERE id = ANY($1)', [ids])).rowCount === ids.length,
      { timeoutMs: 30_000 },
    );
    return users;
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
    return this.recorder.events.filter(
      (event) => event.type === NotificationChanged.type && (event.payload as { userId: number }).userId === userId,
    );
  }
}
