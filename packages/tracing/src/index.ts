export * from './propagation';
export * from './start-tracing';
export { tracingEnabled } from './tracer';
export * from './server-spans';
