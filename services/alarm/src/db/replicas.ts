import { ItemChanged } from '@boxoffice/contracts';
import { replicaTable } from '@boxoffice/replica';

/**
 * The item service's items, as far as item.changed events (or its answers while cold) have told us, with their
 * product code and broadcast slots (null for events from before slots existed).
 */
export const itemsReplica = replicaTable(ItemChanged, { table: 'items_replica', key: 'id' });
