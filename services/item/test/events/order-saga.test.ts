import { randomUUID } from 'node:crypto';
import { OrderChanged } from '@boxoffice/contracts';
import { suiteKit, waitFor } from '@boxoffice/testing';
import { ItemKit } from '../support/item-kit';

const statusOf = (event: { payload: { status: string } }) => event.payload.status;

describe('the order saga in the item service: order.changed from Kafka → stock locked, committed or released', () => {
  const kit = suiteKit(new ItemKit());

  const lockStatus = async (orderId: string) =>
    (await kit.app.pg.query<{ status: string }>('SELECT status FROM stock_locks WHERE order_id = $1', [orderId]))
      .rows[0]?.status;
  const lockReaches = (orderId: string, status: string) =>
    waitFor(`the lock ${status}`, async () => (await lockStatus(orderId)) === status);
  /** A new item of `stock`, and an order of `quantity` of it told as the payment service does: pending, stock_locked, paid. */
  async function paidOrder(stock: number, quantity: number) {
    const itemId = await kit.newItem(stock);
    const orderId = randomUUID();
    const lines = [{ productId: itemId, quantity }];
    await kit.order(orderId, 'pending', lines, 1);
    await kit.order(orderId, 'stock_locked', lines, 2);
    await kit.order(orderId, 'paid', lines, 3);
    return { itemId, orderId, lines };
  }
  /** Once every order event sent is handled: the lock events announced for the order, at least `count` of them. */
  async function settledLockEvents(orderId: string, count: number) {
    await kit.ordersSettled();
    await waitFor(`${count} lock events`, () => kit.lockEvents(orderId).length >= count);
    return kit.lockEvents(orderId);
  }

  it('when 50 pending orders of 1 arrive for a stock of 20 (and 10 more race in over HTTP), then exactly 20 are locked and the stock ends at 0', async () => {
    const itemId = await kit.newItem(20);
    const viaEvents = Array.from({ length: 50 }, () => randomUUID());
    const viaHttp: string[] = Array.from({ length: 10 }, () => randomUUID());
    const line = [{ productId: itemId, quantity: 1 }];
    const [, answers] = await Promise.all([
      Promise.all(viaEvents.map((orderId) => kit.order(orderId, 'pending', line, 1))),
      Promise.all(viaHttp.map((orderId) => kit.lock({ orderId, items: line }))),
    ]);
    const all = [...viaEvents, ...viaHttp];
    const events = await waitFor(
      'a stock-lock.changed per order',
      () => {
        const seen = all.map((orderId) => kit.lockEvents(orderId));
        return seen.every((one) => one.length === 1) ? seen.flat() : undefined;
      },
      { timeoutMs: 60_000 },
    );
    expect(events.filter((event) => statusOf(event) === 'locked')).toHaveLength(20);
    expect(events.filter((event) => statusOf(event) === 'rejected')).toHaveLength(40);
    expect(
      events
        .filter((event) => statusOf(event) === 'rejected')
        .every((event) => event.payload.reason === 'INSUFFICIENT_STOCK'),
    ).toBe(true);
    const httpLocked = answers.filter((answer) => answer.statusCode === 200).length;
    expect(events.filter((event) => statusOf(event) === 'locked' && viaHttp.includes(event.aggregateId))).toHaveLength(
      httpLocked,
    );
    expect(await kit.stock(itemId)).toBe(0);
  });

  it('when a pending order is delivered again (a new event id) and also locked over HTTP, then it is locked once', async () => {
    const itemId = await kit.newItem(10);
    const orderId = randomUUID();
    const lines = [{ productId: itemId, quantity: 4 }];
    await kit.order(orderId, 'pending', lines, 1);
    await lockReaches(orderId, 'locked');
    await kit.order(orderId, 'pending', lines, 1);
    expect((await kit.lock({ orderId, items: lines })).statusCode).toBe(200);
    expect((await settledLockEvents(orderId, 1)).map(statusOf)).toEqual(['locked']);
    expect(await kit.stock(itemId)).toBe(6);
  });

  it('when an order is paid, even twice, then its lock is committed once and the stock stays sold', async () => {
    const { itemId, orderId, lines } = await paidOrder(3, 2);
    await kit.order(orderId, 'paid', lines, 3);
    await kit.order(orderId, 'payment_failed', lines, 4, 'CARD_DECLINED'); // not a cancellation: a sold lock stays
    await lockReaches(orderId, 'committed');
    expect((await settledLockEvents(orderId, 2)).map((event) => [statusOf(event), event.aggregateVersion])).toEqual([
      ['locked', 1],
      ['committed', 2],
    ]);
    expect(await kit.stock(itemId)).toBe(1);
  });

  it('when a paid order is cancelled by its shopper (refunded), even twice, then its sold stock goes back once', async () => {
    const { itemId, orderId, lines } = await paidOrder(5, 3);
    await lockReaches(orderId, 'committed');
    expect(await kit.stock(itemId)).toBe(2);
    await kit.order(orderId, 'cancelled', lines, 4, 'CANCELLED_BY_SHOPPER');
    await kit.order(orderId, 'cancelled', lines, 4, 'CANCELLED_BY_SHOPPER');
    await lockReaches(orderId, 'released');
    expect((await settledLockEvents(orderId, 3)).map((event) => [statusOf(event), event.aggregateVersion])).toEqual([
      ['locked', 1],
      ['committed', 2],
      ['released', 3],
    ]);
    expect(await kit.stock(itemId)).toBe(5);
  });

  it('when a locked order fails or is cancelled, even several times, then its stock is given back once and announced', async () => {
    const itemId = await kit.newItem(6);
    const other = await kit.newItem(6);
    const orderId = randomUUID();
    const lines = [
      { productId: other, quantity: 1 },
      { productId: itemId, quantity: 5 },
    ];
    await kit.order(orderId, 'pending', lines, 1);
    await lockReaches(orderId, 'locked');
    expect(await kit.stock(itemId)).toBe(1);
    await kit.order(orderId, 'stock_locked', lines, 2);
    await kit.order(orderId, 'payment_failed', lines, 3, 'CARD_DECLINED');
    await kit.order(orderId, 'payment_failed', lines, 3, 'CARD_DECLINED');
    await kit.order(orderId, 'cancelled', lines, 4, 'ORDER_TTL');
    await lockReaches(orderId, 'released');
    expect((await settledLockEvents(orderId, 2)).map((event) => [statusOf(event), event.payload.reason])).toEqual([
      ['locked', null],
      ['released', 'CARD_DECLINED'],
    ]);
    expect(await kit.stock(itemId)).toBe(6);
    expect(await kit.stock(other)).toBe(6);
    // replicas learn the stock from item.changed: the newest state of each item carries what is in the table
    const newest = await waitFor('item.changed up to date', async () => {
      const events = kit.itemEvents(itemId);
      const last = events.reduce((a, b) => (a.aggregateVersion > b.aggregateVersion ? a : b));
      return last.payload.stock === (await kit.stock(itemId)) ? last : undefined;
    });
    const { rows } = await kit.app.pg.query('SELECT revision FROM items WHERE id = $1', [itemId]);
    expect(newest.aggregateVersion).toBe(rows[0].revision);
  });

  it('when an order is cancelled before its pending event is seen, then it is never locked: not by the late event, not over HTTP', async () => {
    const itemId = await kit.newItem(4);
    const orderId = randomUUID();
    const lines = [{ productId: itemId, quantity: 4 }];
    await kit.order(orderId, 'cancelled', lines, 2, 'ORDER_TTL');
    await lockReaches(orderId, 'released');
    await kit.order(orderId, 'pending', lines, 1);
    const late = await kit.lock({ orderId, items: lines });
    expect(late.statusCode).toBe(409);
    expect(late.json()).toMatchObject({ code: 409, locked: false, errors: { code: 'ORDER_ENDED' } });
    await kit.ordersSettled();
    expect(await lockStatus(orderId)).toBe('released');
    expect(await kit.stock(itemId)).toBe(4);
    await waitFor('the tombstone announced', () => kit.lockEvents(orderId).length === 1);
    expect(kit.lockEvents(orderId).map(statusOf)).toEqual(['released']);
  });

  it('when an order names an unknown item, then it is rejected with ITEM_NOT_FOUND and no stock moves', async () => {
    const itemId = await kit.newItem(4);
    const orderId = randomUUID();
    await kit.order(
      orderId,
      'pending',
      [
        { productId: itemId, quantity: 1 },
        { productId: 1_999_999_999, quantity: 1 },
      ],
      1,
    );
    const [event] = await waitFor('the rejection', () =>
      kit.lockEvents(orderId).length === 1 ? kit.lockEvents(orderId) : undefined,
    );
    expect(event!.payload).toEqual({
      orderId,
      status: 'rejected',
      items: [
        { productId: itemId, quantity: 1 },
        { productId: 1_999_999_999, quantity: 1 },
      ],
      reason: 'ITEM_NOT_FOUND',
    });
    expect(await kit.stock(itemId)).toBe(4);
    expect(OrderChanged.topic).toBe('payment.orders');
  });
});
