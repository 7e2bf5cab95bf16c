import { Type, type Static } from '@sinclair/typebox';
import { commonEnv, internalTokenEnv, loadConfig, peerTimeoutEnv, peerUrl } from '@boxoffice/config';

export const AlarmConfigSchema = Type.Object({
  ...commonEnv('alarm', 6001),
  /** Asked for items the local items replica does not hold (cold start, event in flight). */
  ITEM_SERVICE_URL: peerUrl('item'),
  /** Asked for a USER-TOKEN the local users replica does not know yet. */
  USER_SERVICE_URL: peerUrl('user'),
  ...peerTimeoutEnv(),
  /** How long before a broadcast starts an alarm on its item notifies the user (issue 15: 10 minutes). */
  BROADCAST_ALARM_LEAD_SECONDS: Type.Integer({ minimum: 0, maximum: 7 * 86_400, default: 600 }),
  /** How often an instance looks for broadcast reminders that are due. */
  BROADCAST_SWEEP_INTERVAL_MS: Type.Integer({ minimum: 20, maximum: 600_000, default: 1_000 }),
  // peers holding it may send notifications to anyone (POST /api/notification/send)
  ...internalTokenEnv(),
});
export type AlarmConfig = Static<typeof AlarmConfigSchema>;

export const readConfig = (env: NodeJS.ProcessEnv = process.env): AlarmConfig => loadConfig(AlarmConfigSchema, env);
