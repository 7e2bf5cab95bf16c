import { Type, type Static } from '@sinclair/typebox';
import { defineEvent } from './envelope';
import { TOPICS } from './topics';

/**
 * The state of one user's alarm on one item after a change (set or cleared). The aggregate id is
 * `<userId>:<itemId>`; `aggregateVersion` increases with every change, so replicas apply it in order.
 */
export const AlarmChangedPayload = Type.Object({
  userId: Type.Integer(),
  itemId: Type.Integer(),
  active: Type.Boolean(),
});
export type AlarmChangedPayload = Static<typeof AlarmChangedPayload>;

export const AlarmChanged = defineEvent('alarm.changed', TOPICS.alarms, 'alarm', AlarmChangedPayload);
