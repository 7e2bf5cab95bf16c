export * from './redis';
export * from './resilient-client';
export * from './redis-plugin';
export * from './breaker-metrics';
