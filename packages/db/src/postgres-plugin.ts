import fp from 'fastify-plugin';
import type pg from 'pg';
import { createPool, ensureDatabase } from './pool';
import { migrate, migrationsApplied, readMigrations, type MigrationSource } from './migrate';

declare module 'fastify' {
  interface FastifyInstance {
    pg: pg.Pool;
    addReadinessCheck(name: string, check: () => Promise<boolean>): void;
  }
}

export interface PostgresPluginOptions {
  service: string;
  databaseUrl: string;
  poolSize?: number;
  migrations: MigrationSource[];
}

/**
 * The service's own database: created if missing, migrated before the app is ready, checked by /ready,
 * closed on shutdown.
 */
export const postgresPlugin = fp<PostgresPluginOptions>(
  async (app, options) => {
    await ensureDatabase(options.databaseUrl);
    const pool = createPool(options.databaseUrl, { max: options.poolSize, applicationName: options.service });
    const applied = await migrate(pool, options.migrations);
    if (applied.length > 0) app.log.info({ applied }, 'database migrated');
    const expected = readMigrations(options.migrations);
    app.decorate('pg', pool);
    app.addReadinessCheck('database', () => migrationsApplied(pool, expected));
    app.addHook('onClose', async () => {
      await pool.end();
    });
  },
  { name: 'postgres', dependencies: [] },
);
