import { Type, type Static } from '@sinclair/typebox';
import { Secret, commonEnv, loadConfig } from '@boxoffice/config';

export const UserConfigSchema = Type.Object({
  ...commonEnv('user', 7001),
  /** Asked for items the local items replica does not hold (cold start, event in flight). */
  ITEM_SERVICE_URL: Type.String({ pattern: '^https?://', default: 'http://127.0.0.1:5001' }),
  /** Asked for a user's alarms only while the local alarms replica is still cold. */
  ALARM_SERVICE_URL: Type.String({ pattern: '^https?://', default: 'http://127.0.0.1:6001' }),
  /** Timeout of one call to a peer, in ms; the circuit breaker counts the ones that run over. */
  PEER_TIMEOUT_MS: Type.Integer({ minimum: 50, maximum: 30_000, default: 1_000 }),
  /** Presented to the item service's /internal routes (items by id for the recently-viewed list). */
  INTERNAL_API_TOKEN: Secret(
    'dev-internal-token-change-me',
    'shared by the services for /internal routes and peer calls',
  ),
});
export type UserConfig = Static<typeof UserConfigSchema>;

export const readConfig = (env: NodeJS.ProcessEnv = process.env): UserConfig => loadConfig(UserConfigSchema, env);
