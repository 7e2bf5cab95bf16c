import { tracing } from './tracer';

/** A trace context as W3C headers (`traceparent`, `tracestate`): what an outbox row and a Kafka message carry. */
export type TraceCarrier = Record<string, string>;

/** The active trace context (the request or event being handled), or null when there is none or tracing is off. */
export function traceCarrier(): TraceCarrier | null {
  const on = tracing();
  if (!on) return null;
  const carrier: TraceCarrier = {};
  on.api.propagation.inject(on.api.context.active(), carrier);
  return carrier.traceparent ? carrier : null;
}

/** A message's PRODUCER span: the headers to send it with, and `end` once the broker has it (or refused it). */
export interface PublishSpan {
  headers: TraceCarrier;
  end(error?: unknown): void;
}

const NOTHING_TO_END = () => undefined;

/**
 * A PRODUCER span for one message, child of the context it was written in (its outbox row's). The outbox relay
 * sends rows of many traces in one batch, so each message gets its own parent here instead of the batch's active
 * context. With tracing off the stored context still travels, unchanged, in the headers.
 */
export function publishSpan(carrier: TraceCarrier, name: string, attributes: Record<string, string>): PublishSpan {
  const on = tracing();
  if (!on) return { headers: carrier, end: NOTHING_TO_END };
  const { api, tracer } = on;
  const parent = api.propagation.extract(api.ROOT_CONTEXT, carrier);
  const span = tracer.startSpan(name, { kind: api.SpanKind.PRODUCER, attributes }, parent);
  const headers: TraceCarrier = {};
  api.propagation.inject(api.trace.setSpan(parent, span), headers);
  return {
    headers,
    end(error) {
      if (error !== undefined) {
        span.recordException(error instanceof Error ? error : String(error));
        span.setStatus({ code: api.SpanStatusCode.ERROR });
      }
      span.end();
    },
  };
}

/**
 * Runs `work` with instrumentations silenced: for a call whose spans the caller records itself (the relay's batch,
 * whose messages already carry their own producer spans and must keep their headers).
 */
export function untraced<T>(work: () => T): T {
  const on = tracing();
  if (!on) return work();
  return on.api.context.with(on.suppressed(on.api.context.active()), work);
}

/**
 * Runs `work` outside any trace: for a loop that a request or an event merely wakes (a timer set from a handler
 * keeps the handler's context, so every later round of the loop would join that one trace).
 */
export function detached<T>(work: () => T): T {
  const on = tracing();
  if (!on) return work();
  return on.api.context.with(on.api.ROOT_CONTEXT, work);
}
