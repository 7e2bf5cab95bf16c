import path from 'node:path';
import type { MigrationSource } from '@boxoffice/db';

/**
 * The queue_tokens_replica and queue_rooms_replica tables: services that guard routes with queue tokens apply these
 * beside their own.
 */
export const QUEUE_GUARD_MIGRATIONS: MigrationSource = {
  namespace: 'queue-guard',
  directory: path.join(__dirname, '..', 'migrations'),
};
