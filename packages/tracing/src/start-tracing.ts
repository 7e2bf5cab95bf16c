import type * as Api from '@opentelemetry/api';
import { setTracing, tracing } from './tracer';

/* eslint-disable @typescript-eslint/no-require-imports -- the OTel packages are loaded only when tracing is on */

export interface TracingSettings {
  /** W3C trace ids sampled, 0..1 (OTEL_TRACES_SAMPLER_ARG; default 1). A request with a sampled parent is kept. */
  ratio: number;
}

/**
 * Reads the tracing settings: null (tracing off) unless OTEL_EXPORTER_OTLP_ENDPOINT (or the traces-only
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set. A bad OTEL_TRACES_SAMPLER_ARG throws, naming the variable.
 */
export function tracingSettings(env: NodeJS.ProcessEnv = process.env): TracingSettings | null {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT && !env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return null;
  const given = env.OTEL_TRACES_SAMPLER_ARG?.trim();
  const ratio = given ? Number(given) : 1;
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1)
    throw new Error(`OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1 (the share of traces kept), not "${given}"`);
  return { ratio };
}

/**
 * Starts OpenTelemetry for this process when OTEL_EXPORTER_OTLP_ENDPOINT is set, and does nothing (loads nothing)
 * otherwise. Call it before anything requires pg, ioredis, undici or kafkajs: the instrumentations patch those
 * modules as they are loaded (each service's `src/tracing.ts`, the first import of its `server.ts`). Each HTTP
 * request's SERVER span is not an instrumentation's: `createApp` wraps its server in `tracedRequests`.
 *
 * Traces go over OTLP (OTEL_EXPORTER_OTLP_PROTOCOL: http/protobuf by default, http/json or grpc), sampled by trace
 * id at OTEL_TRACES_SAMPLER_ARG unless the caller's traceparent decided already (parent-based). Only traces:
 * metrics stay on /metrics (Prometheus), logs on stdout. Database and Redis calls are recorded only inside a
 * request or a consumed event, so the background loops (relay polls, sweepers, heartbeats) make no traces.
 */
export function startTracing(service: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (tracing()) return true;
  let settings: TracingSettings | null;
  try {
    settings = tracingSettings(env);
  } catch (error) {
    console.error(`${service}: failed to start: ${(error as Error).message}`);
    process.exit(1);
  }
  if (!settings) return false;
  const api = require('@opentelemetry/api') as typeof Api;
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { ParentBasedSampler, TraceIdRatioBasedSampler } =
    require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
  const { suppressTracing } = require('@opentelemetry/core') as typeof import('@opentelemetry/core');
  const { PgInstrumentation } =
    require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  const { IORedisInstrumentation } =
    require('@opentelemetry/instrumentation-ioredis') as typeof import('@opentelemetry/instrumentation-ioredis');
  const { UndiciInstrumentation } =
    require('@opentelemetry/instrumentation-undici') as typeof import('@opentelemetry/instrumentation-undici');
  const { KafkaJsInstrumentation } =
    require('@opentelemetry/instrumentation-kafkajs') as typeof import('@opentelemetry/instrumentation-kafkajs');

  const sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME || service,
    sampler: env.OTEL_TRACES_SAMPLER
      ? undefined // the standard variable names another sampler: the SDK reads it
      : new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(settings.ratio) }),
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new PgInstrumentation({ requireParentSpan: true, ignoreConnectSpans: true }),
      // the command only: arguments may hold a token or a user's data
      new IORedisInstrumentation({ requireParentSpan: true, dbStatementSerializer: (command) => command }),
      new UndiciInstrumentation({ requireParentforSpans: true }),
      new KafkaJsInstrumentation(),
    ],
  });
  sdk.start();
  setTracing({
    api,
    tracer: api.trace.getTracer('@boxoffice/events'),
    suppressed: suppressTracing,
    shutdown: () => sdk.shutdown(),
  });
  return true;
}

/** Sends the spans still buffered and stops the SDK; nothing to do while tracing is off. */
export async function stopTracing(): Promise<void> {
  const started = tracing();
  setTracing(undefined);
  await started?.shutdown().catch(() => undefined);
}
