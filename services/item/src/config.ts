import { Type, type Static } from '@sinclair/typebox';
import { commonEnv, internalTokenEnv, loadConfig, peerTimeoutEnv, peerUrl } from '@boxoffice/config';

export const ItemConfigSchema = Type.Object({
  ...commonEnv('item', 5001),
  /** Asked for a user's alarms only while the local alarms replica is still cold. */
  ALARM_SERVICE_URL: peerUrl('alarm'),
  /** Asked for a USER-TOKEN the local users replica does not know yet. */
  USER_SERVICE_URL: peerUrl('user'),
  ...peerTimeoutEnv(),
  // shared with peers that call service-to-service routes (POST /api/inventory/lock)
  ...internalTokenEnv(),
});
export type ItemConfig = Static<typeof ItemConfigSchema>;

export const readConfig = (env: NodeJS.ProcessEnv = process.env): ItemConfig => loadConfig(ItemConfigSchema, env);
