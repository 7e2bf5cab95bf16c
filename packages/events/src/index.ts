export * from './kafka';
export * from './outbox';
export * from './outbox-relay';
export * from './consumer';
export * from './replica';
export { EVENTS_MIGRATIONS } from './migrations';
export * from './events-plugin';
