import { ItemChanged } from '@boxoffice/contracts';
import { replicaTable } from '@boxoffice/replica';

/** The item service's items, as far as item.changed events (or its answers while cold) have told us. */
export const itemsReplica = replicaTable(ItemChanged, {
  table: 'items_replica',
  key: 'id',
  // the fields alarm lists show; later payload fields (product code, broadcasts) are not kept here
  fields: ['name', 'broadcaster', 'category', 'price', 'stock', 'deleted'],
});
