import type { PageProps } from '../app';
import { userApi } from '../api/user';
import { PageTitle } from '../components/page-title';
import { ResourceNotes } from '../components/resource-notes';
import { useResource } from '../components/use-resource';
import { href } from '../routes';
import { ItemCard } from './shop.page';

export function RecentPage(_: PageProps) {
  const recent = useResource(() => userApi.recentlyViewed(), []);
  return (
    <section>
      <p class="breadcrumb">
        <a href={href('shop')}>Shop</a>
      </p>
      <PageTitle>Recently viewed</PageTitle>
      <ResourceNotes of={[recent]} loading="what you viewed" />
      {recent.data && recent.data.count === 0 && (
        <p>
          Nothing yet: the last three items you open appear here. <a href={href('shop')}>Browse the shop</a>.
        </p>
      )}
      {recent.data && recent.data.count > 0 && (
        <ul class="cards items" aria-label="Recently viewed items, newest first">
          {recent.data.payload.map((item) => (
            <ItemCard item={item} key={item.id} />
          ))}
        </ul>
      )}
    </section>
  );
}
