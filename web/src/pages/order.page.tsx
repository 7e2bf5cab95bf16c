import { useRef } from 'preact/hooks';
import type { PageProps } from '../app';
import { newIdempotencyKey } from '../api/http';
import { itemApi } from '../api/item';
import { paymentApi, type OrderStatus } from '../api/payment';
import { Countdown } from '../components/countdown';
import { ProblemNote } from '../components/notes';
import { PageTitle } from '../components/page-title';
import { ResourceNotes } from '../components/resource-notes';
import { useAction, useResource } from '../components/use-resource';
import { formatDateTime, formatPoints } from '../domain/format';
import { href } from '../routes';

export const ORDER_STATUS_WORDS: Record<OrderStatus, string> = {
  pending: 'Reserving the stock…',
  stock_locked: 'Stock reserved: ready to pay',
  rejected: 'Refused: not enough stock',
  paid: 'Paid',
  payment_failed: 'Payment failed',
  cancelled: 'Cancelled',
};
const HISTORY_WORDS: Record<OrderStatus, string> = {
  pending: 'Ordered',
  stock_locked: 'Stock reserved',
  rejected: 'Refused',
  paid: 'Paid',
  payment_failed: 'Payment failed',
  cancelled: 'Cancelled',
};
const SETTLED: OrderStatus[] = ['rejected', 'paid', 'payment_failed', 'cancelled'];

/** An order flows through events (stock locked, then paid): the page follows it until it settles. */
export function OrderPage({ params }: PageProps) {
  const orderId = params.orderId!;
  const order = useResource(() => paymentApi.order(orderId), [orderId], { pollMs: 1_500 });
  const balance = useResource(() => paymentApi.balance(), []);
  // the list, not each item's page: opening an item's page would count as a visit
  const items = useResource(() => itemApi.list(), []);
  const nameOf = (id: number) => items.data?.payload.find((item) => item.id === id)?.name ?? `item ${id}`;
  const key = useRef(newIdempotencyKey());
  const pay = useAction(async () => {
    await paymentApi.payOrderWithPoints(orderId, key.current);
    order.reload();
    balance.reload();
  });
  const data = order.data;
  const settled = data && SETTLED.includes(data.status);
  return (
    <section class="narrow">
      <p class="breadcrumb">
        <a href={href('shop')}>Shop</a> · <a href={href('orders')}>My orders</a>
      </p>
      <PageTitle>Your order</PageTitle>
      <ResourceNotes of={[order]} loading="the order" />
      {data && (
        <>
          <p class="status-badge" data-order-status={data.status} aria-live="polite">
            {ORDER_STATUS_WORDS[data.status]}
            {data.reason && data.status !== 'paid' ? ` (${data.reason})` : ''}
          </p>
          <dl class="facts">
            <dt>Amount</dt>
            <dd>{formatPoints(data.amount)}</dd>
            <dt>Items</dt>
            <dd>{data.items.map((line) => `${line.quantity} × ${nameOf(line.productId)}`).join(', ')}</dd>
            <dt>Ordered</dt>
            <dd>{formatDateTime(data.createdAt)}</dd>
          </dl>
          {!settled && <Countdown until={data.expiresAt} label="Pay within" onEnd={() => order.reload()} />}
          {data.status === 'stock_locked' && (
            <>
              {balance.data && (
                <p>
                  Your balance: <strong>{formatPoints(balance.data.balance)}</strong>
                  {balance.data.balance < data.amount && (
                    <>
                      {' '}
                      (not enough: <a href={href('points')}>top up</a>)
                    </>
                  )}
                </p>
              )}
              <ProblemNote problem={pay.problem} />
              <button type="button" disabled={pay.busy} onClick={() => void pay.run()}>
                {pay.busy ? 'Paying…' : `Pay ${formatPoints(data.amount)} with points`}
              </button>
            </>
          )}
          {data.status === 'paid' && (
            <p class="note note-ok" role="status">
              Thank you! Your order is paid. <a href={href('notifications')}>See your notifications</a>.
            </p>
          )}
          <h2>History</h2>
          <ol class="timeline">
            {data.history.map((step, index) => (
              <li key={index}>
                {formatDateTime(step.at)}: {HISTORY_WORDS[step.status as OrderStatus] ?? step.status}
                {step.reason ? ` (${step.reason})` : ''}
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}
