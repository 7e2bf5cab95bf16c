export * from './load-config';
export * from './common-env';
export * from './production';
export * from './event-keys';
