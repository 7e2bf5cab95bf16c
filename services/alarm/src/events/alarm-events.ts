import { AlarmChanged } from '@boxoffice/contracts';
import type { Queryable } from '@boxoffice/db';
import { appendEvent } from '@boxoffice/events';
import type { AlarmRow } from '../db/alarms.repo';

/** Every change to an alarm is published as its new state; call it in the transaction that made the change. */
export function publishAlarmChanged(db: Queryable, alarm: AlarmRow) {
  return appendEvent(db, 'alarm', AlarmChanged, {
    aggregateId: `${alarm.userId}:${alarm.itemId}`,
    aggregateVersion: alarm.revision,
    payload: { userId: alarm.userId, itemId: alarm.itemId, active: alarm.active },
  });
}
