import { Type, type Static } from '@sinclair/typebox';
import { commonEnv, internalTokenEnv, loadConfig, peerTimeoutEnv, peerUrl } from '@boxoffice/config';

export const UserConfigSchema = Type.Object({
  ...commonEnv('user', 7001),
  /** Asked for items the local items replica does not hold (cold start, event in flight). */
  ITEM_SERVICE_URL: peerUrl('item'),
  /** Asked for a user's alarms only while the local alarms replica is still cold. */
  ALARM_SERVICE_URL: peerUrl('alarm'),
  ...peerTimeoutEnv(),
  // presented to the item service's /internal routes (items by id for the recently-viewed list)
  ...internalTokenEnv(),
});
export type UserConfig = Static<typeof UserConfigSchema>;

export const readConfig = (env: NodeJS.ProcessEnv = process.env): UserConfig => loadConfig(UserConfigSchema, env);
