import { AlarmChanged, ItemChanged } from '@boxoffice/contracts';
import type { Queryable } from '@boxoffice/db';
import { replicaTable } from '@boxoffice/replica';

/** The item service's items, as far as item.changed events (or its answers while cold) have told us. */
export const itemsReplica = replicaTable(ItemChanged, {
  table: 'items_replica',
  key: 'id',
  // the fields /visit shows; later payload fields (product code, broadcasts) are not kept here
  fields: ['name', 'broadcaster', 'category', 'price', 'stock', 'deleted'],
});

/** The alarm service's alarms, as far as alarm.changed events have told us: is_alarm_set on /visit. */
export const alarmsReplica = replicaTable(AlarmChanged, { table: 'alarms_replica', key: ['userId', 'itemId'] });

export const alarmedItemIds = async (db: Queryable, userId: number): Promise<ReadonlySet<number>> =>
  new Set((await alarmsReplica.select(db, { userId, active: true })).map((alarm) => alarm.itemId));
