import { createPool, ensureDatabase } from './pool';
import { migrate, type MigrationSource } from './migrate';

/**
 * Creates the service's database when it is missing and applies its migrations, on a connection of its own.
 * Several at once are safe: migrate() takes an advisory lock, so the others wait and then find nothing to do.
 */
export async function runMigrations(
  service: string,
  databaseUrl: string,
  sources: MigrationSource[],
): Promise<string[]> {
  await ensureDatabase(databaseUrl);
  const pool = createPool(databaseUrl, { max: 1, applicationName: `${service}-migrate` });
  try {
    return await migrate(pool, sources);
  } finally {
    await pool.end();
  }
}

/**
 * The body of `node services/<name>/dist/migrate.js`: migrates and exits, so a deployment can migrate before any
 * instance serves (a Kubernetes init container). One line on stderr says what happened; a failure exits 1.
 */
export async function migrateAndExit(
  service: string,
  readDatabaseUrl: () => string,
  sources: MigrationSource[],
): Promise<void> {
  try {
    const applied = await runMigrations(service, readDatabaseUrl(), sources);
    console.error(
      applied.length > 0 ? `${service}: applied ${applied.join(', ')}` : `${service}: database already migrated`,
    );
    process.exit(0);
  } catch (error) {
    console.error(`${service}: migration failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
