export * from './propagation';
export * from './start-tracing';
export { tracingEnabled } from './tracer';
