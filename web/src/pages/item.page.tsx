import { useState } from 'preact/hooks';
import type { PageProps } from '../app';
import { itemApi } from '../api/item';
import { paymentApi } from '../api/payment';
import { AlarmToggle } from '../components/alarm-toggle';
import { WholeNumberField } from '../components/field';
import { PageTitle } from '../components/page-title';
import { ResourceNotes } from '../components/resource-notes';
import { useAction, useResource } from '../components/use-resource';
import { formatDateTime, formatPoints, wholeNumberIn } from '../domain/format';
import { href } from '../routes';
import { navigate } from '../router';
import { ActionForm } from '../components/action-form';

export function ItemPage({ params }: PageProps) {
  const itemId = Number(params.itemId);
  // opening the page is the visit: the item service records it for "recently viewed"
  const item = useResource(() => itemApi.detail(itemId), [itemId]);
  const [quantity, setQuantity] = useState('1');
  const count = wholeNumberIn(quantity, 1, 100);
  const valid = count !== undefined;
  const order = useAction(async (units: number) => {
    const price = item.data!.payload.price;
    const created = await paymentApi.createOrder([{ productId: itemId, quantity: units }], price * units);
    navigate(href('order', { orderId: created.body.orderId }));
  });

  const detail = item.data?.payload;
  return (
    <section class="narrow">
      <p class="breadcrumb">
        <a href={href('shop')}>Shop</a>
      </p>
      <ResourceNotes of={[item]} loading="the item" />
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
            <dt>Next on air</dt>
            <dd class="next-broadcast">
              {detail.next_broadcast_at ? (
                <time dateTime={detail.next_broadcast_at}>{formatDateTime(detail.next_broadcast_at)}</time>
              ) : (
                'No broadcast scheduled'
              )}
            </dd>
          </dl>
          <AlarmToggle item={detail} />
          <ActionForm
            class="inline-form"
            action={order}
            onSubmit={() => count !== undefined && void order.run(count)}
            valid={valid}
            submit="Order"
            busy="Ordering…"
          >
            <h2>Order</h2>
            <WholeNumberField id="quantity" label="Quantity" min={1} max={100} value={quantity} onValue={setQuantity} />
            <p>
              Total: <strong>{formatPoints(detail.price * (count ?? 0))}</strong>
            </p>
          </ActionForm>
        </>
      )}
      {!detail && !item.loading && <PageTitle>Item</PageTitle>}
    </section>
  );
}
