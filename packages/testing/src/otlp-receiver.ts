import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A span as the receiver keeps it: ids in hex, the service from its resource, attributes flattened. */
export interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  /** '' for a root span. */
  parentSpanId: string;
  name: string;
  kind: SpanKindName;
  /** Since the epoch, in ms (from the span's nanoseconds). */
  startMs: number;
  endMs: number;
  attributes: Record<string, string | number | boolean>;
}

export type SpanKindName = 'UNSPECIFIED' | 'INTERNAL' | 'SERVER' | 'CLIENT' | 'PRODUCER' | 'CONSUMER';
const KINDS: SpanKindName[] = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];

interface AnyValue {
  stringValue?: string;
  intValue?: number | string;
  doubleValue?: number;
  boolValue?: boolean;
}
interface KeyValue {
  key: string;
  value?: AnyValue;
}
interface OtlpJsonRequest {
  resourceSpans?: {
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: {
      spans?: {
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind?: number;
        startTimeUnixNano?: string | number;
        endTimeUnixNano?: string | number;
        attributes?: KeyValue[];
      }[];
    }[];
  }[];
}

/** OTLP/JSON carries ids in hex (the spec); a base64 one (protobuf's JSON mapping) is turned into hex too. */
const hexId = (id: string | undefined) =>
  !id ? '' : /^[0-9a-f]+$/i.test(id) ? id.toLowerCase() : Buffer.from(id, 'base64').toString('hex');

const valueOf = (value: AnyValue | undefined) =>
  value?.stringValue ??
  (value?.intValue !== undefined ? Number(value.intValue) : (value?.doubleValue ?? value?.boolValue ?? ''));

const flatten = (attributes: KeyValue[] | undefined) =>
  Object.fromEntries((attributes ?? []).map(({ key, value }) => [key, valueOf(value)]));

/**
 * An OTLP/HTTP trace receiver on 127.0.0.1, in the test's process: services started with
 * OTEL_EXPORTER_OTLP_ENDPOINT=receiver.url and OTEL_EXPORTER_OTLP_PROTOCOL=http/json send it their spans, and the
 * test reads them back. It accepts what a collector accepts at /v1/traces and keeps every span.
 */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  /** Bodies it could not read as OTLP/JSON (a protobuf exporter, a broken one): a test can insist on none. */
  readonly unreadable: string[] = [];

  private constructor(private readonly server: Server) {}

  static async start(): Promise<OtlpReceiver> {
    const server = createServer();
    const receiver = new OtlpReceiver(server);
    server.on('request', (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        if (request.method !== 'POST' || request.url !== '/v1/traces') {
          response.writeHead(404).end();
          return;
        }
        receiver.receive(Buffer.concat(chunks), String(request.headers['content-type']));
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The spans of one trace. */
  trace(traceId: string): ReceivedSpan[] {
    return this.spans.filter((span) => span.traceId === traceId);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private receive(body: Buffer, contentType: string): void {
    let request: OtlpJsonRequest;
    try {
      if (!contentType.startsWith('application/json')) throw new Error(`content-type ${contentType}`);
      request = JSON.parse(body.toString('utf8')) as OtlpJsonRequest;
    } catch (error) {
      this.unreadable.push((error as Error).message);
      return;
    }
    for (const resourceSpans of request.resourceSpans ?? []) {
      const service = String(flatten(resourceSpans.resource?.attributes)['service.name'] ?? '');
      for (const scope of resourceSpans.scopeSpans ?? [])
        for (const span of scope.spans ?? [])
          this.spans.push({
            service,
            traceId: hexId(span.traceId),
            spanId: hexId(span.spanId),
            parentSpanId: hexId(span.parentSpanId),
            name: span.name,
            kind: KINDS[span.kind ?? 0] ?? 'UNSPECIFIED',
            startMs: Number(BigInt(span.startTimeUnixNano ?? 0) / 1_000_000n),
            endMs: Number(BigInt(span.endTimeUnixNano ?? 0) / 1_000_000n),
            attributes: flatten(span.attributes),
          });
    }
  }
}
