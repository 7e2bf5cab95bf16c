export * from './queue-guard-plugin';
export * from './token-verifier';
export { QUEUE_GUARD_MIGRATIONS } from './migrations';
