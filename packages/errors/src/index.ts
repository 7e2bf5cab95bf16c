export * from './app-error';
export * from './body-user-id';
