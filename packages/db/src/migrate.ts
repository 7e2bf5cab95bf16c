import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';

export interface MigrationSource {
  /** Migrations of different sources are numbered independently, e.g. "events" (kernel tables) and "service". */
  namespace: string;
  directory: string;
}

export interface Migration {
  namespace: string;
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

const FILE_PATTERN = /^(\d{3,})_([a-z0-9_]+)\.sql$/;
const LOCK_KEY = 7_001_001; // one migrator at a time per database, whatever the number of instances

export function readMigrations(sources: MigrationSource[]): Migration[] {
  return sources.flatMap(({ namespace, directory }) =>
    readdirSync(directory)
      .filter((file) => file.endsWith('.sql'))
      .map((file) => {
        const match = FILE_PATTERN.exec(file);
        if (!match) throw new Error(`Migration file ${path.join(directory, file)} must be named NNN_snake_case.sql`);
        const sql = readFileSync(path.join(directory, file), 'utf8');
        return {
          namespace,
          version: Number(match[1]),
          name: match[2]!,
          sql,
          checksum: createHash('sha256').update(sql).digest('hex'),
        };
      })
      .sort((a, b) => a.version - b.version),
  );
}

/**
 * Applies numbered, forward-only SQL migrations, each in its own transaction. An applied migration whose file
 * has changed since stops start-up: the database and the code would disagree about the schema.
 */
export async function migrate(pool: pg.Pool, sources: MigrationSource[]): Promise<string[]> {
  const migrations = readMigrations(sources);
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      namespace text NOT NULL,
      version integer NOT NULL,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (namespace, version))`);
    const { rows } = await client.query<{ namespace: string; version: number; checksum: string }>(
      'SELECT namespace, version, checksum FROM schema_migrations',
    );
    const done = new Map(rows.map((row) => [`${row.namespace}/${row.version}`, row.checksum]));
    for (const migration of migrations) {
      const key = `${migration.namespace}/${migration.version}`;
      const checksum = done.get(key);
      if (checksum !== undefined) {
        if (checksum !== migration.checksum) {
          throw new Error(
            `Migration ${key}_${migration.name} was changed after it was applied; add a new migration instead`,
          );
        }
        continue;
      }
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query(
          'INSERT INTO schema_migrations (namespace, version, name, checksum) VALUES ($1, $2, $3, $4)',
          [migration.namespace, migration.version, migration.name, migration.checksum],
        );
        await client.query('COMMIT');
        applied.push(`${key}_${migration.name}`);
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`Migration ${key}_${migration.name} failed: ${(error as Error).message}`);
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => undefined);
    client.release();
  }
  return applied;
}

/** For /ready: true when every migration known to the code has been applied. */
export async function migrationsApplied(pool: pg.Pool, expected: Migration[]): Promise<boolean> {
  const { rows } = await pool.query<{ namespace: string; version: number }>(
    'SELECT namespace, version FROM schema_migrations',
  );
  const applied = new Set(rows.map((row) => `${row.namespace}/${row.version}`));
  return expected.every((migration) => applied.has(`${migration.namespace}/${migration.version}`));
}

/** A plugin that needs tables: bootService applies its `migrations` (with the service's own) before starting it. */
export type WithMigrations<P> = P & { readonly migrations: readonly MigrationSource[] };

export function withMigrations<P extends object>(plugin: P, ...migrations: MigrationSource[]): WithMigrations<P> {
  return Object.assign(plugin, { migrations });
}
