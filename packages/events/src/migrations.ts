import path from 'node:path';
import type { MigrationSource } from '@boxoffice/db';

/** The outbox, inbox and dead-letter tables: every service applies these beside its own migrations. */
export const EVENTS_MIGRATIONS: MigrationSource = {
  namespace: 'events',
  directory: path.join(__dirname, '..', 'migrations'),
};
