import { useState } from 'preact/hooks';
import type { PageProps } from '../app';
import { itemApi } from '../api/item';
import { paymentApi } from '../api/payment';
import { AlarmToggle } from '../components/alarm-toggle';
import { Field } from '../components/field';
import { Loading, ProblemNote, StaleNote } from '../components/notes';
import { PageTitle } from '../components/page-title';
import { useAction, useResource } from '../components/use-resource';
import { formatPoints } from '../domain/format';
import { href } from '../routes';
import { navigate } from '../router';

export function ItemPage({ params }: PageProps) {
  const itemId = Number(params.itemId);
  // opening the page is the visit: the item service records it for "recently viewed"
  const item = useResource(() => itemApi.detail(itemId), [itemId]);
  const [quantity, setQuantity] = useState('1');
  const count = Number(quantity);
  const valid = Number.isInteger(count) && count >= 1 && count <= 100;
  const order = useAction(async () => {
    const price = item.data!.payload.price;
    const created = await paymentApi.createOrder([{ productId: itemId, quantity: count }], price * count);
    navigate(href('order', { orderId: created.body.orderId }));
  });

  const detail = item.data?.payload;
  return (
    <section class="narrow">
      <p class="breadcrumb">
        <a href={href('shop')}>Shop</a>
      </p>
      <StaleNote stale={item.stale} />
      <ProblemNote problem={item.problem} autoRetry />
      {item.loading && !detail && <Loading what="the item" />}
      {detail && (
        <>
          <PageTitle>{detail.name}</PageTitle>
          <dl class="facts">
            <dt>Category</dt>
            <dd>{detail.category}</dd>
            <dt>On</dt>
            <dd>{detail.broadcaster}</dd>
            <dt>Price</dt>
            <dd class="price">{formatPoints(detail.price)}</dd>
          </dl>
          <AlarmToggle item={detail} />
          <form
            class="inline-form"
            onSubmit={(event) => {
              event.preventDefault();
              if (valid) void order.run();
            }}
          >
            <h2>Order</h2>
            <Field
              id="quantity"
              label="Quantity"
              type="number"
              inputMode="numeric"
              min={1}
              max={100}
              step={1}
              value={quantity}
              onInput={(e) => setQuantity(e.currentTarget.value)}
              error={!valid ? 'A whole number from 1 to 100.' : undefined}
            />
            <p>
              Total: <strong>{formatPoints(valid ? detail.price * count : 0)}</strong>
            </p>
            <ProblemNote problem={order.problem} />
            <button type="submit" disabled={!valid || order.busy}>
              {order.busy ? 'Ordering…' : 'Order'}
            </button>
          </form>
        </>
      )}
      {!detail && !item.loading && <PageTitle>Item</PageTitle>}
    </section>
  );
}
