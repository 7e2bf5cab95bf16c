import type { OrderChangedPayload, PaymentCompletedPayload } from '@boxoffice/contracts';

export type NotificationChannel = 'email' | 'sms';

export interface Notification {
  id: string;
  userId: number;
  channel: NotificationChannel;
  subject: string;
  message: string;
  status: 'sent';
  trigger: string;
  revision: number;
  createdAt: Date;
}

/** A notification before it is stored and sent. */
export interface Draft {
  userId: number;
  channel: NotificationChannel;
  subject: string;
  message: string;
  /** 'api', or the step of an aggregate that raised it: unique per step, so a step notifies once. */
  trigger: string;
}

/** Who asks to send: an admin or a peer holding the internal token may notify anyone; a user only themselves. */
export type Sender = { kind: 'internal' } | { kind: 'user'; id: number; role: 'user' | 'admin' };

/**
 * Simulated delivery (no real mail or SMS): the adapter records that it went out. It is told what was sent to
 * whom and how, never the message itself.
 */
export interface Courier {
  delivered(notification: Pick<Notification, 'id' | 'userId' | 'channel' | 'trigger'>): void;
}

const REASONS: Record<string, string> = {
  INSUFFICIENT_STOCK: 'there is not enough stock',
  ITEM_NOT_FOUND: 'an item in it is no longer sold',
  CARD_DECLINED: 'the card was declined',
  INSUFFICIENT_FUNDS: 'the card has insufficient funds',
  ORDER_TTL: 'it was not paid in time',
  CANCELLED_BY_SHOPPER: 'you asked for it',
  CARD_SETTLEMENT_TIMEOUT: 'the card payment was not confirmed in time',
};
/** What became of the money held or paid for an order that ended (order.changed `paymentStatus`). */
const moneyBack = (order: OrderChangedPayload) =>
  order.paymentStatus === 'refunded'
    ? ` Your payment of ${order.amount} was refunded.`
    : order.paymentStatus === 'voided'
      ? ' The card charge was voided: nothing was taken.'
      : '';
const because = (reason: string | null) =>
  reason ? ` because ${REASONS[reason] ?? reason.toLowerCase().replaceAll('_', ' ')}` : '';
const units = (order: OrderChangedPayload) => order.items.reduce((sum, line) => sum + line.quantity, 0);

/**
 * What the user is told about each step of an order (docs/payments.md saga). `pending` says nothing yet: the
 * order is answered at once by its stock lock (stock_locked or rejected), which is the first thing worth telling.
 */
export function orderNotification(order: OrderChangedPayload): Draft | undefined {
  const base = {
    userId: order.userId,
    channel: 'email' as const,
    trigger: `order.changed:${order.orderId}:${order.status}`,
  };
  switch (order.status) {
    case 'stock_locked':
      return {
        ...base,
        subject: 'Order confirmed: please pay',
        message: `Your order ${order.orderId} (${units(order)} item(s), total ${order.amount}) is reserved for you. Pay for it before it expires.`,
      };
    case 'rejected':
      return {
        ...base,
        subject: 'Order could not be placed',
        message: `Your order ${order.orderId} could not be placed${because(order.reason)}.${moneyBack(order)}`,
      };
    case 'paid':
      return {
        ...base,
        subject: 'Order paid',
        message: `Your order ${order.orderId} has been successfully paid (total ${order.amount}).`,
      };
    case 'payment_failed':
      return {
        ...base,
        subject: 'Payment failed',
        message: `The payment for your order ${order.orderId} failed${because(order.reason)}. The items were released.`,
      };
    case 'cancelled':
      return {
        ...base,
        subject: 'Order cancelled',
        message: `Your order ${order.orderId} was cancelled${because(order.reason)}. The items were released.${moneyBack(order)}`,
      };
    default:
      return undefined;
  }
}

/** A ticket payment went through (payment.completed). */
export function paymentNotification(payment: PaymentCompletedPayload): Draft {
  return {
    userId: payment.userId,
    channel: 'email',
    trigger: `payment.completed:${payment.paymentId}`,
    subject: 'Payment completed',
    message: `Your payment of ${payment.amount} points for ticket ${payment.ticketId} is complete.`,
  };
}

/** An alarm whose item goes on air soon, not reminded yet (one per slot and user). */
export interface DueReminder {
  userId: number;
  itemId: number;
  itemName: string;
  slotId: number;
  channel: string;
  startsAt: Date;
}

/**
 * The reminder of seed 004's alarm: "tell me when this item is on air". Its trigger names the slot and the user,
 * so each slot reminds each user once, however many instances sweep and however often they restart.
 */
export function broadcastReminder(due: DueReminder, now = new Date()): Draft {
  const minutes = Math.round((due.startsAt.getTime() - now.getTime()) / 60_000);
  const when = minutes > 0 ? `in ${minutes} minute${minutes === 1 ? '' : 's'}` : 'now';
  return {
    userId: due.userId,
    channel: 'email',
    trigger: `broadcast:${due.slotId}:${due.userId}`,
    subject: 'On air soon',
    message: `${due.itemName} is on air on ${due.channel} ${when} (${due.startsAt.toISOString()}).`,
  };
}
