import { randomUUID } from 'node:crypto';
import { ItemChanged, OrderChanged, StockLockChanged, TOPICS, type OrderChangedPayload } from '@boxoffice/contracts';
import { NEVER_ASKED, ServiceKit, waitFor, type AnnouncedUser } from '@boxoffice/testing';
import { buildApp } from '../../src/app';
import { readConfig } from '../../src/config';

/** The users these tests act as, announced as the user service would. */
export type TestUser = AnnouncedUser;

export const INTERNAL_TOKEN = 'item-test-internal-token';

/** The item service under test; its peers play orders as the payment service publishes them. */
export class ItemKit extends ServiceKit {
  private ordersPublished = 0;

  constructor() {
    super('item', (env) => buildApp(readConfig(env)), {
      env: { INTERNAL_API_TOKEN: INTERNAL_TOKEN, ALARM_SERVICE_URL: NEVER_ASKED },
      peerTopics: [TOPICS.orders],
      recorded: [TOPICS.stockLocks, TOPICS.items],
    });
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
