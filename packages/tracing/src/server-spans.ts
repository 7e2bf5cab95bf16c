import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { tracing } from './tracer';

/** Probes and scrapes every few seconds are not traffic. */
const NOT_TRAFFIC = new Set(['/health', '/ready', '/metrics']);

/**
 * Wraps a server's request listener so each traced request runs in its own SERVER span, child of the caller's
 * `traceparent`: what the pg, ioredis and undici spans of the handler hang from. One span per request, started and
 * ended here, instead of `@fastify/otel`'s hooks on every route, which cost about a third more CPU per request even
 * when the trace is not sampled (docs/operations.md "Tracing"). The route is named later, once Fastify has matched
 * it (`nameServerSpan`). With tracing off the listener is returned as it is.
 *
 * A request that is not traced runs with no span and no context at all, so the instrumentations under it (which
 * look for a parent span) do nothing: one whose caller sent an unsampled traceparent, one behind the edge that came
 * without a traceparent (the edge sends none for a trace it dropped), and one the edge itself does not sample.
 */
export function tracedRequests(listener: RequestListener): RequestListener {
  const on = tracing();
  if (!on) return listener;
  const { api, tracer, edge } = on;
  const SERVER = api.SpanKind.SERVER;
  const SAMPLED = api.TraceFlags.SAMPLED;
  return (request: IncomingMessage, response: ServerResponse) => {
    const url = request.url ?? '/';
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    if (NOT_TRAFFIC.has(path)) return listener(request, response);
    const parent = api.propagation.extract(api.ROOT_CONTEXT, request.headers);
    const caller = api.trace.getSpanContext(parent);
    if (caller ? (caller.traceFlags & SAMPLED) === 0 : !edge) return listener(request, response);
    const method = request.method ?? 'GET';
    const span = tracer.startSpan(
      method,
      { kind: SERVER, attributes: { 'http.request.method': method, 'url.path': path, 'url.scheme': 'http' } },
      parent,
    );
    if (!span.isRecording()) {
      span.end();
      return listener(request, response);
    }
    response.once('close', () => {
      span.setAttribute('http.response.status_code', response.statusCode);
      if (response.statusCode >= 500) span.setStatus({ code: api.SpanStatusCode.ERROR });
      if (!response.writableFinished) span.setAttribute('http.response.aborted', true);
      span.end();
    });
    api.context.with(api.trace.setSpan(parent, span), listener, undefined, request, response);
  };
}

/** Names the request's SERVER span after the route Fastify matched (`GET /concerts/:concert_id`). */
export function nameServerSpan(method: string, route: string | undefined): void {
  const on = tracing();
  if (!on || route === undefined) return;
  const span = on.api.trace.getActiveSpan();
  if (!span?.isRecording()) return;
  span.updateName(`${method} ${route}`);
  span.setAttribute('http.route', route);
}
