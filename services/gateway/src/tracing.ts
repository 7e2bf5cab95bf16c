import { startTracing } from '@boxoffice/tracing';

// Before anything else is loaded: the instrumentations patch fastify, pg, ioredis and kafkajs as they are required.
startTracing('gateway', { edge: true });
