import type { PageProps } from '../app';
import { itemApi, type ItemView } from '../api/item';
import { AlarmToggle } from '../components/alarm-toggle';
import { PageTitle } from '../components/page-title';
import { ResourceNotes } from '../components/resource-notes';
import { useResource } from '../components/use-resource';
import { formatDateTime, formatPoints } from '../domain/format';
import { href } from '../routes';

/** When the item is next on air; nothing for a list that does not say (recently viewed). */
export function NextBroadcast({ at }: { at: string | null | undefined }) {
  if (at === undefined) return null;
  return (
    <p class="hint next-broadcast">
      {at === null ? (
        'No broadcast scheduled'
      ) : (
        <>
          Next on air: <time dateTime={at}>{formatDateTime(at)}</time>
        </>
      )}
    </p>
  );
}

export function ItemCard({ item }: { item: ItemView }) {
  return (
    <li class="card item-card">
      <p class="hint">
        {item.category} · {item.broadcaster}
      </p>
      <h2 class="item-name">
        <a href={href('item', { itemId: item.id })}>{item.name}</a>
      </h2>
      <p class="price">{formatPoints(item.price)}</p>
      <NextBroadcast at={item.next_broadcast_at} />
      <AlarmToggle item={item} />
    </li>
  );
}

export function ShopPage(_: PageProps) {
  const items = useResource(() => itemApi.list(), []);
  return (
    <section>
      <PageTitle>Shop</PageTitle>
      <p class="lead">
        Set an alarm to be told before an item goes on air. <a href={href('recent')}>Recently viewed</a> ·{' '}
        <a href={href('notifications')}>Notifications</a>
      </p>
      <ResourceNotes of={[items]} loading="items" />
      {items.data && (
        <ul class="cards items" aria-label={`${items.data.count} items`}>
          {items.data.payload.map((item) => (
            <ItemCard item={item} key={item.id} />
          ))}
        </ul>
      )}
    </section>
  );
}
