import { Type, type Static } from '@sinclair/typebox';
import { commonEnv, internalTokenEnv, loadConfig, peerTimeoutEnv, peerUrl } from '@boxoffice/config';

export const AlarmConfigSchema = Type.Object({
  ...commonEnv('alarm', 6001),
  /** Asked for items the local items replica does not hold (cold start, event in flight). */
  ITEM_SERVICE_URL: peerUrl('item'),
  /** Asked for a USER-TOKEN the local users replica does not know yet. */
  USER_SERVICE_URL: peerUrl('user'),
  ...peerTimeoutEnv(),
  // peers holding it may send notifications to anyone (POST /api/notification/send)
  ...internalTokenEnv(),
});
export type AlarmConfig = Static<typeof AlarmConfigSchema>;

export const readConfig = (env: NodeJS.ProcessEnv = process.env): AlarmConfig => loadConfig(AlarmConfigSchema, env);
