import type { ServerResponse } from 'node:http';
import { unavailable } from '@boxoffice/errors';
import { errorResponses, type App } from '@boxoffice/http';
import { queueTokenOf } from '@boxoffice/queue-guard';
import { pollToken } from '../domain/poll-token.use-case';
import type { QueueLine, TokenView } from '../domain/queue-token';
import type { StandingFeed, StandingSink } from '../domain/standing-feed';
import type { TokenSigner } from '../domain/token-signer';
import { StreamQuery } from '../schemas/queue.schemas';
import { standingBody } from './standing-view';

/** A client this far behind (bytes not yet taken by its socket) is cut off rather than buffered for. */
const MAX_BUFFERED_BYTES = 64 * 1024;

/** Server-sent events on one response: each standing as a `data:` line of the GET /tokens body. */
class SseSink implements StandingSink {
  private closed = false;

  constructor(private readonly response: ServerResponse) {
    response.once('close', () => {
      this.closed = true;
    });
  }

  get broken(): boolean {
    return this.closed || this.response.writableLength > MAX_BUFFERED_BYTES;
  }

  send(view: TokenView): void {
    if (!this.closed) this.response.write(`data: ${JSON.stringify(standingBody(view))}\n\n`);
  }

  heartbeat(): void {
    if (!this.closed) this.response.write(': keep-alive\n\n');
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.response.end();
  }
}

/**
 * GET /tokens/stream: the caller's standing pushed as it changes, so a waiting client need not poll. The JWT comes
 * as for GET /tokens, or as ?token= for EventSource (which cannot set headers); the query is never logged.
 */
export async function tokenStreamRoutes(
  app: App,
  deps: { line: QueueLine; signer: TokenSigner; feed: StandingFeed; retryMs: number },
): Promise<void> {
  app.get(
    '/tokens/stream',
    {
      schema: {
        summary:
          'Your standing as server-sent events: the GET /tokens body on every change; an open stream keeps your place',
        description:
          'text/event-stream. The current standing first, then one `data:` event per change, `: keep-alive` comments in between. ' +
          'The stream ends after EXPIRED; a token that has already ended answers 204 (EventSource stops reconnecting). ' +
          'A reconnect gets the current standing again (Last-Event-ID is not needed).',
        security: [{ queueToken: [] }],
        querystring: StreamQuery,
        response: {
          200: { description: 'text/event-stream', type: 'string' },
          204: { type: 'null' },
          ...errorResponses(401, 422, 503),
          // Node's HTTP server answers a request line and headers over its limit before any route runs
          431: {
            description: 'Request header fields too large (a ?token= longer than any JWT we issue)',
            type: 'null',
          },
        },
      },
    },
    async (request, reply) => {
      const view = await pollToken(deps, queueTokenOf(request.headers) ?? request.query.token);
      if (view.status === 'EXPIRED') return reply.code(204).send();
      if (deps.feed.full) throw unavailable('Too many live streams on this instance; poll GET /tokens instead.', 5);
      reply.hijack();
      const response = reply.raw;
      response.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        'x-accel-buffering': 'no',
        'x-request-id': request.id,
      });
      response.write(`retry: ${deps.retryMs}\n\n`);
      const sink = new SseSink(response);
      sink.send(view);
      const unwatch = deps.feed.watch(view, sink);
      response.once('close', unwatch);
    },
  );
}
