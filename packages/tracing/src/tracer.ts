import type * as Api from '@opentelemetry/api';

/**
 * What a started SDK gives the rest of the kernel. Held here because the SDK itself is process-wide (it registers
 * the global tracer provider, propagator and context manager); undefined while tracing is off, and then no
 * OpenTelemetry module is loaded at all: the OTel packages are `require`d only by `startTracing`.
 */
export interface StartedTracing {
  api: typeof Api;
  tracer: Api.Tracer;
  /** This process decides which traces are kept (the gateway): behind it, a request without a traceparent is not. */
  edge: boolean;
  /** A context in which instrumentations record nothing and inject nothing (`suppressTracing`). */
  suppressed(context: Api.Context): Api.Context;
  shutdown(): Promise<void>;
}

let started: StartedTracing | undefined;

export function tracing(): StartedTracing | undefined {
  return started;
}

export function setTracing(value: StartedTracing | undefined): void {
  started = value;
}

/** Whether this process exports traces (OTEL_EXPORTER_OTLP_ENDPOINT was set when it started). */
export function tracingEnabled(): boolean {
  return started !== undefined;
}
