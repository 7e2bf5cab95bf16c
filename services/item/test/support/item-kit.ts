import { createHash, randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import {
  ItemChanged,
  OrderChanged,
  StockLockChanged,
  TOPICS,
  UserChanged,
  type EventContract,
  type OrderChangedPayload,
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

export const INTERNAL_TOKEN = 'item-test-internal-token';
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * The item service in-process on real PostgreSQL, Redis and Kafka under this file's own topic prefix. Peers are
 * played the way they publish: real events on Kafka (users as the user service announces them, orders as the
 * payment service does); what the item service publishes is read back from Kafka by a recorder.
 */
export class ItemKit {
  readonly env = testEnv('item', {
    INTERNAL_API_TOKEN: INTERNAL_TOKEN,
    USER_SERVICE_URL: 'http://127.0.0.1:9', // never asked: the tests wait for the users replica
    ALARM_SERVICE_URL: 'http://127.0.0.1:9',
  });
  readonly recorder = new EventRecorder(this.env.KAFKA_TOPIC_PREFIX!, [TOPICS.stockLocks, TOPICS.items]);
  app!: App;
  admin!: TestUser;
  private producer: Producer | undefined;
  private nextUserId = Math.floor(Math.random() * 1_000_000) + 1_000;
  private ordersPublished = 0;

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
        [TOPICS.users, TOPICS.orders, TOPICS.stockLocks, TOPICS.items].map((topic) => bus.topic(topic)),
      );
      this.producer = bus.kafka.producer({ allowAutoTopicCreation: false });
      await this.producer.connect();
    }
    return this.producer;
  }

  /** An order.changed as the payment service publishes it (one revision per status). */
  order(
    orderId: string,
    status: OrderChangedPayload['status'],
    items: { productId: number; quantity: number }[],
    revision: number,
    reason: string | null = null,
  ) {
    this.ordersPublished += 1;
    return this.publish(OrderChanged, [
      {
        aggregateId: orderId,
        aggregateVersion: revision,
        payload: {
          orderId,
          userId: 1,
          status,
          items,
          amount: 0,
          paymentMethod: null,
          reason,
        } satisfies OrderChangedPayload,
      },
    ]);
  }

  /** Waits until every order event sent so far has been handled (each one has its own event id, so an inbox row). */
  async ordersSettled(): Promise<void> {
    await waitFor(
      'every order event handled',
      async () => {
        const { rows } = await this.app.pg.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM inbox WHERE consumer = 'item.orders'",
        );
        return rows[0]!.n >= this.ordersPublished;
      },
      { timeoutMs: 60_000 },
    );
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

  async newItem(stock: number): Promise<number> {
    const response = await this.app.inject({
      method: 'POST',
      url: '/',
      headers: { 'user-token': this.admin.token },
      payload: { name: `item ${randomUUID()}`, broadcaster: 'cjmall', category: 'test', price: 1_000, stock },
    });
    if (response.statusCode !== 201) throw new Error(`item not created: ${response.body}`);
    return response.json().payload.id;
  }

  async stock(itemId: number): Promise<number> {
    const { rows } = await this.app.pg.query<{ stock: number }>('SELECT stock FROM items WHERE id = $1', [itemId]);
    return rows[0]!.stock;
  }

  lock(body: unknown, headers: Record<string, string> = { 'x-internal-token': INTERNAL_TOKEN }) {
    return this.app.inject({ method: 'POST', url: '/api/inventory/lock', headers, payload: body as object });
  }

  /** The stock-lock.changed events published for an order, in order. */
  lockEvents(orderId: string) {
    return this.recorder.events.filter(
      (event) => event.type === StockLockChanged.type && event.aggregateId === orderId,
    );
  }

  /** The item.changed events published for an item, in order. */
  itemEvents(itemId: number) {
    return this.recorder.events.filter(
      (event) => event.type === ItemChanged.type && event.aggregateId === String(itemId),
    );
  }
}
