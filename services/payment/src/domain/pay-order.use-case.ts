import { randomUUID } from 'node:crypto';
import type { PoolClient, Transact } from '@boxoffice/db';
import { assertBodyNamesCaller, conflict, notFound, validationFailed } from '@boxoffice/errors';
import { attachAuthorization, insertCharge } from '../db/card-charges.repo';
import { balanceOf, debit } from '../db/ledger.repo';
import { findOrder, moveOrder, setPayment } from '../db/orders.repo';
import { publishOrderChanged } from '../events/order-events';
import { last4, readCard, type Card } from './card';
import type { CardGateway } from './card-gateway';
import { paymentMethodOf, wholeAmount, type Order, type PaymentMethod } from './order';
import { notEnoughPoints } from './points.use-case';

export interface PayOrderDeps {
  gateway: CardGateway;
}

/**
 * Points on a stock_locked order: paid now (`completed`), with the ledger row's id. Points on a pending order, or
 * a card: `processing`, decided by the stock lock or the card's settlement (GET /api/orders/{id} tells which).
 */
export type OrderPayment = {
  method: PaymentMethod;
  orderId: string;
  status: 'completed' | 'processing';
  transactionId: string;
};

export interface PayOrderInput {
  userId: number;
  orderId: string;
  /** As sent: seed 003's credit_card is the card, its paypal a 422. */
  paymentMethod: Parameters<typeof paymentMethodOf>[0];
  paymentDetails?: Record<string, unknown>;
  /** Seed 003's optional fields: checked against the caller and the order, never trusted. */
  bodyUserId?: number | string;
  paymentAmount?: number;
}

export const orderNotFound = (orderId: string) => notFound(`Order with order id: ${orderId} doesn't exist.`);

async function payableOrder(tx: PoolClient, input: PayOrderInput): Promise<Order> {
  const order = await findOrder(tx, input.orderId, { forUpdate: true });
  if (!order || order.userId !== input.userId) throw orderNotFound(input.orderId);
  if (input.paymentAmount !== undefined && wholeAmount('paymentAmount', input.paymentAmount) !== order.amount)
    throw validationFailed(`paymentAmount must be the order's amount (${order.amount}).`, [
      {
        location: 'body',
        param: 'paymentAmount',
        value: input.paymentAmount,
        error: 'AmountMismatch',
        msg: `Expected ${order.amount}.`,
        expected: order.amount,
      },
    ]);
  if (order.paymentStatus === 'processing')
    // issue 19 item 7: one payment at a time; a card still settling cannot be overtaken by points
    throw conflict('PAYMENT_IN_PROGRESS', `A ${order.paymentMethod} payment for this order is already in progress.`);
  const open = order.status === 'pending' || order.status === 'stock_locked';
  if (open && order.expiresAt.getTime() > Date.now()) return order;
  if (open) throw conflict('ORDER_EXPIRED', 'This order was not paid in time and is being cancelled.');
  throw conflict('ORDER_NOT_PAYABLE', `This order is ${order.status} and cannot be paid.`, [
    {
      location: 'state',
      param: 'status',
      value: order.status,
      error: 'Conflict',
      msg: `The order is ${order.status}.`,
    },
  ]);
}

/** Points: taken now; the order is paid at once if its stock is locked, else when the lock comes (or refunded). */
async function payByPoints(tx: PoolClient, order: Order): Promise<OrderPayment> {
  const taken = await debit(tx, order.userId, order.amount, { orderId: order.id });
  if (!taken) throw notEnoughPoints(await balanceOf(tx, order.userId), order.amount);
  const transactionId = taken.transaction?.id ?? order.id;
  if (order.status === 'stock_locked') {
    const paid = await moveOrder(tx, order.id, 'paid', { paymentMethod: 'points', paymentStatus: 'completed' });
    await publishOrderChanged(tx, paid);
    return { method: 'points', orderId: order.id, status: 'completed', transactionId };
  }
  await publishOrderChanged(
    tx,
    await setPayment(tx, order.id, { paymentMethod: 'points', paymentStatus: 'processing' }),
  );
  return { method: 'points', orderId: order.id, status: 'processing', transactionId };
}

/** Card: a charge (last 4 digits only) authorized by the gateway; its signed settlement decides the order. */
async function payByCard(tx: PoolClient, deps: PayOrderDeps, order: Order, card: Card): Promise<OrderPayment> {
  const chargeId = randomUUID();
  await tx.query('SAVEPOINT charge');
  try {
    await insertCharge(tx, {
      id: chargeId,
      orderId: order.id,
      userId: order.userId,
      amount: order.amount,
      cardLast4: last4(card),
    });
  } catch (error) {
    if ((error as { code?: string }).code === '23505')
      throw conflict('PAYMENT_IN_PROGRESS', 'A card payment for this order is already in progress.');
    throw error;
  }
  const authorizationId = await deps.gateway.authorize(tx, { reference: chargeId, amount: order.amount, card });
  await attachAuthorization(tx, chargeId, authorizationId);
  await publishOrderChanged(tx, await setPayment(tx, order.id, { paymentMethod: 'card', paymentStatus: 'processing' }));
  return { method: 'card', orderId: order.id, status: 'processing', transactionId: chargeId };
}

/**
 * Pays an order (SPEC §6), also while it is still `pending` (docs/payments.md, "Paying at checkout"): the client
 * never waits for the stock lock itself. The money is held now (points debited; card checked by Luhn, expiry and
 * CVV and authorized) and becomes the order's payment only once the stock is locked: `applyStockLock` pays the
 * order on the lock, or gives the money back (refund / void) when the lock fails. Points on a stock_locked order
 * pay it at once. Not enough points is a 400 and keeps nothing; a second payment while one is in progress is 409.
 */
export async function payOrder(deps: PayOrderDeps, input: PayOrderInput, transact: Transact): Promise<OrderPayment> {
  // seed 003 names the payer in the body; the USER-TOKEN decides who it is, and the two must agree
  assertBodyNamesCaller(input.userId, input.bodyUserId, 'userId');
  const method: PaymentMethod = paymentMethodOf(input.paymentMethod);
  const card = method === 'card' ? readCard(input.paymentDetails) : undefined;
  return transact(async (tx): Promise<OrderPayment> => {
    const order = await payableOrder(tx, input);
    return card ? payByCard(tx, deps, order, card) : payByPoints(tx, order);
  });
}
