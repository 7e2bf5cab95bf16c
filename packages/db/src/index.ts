export * from './pool';
export * from './migrate';
export * from './migrate-command';
export * from './transaction';
export * from './postgres-plugin';
export * from './idempotency-keys';
export * from './coalesce';
export * from './page';
