import type * as Api from '@opentelemetry/api';
import { setTracing, tracing } from './tracer';

/* eslint-disable @typescript-eslint/no-require-imports -- the OTel packages are loaded only when tracing is on */

export interface TracingSettings {
  /** W3C trace ids sampled, 0..1 (OTEL_TRACES_SAMPLER_ARG; default 1). A request with a sampled parent is kept. */
  ratio: number;
  /**
   * Whether this process starts traces (TRACING_EDGE; the gateway by default): it samples the requests that come
   * without a traceparent at `ratio`. Behind the edge such a request, or an event without one, was not sampled
   * there, so it is not traced at all and costs (almost) nothing.
   */
  edge: boolean;
}

export interface TracingRole {
  /** The default of TRACING_EDGE for this process: true for the gateway, where clients' requests come in. */
  edge?: boolean;
}

/**
 * Reads the tracing settings: null (tracing off) unless OTEL_EXPORTER_OTLP_ENDPOINT (or the traces-only
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set. A bad OTEL_TRACES_SAMPLER_ARG or TRACING_EDGE throws, naming the
 * variable.
 */
export function tracingSettings(env: NodeJS.ProcessEnv = process.env, role: TracingRole = {}): TracingSettings | null {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT && !env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return null;
  const given = env.OTEL_TRACES_SAMPLER_ARG?.trim();
  const ratio = given ? Number(given) : 1;
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1)
    throw new Error(`OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1 (the share of traces kept), not "${given}"`);
  const edgeGiven = env.TRACING_EDGE?.trim();
  if (edgeGiven && edgeGiven !== 'true' && edgeGiven !== 'false')
    throw new Error(`TRACING_EDGE must be true or false (whether this process starts traces), not "${edgeGiven}"`);
  return { ratio, edge: edgeGiven ? edgeGiven === 'true' : (role.edge ?? false) };
}

/**
 * Starts OpenTelemetry for this process when OTEL_EXPORTER_OTLP_ENDPOINT is set, and does nothing (loads nothing)
 * otherwise. Call it before anything requires pg, ioredis, undici or kafkajs: the instrumentations patch those
 * modules as they are loaded (each service's `src/tracing.ts`, the first import of its `server.ts`). Each HTTP
 * request's SERVER span is not an instrumentation's: `createApp` wraps its server in `tracedRequests`.
 *
 * Traces go over OTLP (OTEL_EXPORTER_OTLP_PROTOCOL: http/protobuf by default, http/json or grpc). The edge (the
 * gateway) samples by trace id at OTEL_TRACES_SAMPLER_ARG unless the caller's traceparent decided already; every
 * other process follows the traceparent it gets and traces nothing that comes without one (parent-based, with
 * an always-off root: the edge decided, and sent no traceparent for a trace it dropped). Only traces:
 * metrics stay on /metrics (Prometheus), logs on stdout. Database and Redis calls are recorded only inside a
 * request or a consumed event, so the background loops (relay polls, sweepers, heartbeats) make no traces.
 */
export function startTracing(service: string, role: TracingRole = {}, env: NodeJS.ProcessEnv = process.env): boolean {
  if (tracing()) return true;
  let settings: TracingSettings | null;
  try {
    settings = tracingSettings(env, role);
  } catch (error) {
    console.error(`${service}: failed to start: ${(error as Error).message}`);
    process.exit(1);
  }
  if (!settings) return false;
  const api = require('@opentelemetry/api') as typeof Api;
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { AlwaysOffSampler, ParentBasedSampler, TraceIdRatioBasedSampler } =
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
      : new ParentBasedSampler({
          root: settings.edge ? new TraceIdRatioBasedSampler(settings.ratio) : new AlwaysOffSampler(),
        }),
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
    edge: settings.edge,
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
