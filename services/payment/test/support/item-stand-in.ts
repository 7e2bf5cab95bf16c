import type { Consumer } from 'kafkajs';
import {
  ItemChanged,
  OrderChanged,
  StockLockChanged,
  type EventEnvelope,
  type OrderChangedPayload,
  type StockLockChangedPayload,
} from '@boxoffice/contracts';
import { createEventBus, ensureTopics } from '@boxoffice/events';
import { uniqueSuffix, waitFor } from '@boxoffice/testing';
import { PaymentKit, type TestUser } from './payment-kit';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Plays the item service's part of the order saga over real Kafka, as the contracts say it will: announces items
 * (item.changed), and on order.changed locks stock all-or-nothing once per order (pending → locked | rejected),
 * commits it on paid and releases it on payment_failed / cancelled (stock-lock.changed). Keeps its stock in memory.
 */
export class ItemStandIn {
  readonly stock = new Map<number, number>();
  readonly published: StockLockChangedPayload[] = [];
  readonly orderEvents: EventEnvelope<OrderChangedPayload>[] = [];
  private readonly locks = new Map<string, { status: StockLockChangedPayload['status']; version: number }>();
  /** While true, pending orders wait in `deferred` for `answerDeferred` instead of being locked at once. */
  deferLocks = false;
  private readonly deferred = new Map<string, OrderChangedPayload>();
  private consumer: Consumer | undefined;

  constructor(private readonly kit: PaymentKit) {}

  async items(items: { id: number; price: number; stock: number; name?: string; code?: string }[]): Promise<void> {
    items.forEach((item) => this.stock.set(item.id, item.stock));
    await this.kit.publish(
      ItemChanged,
      items.map((item) => ({
        aggregateId: item.id,
        aggregateVersion: 1,
        payload: {
          id: item.id,
          name: item.name ?? `item ${item.id}`,
          broadcaster: 'Test TV',
          category: 'test',
          price: item.price,
          stock: item.stock,
          deleted: false,
          code: item.code ?? null,
        },
      })),
    );
  }

  async start(): Promise<this> {
    const bus = createEventBus({
      brokers: this.kit.env.KAFKA_BROKERS!,
      clientId: 'item-stand-in',
      topicPrefix: this.kit.prefix,
      logger: quiet,
    });
    await ensureTopics(bus, [bus.topic(OrderChanged.topic), bus.topic(StockLockChanged.topic)]);
    this.consumer = bus.kafka.consumer({ groupId: `item-stand-in-${uniqueSuffix()}`, maxWaitTimeInMs: 100 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [bus.topic(OrderChanged.topic)], fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ message }) => this.onOrder(JSON.parse(message.value!.toString('utf8'))),
    });
    return this;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }

  /** Waits until this stand-in has released the order's stock lock (stock-lock.changed `released`). */
  async lockReleased(orderId: string): Promise<void> {
    await waitFor('the stock released', () =>
      this.published.some((lock) => lock.orderId === orderId && lock.status === 'released'),
    );
  }

  /** Whether a pending order is waiting for its (deferred) stock lock. */
  isDeferred(orderId: string): boolean {
    return this.deferred.has(orderId);
  }

  /** Answers a deferred order's stock lock now: locked (stock taken) or rejected (stock untouched). */
  async answerDeferred(orderId: string, outcome: 'lock' | 'reject'): Promise<void> {
    const order = this.deferred.get(orderId);
    if (!order) throw new Error(`order ${orderId} is not waiting for its lock`);
    this.deferred.delete(orderId);
    if (outcome === 'reject') return this.answer(order, 'rejected', 'INSUFFICIENT_STOCK');
    order.items.forEach((line) => this.stock.set(line.productId, this.stock.get(line.productId)! - line.quantity));
    return this.answer(order, 'locked', null);
  }

  private async answer(
    order: OrderChangedPayload,
    status: StockLockChangedPayload['status'],
    reason: string | null,
  ): Promise<void> {
    const version = (this.locks.get(order.orderId)?.version ?? 0) + 1;
    this.locks.set(order.orderId, { status, version });
    const payload = { orderId: order.orderId, status, items: order.items, reason };
    this.published.push(payload);
    await this.kit.publish(StockLockChanged, [{ aggregateId: order.orderId, aggregateVersion: version, payload }]);
  }

  private async onOrder(event: EventEnvelope<OrderChangedPayload>): Promise<void> {
    if (event.type !== OrderChanged.type) return;
    this.orderEvents.push(event);
    const order = event.payload;
    const lock = this.locks.get(order.orderId);
    if (order.status === 'pending' && !lock && this.deferLocks) {
      this.deferred.set(order.orderId, order);
      return undefined;
    }
    if (order.status === 'pending' && !lock && !this.deferred.has(order.orderId)) {
      const short = order.items.find((line) => (this.stock.get(line.productId) ?? 0) < line.quantity);
      if (short) return this.answer(order, 'rejected', 'INSUFFICIENT_STOCK');
      order.items.forEach((line) => this.stock.set(line.productId, this.stock.get(line.productId)! - line.quantity));
      return this.answer(order, 'locked', null);
    }
    if (order.status === 'paid' && lock?.status === 'locked') return this.answer(order, 'committed', null);
    if (order.status === 'cancelled' && lock?.status === 'committed') {
      order.items.forEach((line) => this.stock.set(line.productId, this.stock.get(line.productId)! + line.quantity));
      return this.answer(order, 'released', order.reason);
    }
    if ((order.status === 'payment_failed' || order.status === 'cancelled') && lock?.status === 'locked') {
      order.items.forEach((line) => this.stock.set(line.productId, this.stock.get(line.productId)! + line.quantity));
      return this.answer(order, 'released', order.reason);
    }
    return undefined;
  }
}

/**
 * One test file's order saga: the payment service in-process, the item service played by a stand-in announcing
 * `catalogue`, and `userCount` users, started before the file's tests and stopped after them. The returned object
 * is filled in by `beforeAll`.
 */
export function orderSagaFixture(options: {
  env?: Record<string, string>;
  catalogue: Parameters<ItemStandIn['items']>[0];
  userCount: number;
}): { kit: PaymentKit; items: ItemStandIn; users: TestUser[] } {
  const kit = new PaymentKit(options.env);
  const fixture = { kit, items: new ItemStandIn(kit), users: [] as TestUser[] };
  const ids = options.catalogue.map((item) => item.id);
  beforeAll(async () => {
    await kit.start();
    await fixture.items.start();
    await fixture.items.items(options.catalogue);
    await waitFor(
      'the items in the replica',
      async () =>
        (await kit.app.pg.query('SELECT 1 FROM items_replica WHERE id = ANY($1::int[])', [ids])).rowCount ===
        ids.length,
      { timeoutMs: 30_000 },
    );
    fixture.users.push(...(await kit.users(options.userCount)));
  });
  afterAll(async () => {
    await fixture.items.stop();
    await kit.stop();
  });
  return fixture;
}
