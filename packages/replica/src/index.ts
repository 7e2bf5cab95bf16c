export * from './replica-table';
export * from './peer-client';
export * from './owned-replica';
export * from './snapshot';
