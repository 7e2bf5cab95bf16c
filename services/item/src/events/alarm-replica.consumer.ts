import { AlarmChanged, TOPICS, type AlarmChangedPayload } from '@boxoffice/contracts';
import type { App } from '@boxoffice/http';
import { applyAlarm } from '../db/alarms-replica.repo';

/** Keeps alarms_replica in step with the alarm service, so is_alarm_set never needs a call. */
export function consumeAlarms(app: App) {
  return app.events.consume({
    groupId: 'item.alarms-replica',
    topics: [TOPICS.alarms],
    handlers: {
      [AlarmChanged.type]: async (event, db) => {
        await applyAlarm(db, event.payload as AlarmChangedPayload, event.aggregateVersion);
      },
    },
  });
}
