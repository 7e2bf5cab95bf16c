import type { FastifyReply, FastifyRequest } from 'fastify';
import { tracingEnabled } from '@boxoffice/tracing';
import type { AnswerSink } from '../clients/upstreams';

// Hop-by-hop headers belong to one connection, not to the message (RFC 9110 §7.6.1): never forwarded either way,
// nor any header the Connection header names. Host and Content-Length are the gateway's own to set upstream.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);
const NOT_FORWARDED_UPSTREAM = new Set([
  ...HOP_BY_HOP,
  'host',
  'content-length',
  // Credentials that only peers present to each other (they pass it on the private network, never through here):
  // a client sending one through the public entry would otherwise reach admin-or-peer routes with a guessed value.
  'x-internal-token',
  // set by the gateway below
  'x-request-id',
  'x-forwarded-for',
  'x-forwarded-proto',
]);
// With tracing on, the gateway's own span carries the trace upstream (the undici instrumentation adds its headers):
// the client's would otherwise reach the service twice, two parents for one request.
const NOT_FORWARDED_UPSTREAM_TRACED = new Set([...NOT_FORWARDED_UPSTREAM, 'traceparent', 'tracestate', 'baggage']);
// The answer keeps the upstream's Content-Length: the body is passed through byte for byte.
const NOT_FORWARDED_DOWNSTREAM = new Set([...HOP_BY_HOP, 'x-request-id']);

/** Header names a raw list's Connection headers name (beyond close and keep-alive), lower-cased, if any. */
function connectionListed(raw: string[]): Set<string> | undefined {
  let listed: Set<string> | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.length !== 10 || raw[i]!.toLowerCase() !== 'connection') continue;
    for (const token of raw[i + 1]!.split(',')) {
      const name = token.trim().toLowerCase();
      if (name !== 'close' && name !== 'keep-alive') (listed ??= new Set()).add(name);
    }
  }
  return listed;
}

/**
 * Copies a raw list (name, value, name, value…) into `into`, without the names in `dropped` and those a
 * Connection header of the list names; calls `seen` with each lower-cased name and whether it was kept.
 */
function copyHeaders(
  raw: string[],
  dropped: Set<string>,
  into: string[],
  seen: (lower: string, i: number, kept: boolean) => void,
) {
  const listed = connectionListed(raw);
  for (let i = 0; i < raw.length; i += 2) {
    const lower = raw[i]!.toLowerCase();
    const kept = !dropped.has(lower) && !listed?.has(lower);
    if (kept) into.push(raw[i]!, raw[i + 1]!);
    seen(lower, i, kept);
  }
}

/**
 * The headers sent upstream, from the client's raw list (duplicates kept as sent): hop-by-hop and peer-only
 * headers dropped, the gateway's request id, the client's address appended to X-Forwarded-For, and the protocol.
 */
export function upstreamHeaders(request: FastifyRequest): string[] {
  const raw = request.raw.rawHeaders;
  const headers: string[] = [];
  let forwardedFor: string | undefined;
  const dropped = tracingEnabled() ? NOT_FORWARDED_UPSTREAM_TRACED : NOT_FORWARDED_UPSTREAM;
  copyHeaders(raw, dropped, headers, (lower, i) => {
    if (lower === 'x-forwarded-for') forwardedFor = forwardedFor ? `${forwardedFor}, ${raw[i + 1]}` : raw[i + 1];
  });
  headers.push(
    'x-request-id',
    request.id,
    'x-forwarded-for',
    forwardedFor ? `${forwardedFor}, ${request.ip}` : request.ip,
    'x-forwarded-proto',
    request.protocol,
  );
  return headers;
}

/**
 * Writes an upstream's answer to the client as it arrives: the reply is taken over from Fastify (its onResponse
 * hooks still run when the answer finishes), the upstream's headers pass as raw bytes without the hop-by-hop ones,
 * plus the headers the gateway set on the reply (rate limit) and its request id; the body is piped chunk by
 * chunk with backpressure. A client that goes away, before the answer or during it, abandons the upstream request,
 * so no upstream connection stays held by an answer nobody reads.
 */
export class ReplySink implements AnswerSink {
  private abortUpstream: ((error: Error) => void) | undefined;
  private gone = false;

  constructor(
    private readonly request: FastifyRequest,
    private readonly reply: FastifyReply,
  ) {
    const response = reply.raw;
    response.once('close', () => {
      if (response.writableFinished) return;
      this.gone = true;
      this.abortUpstream?.(new Error('the client went away'));
    });
  }

  /** Whether the client closed its connection before the answer was complete. */
  get clientGone(): boolean {
    return this.gone;
  }

  connected(abort: (error: Error) => void): void {
    this.abortUpstream = abort;
    if (this.gone) abort(new Error('the client went away'));
  }

  start(statusCode: number, rawHeaders: Buffer[], resume: () => void): void {
    this.reply.hijack();
    if (this.gone) return; // the upstream request is being abandoned
    const raw = rawHeaders.map((bytes) => bytes.toString('latin1')); // latin1 both ways: header bytes pass unchanged
    const headers: string[] = [];
    const present = new Set<string>();
    copyHeaders(raw, NOT_FORWARDED_DOWNSTREAM, headers, (lower, _i, kept) => kept && present.add(lower));
    for (const [name, value] of Object.entries(this.reply.getHeaders())) {
      if (value === undefined || present.has(name)) continue;
      for (const one of [value].flat()) headers.push(name, String(one));
    }
    headers.push('x-request-id', this.request.id);
    const response = this.reply.raw;
    response.on('drain', resume);
    response.writeHead(statusCode, headers);
  }

  write(chunk: Buffer): boolean {
    return this.gone || this.reply.raw.write(chunk);
  }

  end(): void {
    if (!this.gone) this.reply.raw.end();
  }

  fail(error: Error): void {
    if (this.gone) return; // abandoned on purpose
    // the status line is out: all that is left is to cut the connection so the client sees a broken answer
    this.request.log.warn({ err: error }, 'gateway: an upstream answer broke off');
    this.reply.raw.destroy(error);
  }
}
