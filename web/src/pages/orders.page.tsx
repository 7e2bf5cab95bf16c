import { useRef, useState } from 'preact/hooks';
import type { PageProps } from '../app';
import { newIdempotencyKey } from '../api/http';
import { itemApi } from '../api/item';
import { paymentApi, type OrderStatus, type OrderSummary } from '../api/payment';
import { DataTable, type Column } from '../components/data-table';
import { ProblemNote } from '../components/notes';
import { PageTitle } from '../components/page-title';
import { ResourceNotes } from '../components/resource-notes';
import { useAction, useResource } from '../components/use-resource';
import { formatDateTime, formatPoints } from '../domain/format';
import { href } from '../routes';
import { navigate } from '../router';
import { ORDER_STATUS_WORDS } from './order.page';

const PAGE_SIZE = 10;
/** The payment service lets a shopper cancel before payment (stock released) and after it (refunded too). */
const CANCELLABLE: OrderStatus[] = ['pending', 'stock_locked', 'paid'];

export function OrdersPage({ query }: PageProps) {
  const page = Math.max(1, Math.floor(Number(query.get('page') ?? 1)) || 1);
  const orders = useResource(() => paymentApi.orders((page - 1) * PAGE_SIZE, PAGE_SIZE), [page]);
  const items = useResource(() => itemApi.list(), []);
  const nameOf = (id: number) => items.data?.payload.find((item) => item.id === id)?.name ?? `item ${id}`;
  const keys = useRef(new Map<string, string>());
  const [done, setDone] = useState<string>();
  const cancel = useAction(async (order: OrderSummary) => {
    if (!keys.current.has(order.orderId)) keys.current.set(order.orderId, newIdempotencyKey());
    const answer = await paymentApi.cancelOrder(order.orderId, keys.current.get(order.orderId)!);
    setDone(
      answer.body.paymentStatus === 'refunded'
        ? `Order cancelled. ${formatPoints(order.amount)} is refunded to your points.`
        : 'Order cancelled. Nothing was charged.',
    );
    orders.reload();
  });

  const columns: Column<OrderSummary>[] = [
    {
      header: 'Ordered',
      cell: (order) => <a href={href('order', { orderId: order.orderId })}>{formatDateTime(order.createdAt)}</a>,
    },
    {
      header: 'Items',
      cell: (order) => order.items.map((line) => `${line.quantity} × ${nameOf(line.productId)}`).join(', '),
    },
    { header: 'Amount', numeric: true, cell: (order) => formatPoints(order.amount) },
    {
      header: 'Status',
      cell: (order) => (
        <span data-order-status={order.status}>
          {ORDER_STATUS_WORDS[order.status]}
          {order.paymentStatus === 'refunded' ? ', refunded' : ''}
        </span>
      ),
    },
    {
      header: 'Actions',
      hiddenHeader: true,
      cell: (order) =>
        CANCELLABLE.includes(order.status) ? (
          <button
            type="button"
            class="secondary small"
            disabled={cancel.busy}
            aria-label={`Cancel the order of ${formatDateTime(order.createdAt)}`}
            onClick={() => void cancel.run(order)}
          >
            Cancel
          </button>
        ) : null,
    },
  ];

  const count = orders.data?.count ?? 0;
  const pages = Math.max(1, Math.ceil(count / PAGE_SIZE));
  const go = (to: number) => navigate(href('orders', {}, { page: String(to) }));
  return (
    <section>
      <p class="breadcrumb">
        <a href={href('shop')}>Shop</a>
      </p>
      <PageTitle>My orders</PageTitle>
      {done && (
        <p class="note note-ok" role="status">
          {done}
        </p>
      )}
      <ProblemNote problem={cancel.problem} />
      <ResourceNotes of={[orders]} loading="your orders" />
      {orders.data && count === 0 && (
        <p>
          No orders yet. <a href={href('shop')}>Browse the shop</a>.
        </p>
      )}
      {orders.data && orders.data.payload.length > 0 && (
        <>
          <DataTable
            data-testid="orders"
            caption="Your orders, newest first"
            columns={columns}
            rows={orders.data.payload}
            rowKey={(order) => order.orderId}
            rowAttributes={(order) => ({ 'data-order-id': order.orderId })}
          />
          <nav class="pager" aria-label="Pages of orders">
            <button type="button" class="secondary small" disabled={page <= 1} onClick={() => go(page - 1)}>
              Newer
            </button>
            <span>
              Page {page} of {pages} ({count} order{count === 1 ? '' : 's'})
            </span>
            <button type="button" class="secondary small" disabled={page >= pages} onClick={() => go(page + 1)}>
              Older
            </button>
          </nav>
        </>
      )}
    </section>
  );
}
