import { randomUUID } from 'node:crypto';
import type { PoolClient, Transact } from '@boxoffice/db';
import { AppError, conflict, notFound } from '@boxoffice/errors';
import { attachAuthorization, insertCharge } from '../db/card-charges.repo';
import { balanceOf, debit } from '../db/ledger.repo';
import { findOrder, moveOrder } from '../db/orders.repo';
import { publishOrderChanged } from '../events/order-events';
import { last4, readCard, type Card } from './card';
import type { CardGateway } from './card-gateway';
import type { Order, PaymentMethod } from './order';
import { notEnoughPoints } from './points.use-case';

export interface PayOrderDeps {
  gateway: CardGateway;
}

/** Points: paid now, with the ledger row's id. Card: a charge the gateway settles later. */
export type OrderPayment =
  { method: 'points'; orderId: string; transactionId: string } | { method: 'card'; orderId: string; chargeId: string };

export interface PayOrderInput {
  userId: number;
  orderId: string;
  paymentMethod: PaymentMethod;
  paymentDetails?: Record<string, unknown>;
}

export const orderNotFound = (orderId: string) => notFound(`Order with order id: ${orderId} doesn't exist.`);

async function payableOrder(tx: PoolClient, input: PayOrderInput): Promise<Order> {
  const order = await findOrder(tx, input.orderId, { forUpdate: true });
  if (!order || order.userId !== input.userId) throw orderNotFound(input.orderId);
  if (order.status === 'stock_locked' && order.expiresAt.getTime() > Date.now()) return order;
  if (order.status === 'pending') {
    throw new AppError(
      409,
      'STOCK_NOT_LOCKED_YET',
      'The stock for this order is not locked yet; retry in a moment.',
      [],
      { retryAfterSeconds: 1 },
    );
  }
  if (order.status === 'stock_locked')
    throw conflict('ORDER_EXPIRED', 'This order was not paid in time and is being cancelled.');
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

/**
 * Pays a stock_locked order (SPEC §6). Points: the debit and the order's move to paid commit together (400 when
 * the balance is short; the order stays payable until its TTL). Card: the card is checked (Luhn, expiry, CVV),
 * a charge (last 4 digits only) is recorded and the simulated gateway authorizes it; the order is decided when
 * the gateway's signed settlement arrives (settle-card-charge), so the payment is still processing here.
 */
export async function payOrder(deps: PayOrderDeps, input: PayOrderInput, transact: Transact): Promise<OrderPayment> {
  let card: Card | undefined;
  if (input.paymentMethod === 'card') card = readCard(input.paymentDetails);
  return transact(async (tx): Promise<OrderPayment> => {
    const order = await payableOrder(tx, input);
    if (input.paymentMethod === 'points') {
      const taken = await debit(tx, input.userId, order.amount, { orderId: order.id });
      if (!taken) throw notEnoughPoints(await balanceOf(tx, input.userId), order.amount);
      const paid = await moveOrder(tx, order.id, 'paid', { paymentMethod: 'points' });
      await publishOrderChanged(tx, paid);
      return { method: 'points', orderId: order.id, transactionId: taken.transaction?.id ?? order.id };
    }
    const chargeId = randomUUID();
    await tx.query('SAVEPOINT charge');
    try {
      await insertCharge(tx, {
        id: chargeId,
        orderId: order.id,
        userId: input.userId,
        amount: order.amount,
        cardLast4: last4(card!),
      });
    } catch (error) {
      if ((error as { code?: string }).code === '23505')
        throw conflict('PAYMENT_IN_PROGRESS', 'A card payment for this order is already in progress.');
      throw error;
    }
    const authorizationId = await deps.gateway.authorize(tx, {
      reference: chargeId,
      amount: order.amount,
      card: card!,
    });
    await attachAuthorization(tx, chargeId, authorizationId);
    return { method: 'card', orderId: order.id, chargeId };
  });
}
