import { AlarmChanged } from '@boxoffice/contracts';
import type { Queryable } from '@boxoffice/db';
import { replicaTable } from '@boxoffice/replica';

/** The alarm service's alarms, as far as alarm.changed events have told us: answers is_alarm_set locally. */
export const alarmsReplica = replicaTable(AlarmChanged, { table: 'alarms_replica', key: ['userId', 'itemId'] });

export const alarmedItemIds = async (db: Queryable, userId: number): Promise<ReadonlySet<number>> =>
  new Set((await alarmsReplica.select(db, { userId, active: true })).map((alarm) => alarm.itemId));
