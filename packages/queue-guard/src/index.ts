import { withMigrations } from '@boxoffice/db';
import { QUEUE_GUARD_MIGRATIONS } from './migrations';
import { queueGuardPlugin as plugin } from './queue-guard-plugin';

export * from './queue-guard-plugin';
export * from './token-verifier';
export { QUEUE_GUARD_MIGRATIONS };
/** The plugin, with the queue_tokens_replica table it needs (bootService applies it). */
export const queueGuardPlugin = withMigrations(plugin, QUEUE_GUARD_MIGRATIONS);
