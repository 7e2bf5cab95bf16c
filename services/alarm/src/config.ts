import { Type, type Static } from '@sinclair/typebox';
import { Secret, commonEnv, loadConfig } from '@boxoffice/config';

export const AlarmConfigSchema = Type.Object({
  ...commonEnv('alarm', 6001),
  /** Asked for items the local items replica does not hold (cold start, event in flight). */
  ITEM_SERVICE_URL: Type.String({ pattern: '^https?://', default: 'http://127.0.0.1:5001' }),
  /** Asked for a USER-TOKEN the local users replica does not know yet. */
  USER_SERVICE_URL: Type.String({ pattern: '^https?://', default: 'http://127.0.0.1:7001' }),
  /** Timeout of one call to a peer, in ms; the circuit breaker counts the ones that run over. */
  PEER_TIMEOUT_MS: Type.Integer({ minimum: 50, maximum: 30_000, default: 1_000 }),
  /** How long before a broadcast starts an alarm on its item notifies the user (issue 15: 10 minutes). */
  BROADCAST_ALARM_LEAD_SECONDS: Type.Integer({ minimum: 0, maximum: 7 * 86_400, default: 600 }),
  /** How often an instance looks for broadcast reminders that are due. */
  BROADCAST_SWEEP_INTERVAL_MS: Type.Integer({ minimum: 20, maximum: 600_000, default: 1_000 }),
  /** Peers holding it may send notifications to anyone (POST /api/notification/send); same default as theirs. */
  INTERNAL_API_TOKEN: Secret(
    'dev-internal-token-change-me',
    'shared by the services for /internal routes and peer calls',
  ),
});
export type AlarmConfig = Static<typeof AlarmConfigSchema>;

export const readConfig = (env: NodeJS.ProcessEnv = process.env): AlarmConfig => loadConfig(AlarmConfigSchema, env);
