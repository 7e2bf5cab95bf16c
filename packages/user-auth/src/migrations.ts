import path from 'node:path';
import type { MigrationSource } from '@boxoffice/db';

/** The users_replica table: services that resolve USER-TOKEN apply these beside their own migrations. */
export const USER_AUTH_MIGRATIONS: MigrationSource = {
  namespace: 'user-auth',
  directory: path.join(__dirname, '..', 'migrations'),
};
