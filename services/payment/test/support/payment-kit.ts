import type { EventContract } from '@boxoffice/contracts';
import { TOPICS } from '@boxoffice/contracts';
import type { App } from '@boxoffice/http';
import { PeerPublisher, dropDatabase, testEnv, uniqueSuffix, waitFor, type AnnouncedUser } from '@boxoffice/testing';
import { buildApp } from '../../src/app';
import { readConfig } from '../../src/config';

/** A card the simulated gateway approves, and one it declines with CARD_DECLINED. */
export const CARD_OK = { cardNumber: '4242 4242 4242 4242', expiryDate: '12/45', cvv: '123' };
export const CARD_DECLINED = { cardNumber: '4000000000000002', expiryDate: '12/45', cvv: '456' };

/** The users these tests act as, announced as the user service would. */
export type TestUser = AnnouncedUser;

/**
 * The payment service in-process (listening, so the simulated card gateway can call it back), on real PostgreSQL,
 * Redis and Kafka, with this file's own topic prefix. Other services' parts are played the way they publish: real
 * events sent to Kafka under the prefix (users as the user service announces them, items, stock locks).
 */
export class PaymentKit {
  readonly prefix = `t${uniqueSuffix()}.`;
  readonly env: Record<string, string>;
  app!: App;
  url!: string;
  /** Apps that keep a users replica and must know a user before it acts (payment, and queue/ticket when present). */
  readonly userReplicas: App[] = [];
  private readonly peers: PeerPublisher;

  constructor(overrides: Record<string, string> = {}) {
    this.env = testEnv('payment', {
      KAFKA_TOPIC_PREFIX: this.prefix,
      USER_SERVICE_URL: 'http://127.0.0.1:9', // never needed: the tests wait for the replica
      QUEUE_SERVICE_URL: 'http://127.0.0.1:9',
      TICKET_SERVICE_URL: 'http://127.0.0.1:9',
      ITEM_SERVICE_URL: 'http://127.0.0.1:9',
      RECONCILE_INTERVAL_MS: '100',
      ORDER_SWEEP_INTERVAL_MS: '100',
      CARD_GATEWAY_INTERVAL_MS: '50',
      CARD_SETTLE_DELAY_MS: '200',
      ...overrides,
    });
    this.peers = new PeerPublisher({
      brokers: this.env.KAFKA_BROKERS!,
      topicPrefix: this.prefix,
      topics: [TOPICS.users, TOPICS.items, TOPICS.stockLocks, TOPICS.orders, TOPICS.payments],
    });
  }

  async start(overrides: Record<string, string> = {}): Promise<this> {
    Object.assign(this.env, overrides);
    this.app = await buildApp(readConfig(this.env));
    await this.app.listen({ host: '127.0.0.1', port: 0 });
    this.url = `http://127.0.0.1:${(this.app.server.address() as { port: number }).port}`;
    this.userReplicas.push(this.app);
    return this;
  }

  async stop(): Promise<void> {
    await this.peers.stop().catch(() => undefined);
    await this.app?.close().catch(() => undefined);
    await dropDatabase(this.env.DATABASE_URL!);
  }

  /** Sends events as their owner would: proper envelopes on the prefixed topic, keyed by aggregate id. */
  async publish<P>(
    contract: EventContract,
    events: { aggregateId: string | number; aggregateVersion: number; payload: P }[],
  ): Promise<void> {
    await this.peers.publish(contract, events);
  }

  /** Announces users as the user service would and waits until every users replica knows them. */
  users(count: number, role: 'user' | 'admin' = 'user'): Promise<TestUser[]> {
    return this.peers.announceUsers(count, { role, replicas: this.userReplicas.map((app) => app.pg) });
  }

  /** The order as its owner reads it (GET /api/orders/{id}). */
  async orderOf(user: TestUser, orderId: string) {
    return (await this.call('GET', `/api/orders/${orderId}`, { user })).body;
  }

  /** Waits until the owner reads the order in `status`, and answers it. */
  orderReaches(user: TestUser, orderId: string, status: string) {
    return waitFor(`order ${status}`, async () => {
      const order = await this.orderOf(user, orderId);
      return order?.status === status ? order : undefined;
    });
  }

  /** POST /api/orders/create by the user: an order of these lines for `orderAmount`. */
  createOrder(user: TestUser, orderAmount: number, items: { productId: number; quantity: number }[]) {
    return this.call('POST', '/api/orders/create', { user, body: { orderAmount, items } });
  }

  /** POST /points: the user charges (tops up) their points. */
  charge(user: TestUser, points: number) {
    return this.call('POST', '/points', { user, body: { point: points, pointType: 'CHARGE' } });
  }

  /** POST /api/payment/process by the user: the order paid with points, or with this card. */
  pay(user: TestUser, orderId: string, card?: typeof CARD_OK) {
    const body = card ? { orderId, paymentMethod: 'card', paymentDetails: card } : { orderId, paymentMethod: 'points' };
    return this.call('POST', '/api/payment/process', { user, body });
  }

  /** A JSON request to the payment service over real HTTP. */
  async call(
    method: string,
    path: string,
    options: { user?: TestUser; headers?: Record<string, string>; body?: unknown } = {},
  ) {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(options.user ? { 'user-token': options.user.token } : {}),
        ...options.headers,
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  }
}
