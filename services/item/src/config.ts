import { Type, type Static } from '@sinclair/typebox';
import { Secret, commonEnv, loadConfig } from '@boxoffice/config';

export const ItemConfigSchema = Type.Object({
  ...commonEnv('item', 5001),
  /** Asked for a user's alarms only while the local alarms replica is still cold. */
  ALARM_SERVICE_URL: Type.String({ pattern: '^https?://', default: 'http://127.0.0.1:6001' }),
  /** Asked for a USER-TOKEN the local users replica does not know yet. */
  USER_SERVICE_URL: Type.String({ pattern: '^https?://', default: 'http://127.0.0.1:7001' }),
  /** Timeout of one call to a peer, in ms; the circuit breaker counts the ones that run over. */
  PEER_TIMEOUT_MS: Type.Integer({ minimum: 50, maximum: 30_000, default: 1_000 }),
  /** Shared with peers that call service-to-service routes (POST /api/inventory/lock); same default as theirs. */
  INTERNAL_API_TOKEN: Secret(
    'dev-internal-token-change-me',
    'shared by the services for /internal routes and peer calls',
  ),
});
export type ItemConfig = Static<typeof ItemConfigSchema>;

export const readConfig = (env: NodeJS.ProcessEnv = process.env): ItemConfig => loadConfig(ItemConfigSchema, env);
