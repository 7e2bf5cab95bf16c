import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { OtlpReceiver, waitFor } from '@boxoffice/testing';

const TRACING = path.resolve(__dirname, '..', 'dist', 'index.js');

/**
 * A server wrapped in `tracedRequests`, in a process of its own started as a service's `tracing.ts` starts it
 * (from `dist/`: build first). Each answer says what the handler ran in: the active span, if any, and the
 * traceparent its calls and outbox rows would carry (`traceCarrier`).
 */
async function startServer(env: Record<string, string>, edge: boolean) {
  const script = `
    const http = require('node:http');
    const { startTracing, tracedRequests, traceCarrier } = require(${JSON.stringify(TRACING)});
    startTracing('probe', { edge: ${edge} });
    const api = require(require.resolve('@opentelemetry/api', { paths: [${JSON.stringify(path.dirname(TRACING))}] }));
    const server = http.createServer(tracedRequests((request, response) => {
      const span = api.trace.getActiveSpan();
      response.end(JSON.stringify({
        span: span ? { recording: span.isRecording(), traceId: span.spanContext().traceId } : null,
        carrier: traceCarrier(),
      }));
    }));
    server.listen(0, '127.0.0.1', () => console.log(server.address().port));
  `;
  const child = spawn(process.execPath, ['-e', script], {
    env: { PATH: process.env.PATH, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '50', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [port] = (await once(child.stdout!, 'data')) as [Buffer];
  const url = `http://127.0.0.1:${Number(port.toString())}/work`;
  return {
    child,
    async get(traceparent?: string) {
      const response = await fetch(url, { headers: traceparent ? { traceparent } : {} });
      return (await response.json()) as {
        span: { recording: boolean; traceId: string } | null;
        carrier: Record<string, string> | null;
      };
    },
  };
}

const TRACE = (n: number) => n.toString(16).padStart(32, 'a');
const CALLER_SPAN = 'bbbbbbbbbbbbbbbb';
const sampled = (traceId: string) => `00-${traceId}-${CALLER_SPAN}-01`;
const unsampled = (traceId: string) => `00-${traceId}-${CALLER_SPAN}-00`;
const untraced = { span: null, carrier: null };

describe('tracedRequests: traces are started at the edge (docs/operations.md "Tracing")', () => {
  let receiver: OtlpReceiver;
  const children: ChildProcess[] = [];
  /** A process of its own name (its spans' service), sampling `ratio` of the traces it starts (at the edge). */
  const start = async (ratio: string, edge: boolean) => {
    const name = `probe-${children.length + 1}`;
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_TRACES_SAMPLER_ARG: ratio, OTEL_SERVICE_NAME: name };
    const server = await startServer(env, edge);
    children.push(server.child);
    return { ...server, spans: () => receiver.spans.filter((span) => span.service === name) };
  };

  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
  });
  afterAll(async () => {
    for (const child of children) child.kill();
    await receiver.stop();
  });

  it('when a service behind the edge gets a request without a traceparent, or with an unsampled one, then its handler runs with no span and no context to pass on; a sampled one is followed, as its child', async () => {
    const service = await start('1', false);
    expect(await service.get()).toEqual(untraced);
    expect(await service.get(unsampled(TRACE(1)))).toEqual(untraced);

    const followed = await service.get(sampled(TRACE(2)));
    expect(followed.span).toEqual({ recording: true, traceId: TRACE(2) });
    expect(followed.carrier?.traceparent).toMatch(new RegExp(`^00-${TRACE(2)}-[0-9a-f]{16}-01$`));

    const [span] = await waitFor('the sampled request exported', () => {
      const spans = receiver.trace(TRACE(2));
      return spans.length > 0 ? spans : undefined;
    });
    expect(span).toMatchObject({ kind: 'SERVER', parentSpanId: CALLER_SPAN });
    // the other two, handled before it, exported nothing (spans leave in the order they end)
    expect(service.spans()).toEqual([span]);
  });

  it('when the edge samples none of the requests that come without a traceparent, then they run with no span and pass nothing on; a caller that sent a sampled traceparent is still traced', async () => {
    const gateway = await start('0', true);
    for (let i = 0; i < 5; i++) expect(await gateway.get()).toEqual(untraced);
    expect(await gateway.get(unsampled(TRACE(3)))).toEqual(untraced);

    const followed = await gateway.get(sampled(TRACE(4)));
    expect(followed.span).toEqual({ recording: true, traceId: TRACE(4) });
    await waitFor('the sampled request exported', () => receiver.trace(TRACE(4)).length === 1);
    expect(gateway.spans().map((span) => span.traceId)).toEqual([TRACE(4)]);
  });

  it('when the edge samples every request, then one without a traceparent starts a trace of its own, which its calls carry as sampled', async () => {
    const gateway = await start('1', true);
    const root = await gateway.get();
    expect(root.span).toMatchObject({ recording: true });
    expect(root.carrier?.traceparent).toMatch(new RegExp(`^00-${root.span!.traceId}-[0-9a-f]{16}-01$`));
    const [span] = await waitFor('the root span exported', () => {
      const spans = receiver.trace(root.span!.traceId);
      return spans.length > 0 ? spans : undefined;
    });
    expect(span).toMatchObject({ kind: 'SERVER', parentSpanId: '' });
  });
});
