import pg from 'pg';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;
/** Anything a repository can run a query on: the pool, or a client inside a transaction. */
export type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

/**
 * BIGINT (int8) exactly: a JS number while it is a safe integer (every input is bounded to that, see `Int8` in
 * @boxoffice/http), a BigInt beyond it, never a rounded number (pg's own default is a string; parseInt rounded
 * past 2^53). Responses write both as JSON integers: fast-json-stringify serialises a BigInt exactly.
 */
export function parseInt8Exactly(value: string): number | bigint {
  const number = Number(value);
  return Number.isSafeInteger(number) ? number : BigInt(value);
}
pg.types.setTypeParser(pg.types.builtins.INT8, parseInt8Exactly);

export interface PoolOptions {
  max?: number;
  applicationName?: string;
}

export function createPool(databaseUrl: string, options: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.max ?? 20,
    application_name: options.applicationName,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its connection (PostgreSQL restart) must not crash the process: the pool replaces it.
  pool.on('error', () => undefined);
  // pg-pool takes its own listener off a client while it is checked out, so a connection lost mid-transaction
  // would be an unhandled 'error' event and kill the process. The work in flight still fails (its queries
  // reject), and the pool discards the broken client when it is released.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

/** The database name and the URL of the same server's maintenance database. */
export function splitDatabaseUrl(databaseUrl: string): { database: string; serverUrl: string } {
  const url = new URL(databaseUrl);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!database) throw new Error(`DATABASE_URL names no database: ${databaseUrl}`);
  url.pathname = '/postgres';
  return { database, serverUrl: url.toString() };
}

/**
 * Creates the service's database when it does not exist yet, so a fresh machine needs no manual step.
 * Safe when several instances start at once.
 */
export async function ensureDatabase(databaseUrl: string): Promise<void> {
  const { database, serverUrl } = splitDatabaseUrl(databaseUrl);
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE ${quoteIdentifier(database)}`).catch((error: { code?: string }) => {
        if (error.code !== '42P04' && error.code !== '23505') throw error; // created meanwhile by another instance
      });
    }
  } finally {
    await client.end();
  }
}

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
