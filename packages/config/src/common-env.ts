import { Type } from '@sinclair/typebox';
import { eventKeysEnv } from './event-keys';
import { Secret, explicitInProduction } from './production';

/** Ports and URLs of the native infrastructure that scripts/infra.sh starts. */
export const INFRA_DEFAULTS = {
  postgresServer: 'postgres://postgres@127.0.0.1:54329',
  redisUrl: 'redis://127.0.0.1:63799',
  kafkaBrokers: '127.0.0.1:9092',
} as const;

/** Where each service listens by default on the native stack; a peer's URL setting defaults to it. */
export const SERVICE_PORTS = { item: 5001, alarm: 6001, user: 7001, queue: 8001, ticket: 8002, payment: 8003 } as const;

/** The base-URL setting of a peer service (e.g. `ITEM_SERVICE_URL: peerUrl('item')`). */
export const peerUrl = (peer: keyof typeof SERVICE_PORTS) =>
  Type.String({ pattern: '^https?://', default: `http://127.0.0.1:${SERVICE_PORTS[peer]}` });

/** The secret the services present on each other's /internal routes; the gateway never routes /internal. */
export const internalTokenEnv = () => ({
  INTERNAL_API_TOKEN: Secret(
    'dev-internal-token-change-me',
    'shared by the services for /internal routes and peer calls',
  ),
});

/** Timeout of one call to a peer, in ms; the circuit breaker counts the ones that run over. */
export const peerTimeoutEnv = () => ({
  PEER_TIMEOUT_MS: Type.Integer({ minimum: 50, maximum: 30_000, default: 1_000 }),
});

/** The settings every service has. A service spreads these into its own schema and adds its own. */
export const commonEnv = (service: keyof typeof SERVICE_PORTS | 'gateway', defaultPort: number) => ({
  SERVICE_NAME: Type.String({ default: service }),
  HOST: Type.String({ default: '127.0.0.1' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: defaultPort }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
    { default: 'info' },
  ),
  /** Carries the database password: production must set it (the default is the local, password-less server). */
  DATABASE_URL: explicitInProduction(
    Type.String({ pattern: '^postgres(ql)?://', default: `${INFRA_DEFAULTS.postgresServer}/boxoffice_${service}` }),
  ),
  DATABASE_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 200, default: 20 }),
  /** May carry Redis's password: production must set it (the default is the local, password-less server). */
  REDIS_URL: explicitInProduction(Type.String({ pattern: '^rediss?://', default: INFRA_DEFAULTS.redisUrl })),
  KAFKA_BROKERS: Type.String({ minLength: 1, default: INFRA_DEFAULTS.kafkaBrokers }),
  /** Prepended to every topic name: tests give each file its own topics. */
  KAFKA_TOPIC_PREFIX: Type.String({ default: '' }),
  /**
   * Loads the demo data on first start when the service's tables are empty. Its users' passwords and tokens are
   * public (README), so NODE_ENV=production refuses it unless ALLOW_DEMO_DATA_IN_PRODUCTION is also true.
   */
  DEMO_DATA: Type.Boolean({ default: true }),
  ALLOW_DEMO_DATA_IN_PRODUCTION: Type.Boolean({ default: false }),
  /** Largest request body accepted, in bytes; larger ones get 413. */
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, default: 64 * 1024 }),
  /** A client that has not sent its whole request (headers and body) this long after its first byte gets 408. */
  REQUEST_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 600_000, default: 30_000 }),
  /** A client that has not sent its headers this long after its first byte gets 408 (slow-headers attacks). */
  HEADERS_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 600_000, default: 10_000 }),
  /** An idle kept-alive connection is closed after this long (above the 60 s idle timeout of most load balancers). */
  KEEP_ALIVE_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 600_000, default: 72_000 }),
  /** A socket with no traffic at all for this long is closed. */
  CONNECTION_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 3_600_000, default: 120_000 }),
  /** Signing this service's events and checking its peers' (the gateway drops them: it has no events). */
  ...eventKeysEnv(service, Object.keys(SERVICE_PORTS)),
});
