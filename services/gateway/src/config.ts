import path from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { commonEnv, loadConfig } from '@boxoffice/config';

const urls = (port: number) =>
  Type.String({ minLength: 1, default: `http://127.0.0.1:${port}`, description: 'comma-separated instance URLs' });

// The gateway owns no data: no database, no events and no demo data to configure (production would otherwise ask for them).
const {
  DATABASE_URL: _noDatabase,
  DATABASE_POOL_SIZE: _noPool,
  DEMO_DATA: _noDemoData,
  ALLOW_DEMO_DATA_IN_PRODUCTION: _noDemoOptIn,
  EVENT_SIGNING_KEY: _noEventKey,
  EVENT_VERIFY_KEYS: _noEventPeers,
  ...gatewayCommonEnv
} = commonEnv('gateway', 8080);

export const GatewayConfigSchema = Type.Object({
  ...gatewayCommonEnv,
  USER_SERVICE_URLS: urls(7001),
  ITEM_SERVICE_URLS: urls(5001),
  ALARM_SERVICE_URLS: urls(6001),
  QUEUE_SERVICE_URLS: urls(8001),
  TICKET_SERVICE_URLS: urls(8002),
  PAYMENT_SERVICE_URLS: urls(8003),
  UPSTREAM_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 10_000 }),
  /** Requests one caller may make per window; a caller is its USER-TOKEN, its queue token's user, or its IP. */
  RATE_LIMIT_MAX: Type.Integer({ minimum: 1, default: 300 }),
  RATE_LIMIT_WINDOW_SECONDS: Type.Integer({ minimum: 1, default: 10 }),
  /** Requests one IP address may make per window, whatever credentials it presents. */
  RATE_LIMIT_IP_MAX: Type.Integer({ minimum: 1, default: 3_000 }),
  /** How often an instance adds the requests it counted locally to the shared counts in Redis (docs/security.md). */
  RATE_LIMIT_SYNC_MS: Type.Integer({ minimum: 10, maximum: 10_000, default: 100 }),
  /** The built web front served at `/` (web/dist of this checkout); without an index.html there, no front. */
  WEB_ROOT: Type.String({ minLength: 1, default: path.resolve(__dirname, '..', '..', '..', 'web', 'dist') }),
  /** Sign-ups (POST /api/users/users) one IP address may make per window: accounts are free to mint otherwise. */
  SIGNUP_RATE_LIMIT_MAX: Type.Integer({ minimum: 1, default: 20 }),
  SIGNUP_RATE_LIMIT_WINDOW_SECONDS: Type.Integer({ minimum: 1, default: 3_600 }),
});
export type GatewayConfig = Static<typeof GatewayConfigSchema>;

export const readConfig = (env: NodeJS.ProcessEnv = process.env): GatewayConfig => loadConfig(GatewayConfigSchema, env);

export const instanceUrls = (list: string) =>
  list
    .split(',')
    .map((url) => url.trim().replace(/\/$/, ''))
    .filter(Boolean);
