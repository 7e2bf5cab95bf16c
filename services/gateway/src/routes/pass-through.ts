import type { FastifyReply, FastifyRequest } from 'fastify';
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
// The answer keeps the upstream's Content-Length: the body is passed through byte for byte.
const NOT_FORWARDED_DOWNSTREAM = new Set([...HOP_BY_HOP, 'x-request-id']);

/**
 * The headers of a raw list (name, value, name, value…) worth passing on: lower-cased names, and whether each is
 * kept, i.e. neither in `dropped` nor named by a Connection header of the same list.
 */
function keptHeaders(raw: string[], dropped: Set<string>): { lower: string[]; kept: boolean[] } {
  const lower = raw.map((entry, i) => (i % 2 === 0 ? entry.toLowerCase() : ''));
  let listed: Set<string> | undefined;
  for (let i = 0; i < lower.length; i += 2) {
    if (lower[i] !== 'connection') continue;
    listed ??= new Set();
    for (const token of raw[i + 1]!.split(',')) listed.add(token.trim().toLowerCase());
  }
  return { lower, kept: lower.map((name, i) => i % 2 === 0 && !dropped.has(name) && !listed?.has(name)) };
}

/**
 * The headers sent upstream, from the client's raw list (duplicates kept as sent): hop-by-hop and peer-only
 * headers dropped, the gateway's request id, the client's address appended to X-Forwarded-For, and the protocol.
 */
export function upstreamHeaders(request: FastifyRequest): string[] {
  const raw = request.raw.rawHeaders;
  const { lower, kept } = keptHeaders(raw, NOT_FORWARDED_UPSTREAM);
  const headers: string[] = [];
  let forwardedFor: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    if (lower[i] === 'x-forwarded-for') forwardedFor = forwardedFor ? `${forwardedFor}, ${raw[i + 1]}` : raw[i + 1];
    if (kept[i]) headers.push(raw[i]!, raw[i + 1]!);
  }
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
    const { lower, kept } = keptHeaders(raw, NOT_FORWARDED_DOWNSTREAM);
    const headers: string[] = [];
    const present = new Set<string>();
    for (let i = 0; i < raw.length; i += 2) {
      if (!kept[i]) continue;
      present.add(lower[i]!);
      headers.push(raw[i]!, raw[i + 1]!);
    }
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
