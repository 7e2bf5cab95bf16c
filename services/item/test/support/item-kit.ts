import { randomUUID } from 'node:crypto';
import { ItemChanged, OrderChanged, StockLockChanged, TOPICS, type OrderChangedPayload } from '@boxoffice/contracts';
import type { App } from '@boxoffice/http';
import { EventRecorder, PeerPublisher, dropDatabase, testEnv, waitFor } from '@boxoffice/testing';
import { buildApp } from '../../src/app';
import { readConfig } from '../../src/config';

export interface TestUser {
  id: number;
  role: 'user' | 'admin';
  token: string;
}

export const INTERNAL_TOKEN = 'item-test-internal-token';

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
  private readonly peers = new PeerPublisher({
    brokers: this.env.KAFKA_BROKERS!,
    topicPrefix: this.env.KAFKA_TOPIC_PREFIX!,
    topics: [TOPICS.users, TOPICS.orders, TOPICS.stockLocks, TOPICS.items],
  });
  private ordersPublished = 0;

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
    orderId: string,
    status: OrderChangedPayload['status'],
    items: { productId: number; quantity: number }[],
    revision: number,
    reason: string | null = null,
  ) {
    this.ordersPublished += 1;
    return this.peers.publish(OrderChanged, [
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
  users(count: number, role: 'user' | 'admin' = 'user'): Promise<TestUser[]> {
    return this.peers.announceUsers(count, { role, replicas: [this.app.pg] });
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
    return this.recorder.of(StockLockChanged).filter((event) => event.aggregateId === orderId);
  }

  /** The item.changed events published for an item, in order. */
  itemEvents(itemId: number) {
    return this.recorder.of(ItemChanged).filter((event) => event.aggregateId === String(itemId));
  }
}
