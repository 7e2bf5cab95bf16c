export * from './user-auth-plugin';
export { USER_AUTH_MIGRATIONS } from './migrations';
