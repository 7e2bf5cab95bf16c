import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { INFRA_DEFAULTS } from '@boxoffice/config';

/** Where the tests' infrastructure is: the env when given (CI or a developer's own servers), else scripts/infra.sh's. */
const env = process.env;
export const testInfra = {
  postgresServer:
    env.TEST_POSTGRES_SERVER ??
    (env.PG_PORT ? `postgres://postgres@127.0.0.1:${env.PG_PORT}` : INFRA_DEFAULTS.postgresServer),
  redisUrl: env.REDIS_URL ?? (env.REDIS_PORT ? `redis://127.0.0.1:${env.REDIS_PORT}` : INFRA_DEFAULTS.redisUrl),
  kafkaBrokers: env.KAFKA_BROKERS ?? (env.KAFKA_PORT ? `127.0.0.1:${env.KAFKA_PORT}` : INFRA_DEFAULTS.kafkaBrokers),
};

export const uniqueSuffix = () => randomBytes(4).toString('hex');

/**
 * Settings for one service under test: its own fresh database and its own Kafka topic prefix, so test files
 * never see each other's data or events. The database is created by the service on start.
 */
export function testEnv(service: string, overrides: Record<string, string> = {}): Record<string, string> {
  const suffix = uniqueSuffix();
  return {
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: `${testInfra.postgresServer}/t_${service}_${suffix}`,
    REDIS_URL: testInfra.redisUrl,
    KAFKA_BROKERS: testInfra.kafkaBrokers,
    KAFKA_TOPIC_PREFIX: `t${suffix}.`,
    DEMO_DATA: 'false',
    ...overrides,
  };
}

/** Drops a test database (force-closing what still uses it). */
export async function dropDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = url.pathname.slice(1);
  if (!name.startsWith('t_')) throw new Error(`refusing to drop ${name}: not a test database`);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
