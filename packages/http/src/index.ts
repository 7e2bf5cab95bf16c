/// <reference types="@fastify/swagger" preserve="true" />
export * from './create-app';
export * from './serve';
export * from './schema-helpers';
export * from './validation';
export * from './idempotent-route';
export * from './route-group';
export * from './internal-token';
