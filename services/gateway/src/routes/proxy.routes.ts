import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Dispatcher } from 'undici';
import { AppError, unavailable } from '@boxoffice/errors';
import type { App } from '@boxoffice/http';
import type { Upstreams } from '../clients/upstreams';
import { resolveRoute } from '../domain/route-table';

// Hop-by-hop headers belong to one connection, not to the request: never forwarded either way.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
]);

// Credentials that only peers present to each other (they pass it on the private network, never through here): a
// client sending one through the public entry would otherwise reach admin-or-peer routes with a guessed value.
const PEER_ONLY = new Set(['x-internal-token']);

function forwardHeaders(request: FastifyRequest): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || PEER_ONLY.has(name)) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  headers['x-request-id'] = request.id;
  headers['x-forwarded-for'] = request.headers['x-forwarded-for']
    ? `${request.headers['x-forwarded-for']}, ${request.ip}`
    : request.ip;
  headers['x-forwarded-proto'] = request.protocol;
  return headers;
}

export async function proxyRoutes(
  app: App,
  {
    upstreams,
    appShell,
  }: {
    upstreams: Upstreams;
    /** The web front's page for a browser opening an address no service answers (SPA fallback). */
    appShell?: {
      wanted(request: FastifyRequest): boolean;
      send(request: FastifyRequest, reply: FastifyReply): unknown;
    };
  },
): Promise<void> {
  // The gateway passes bodies through untouched: each service validates its own input.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const route = resolveRoute(request.url);
    if (!route) {
      if (appShell?.wanted(request)) return appShell.send(request, reply);
      throw new AppError(404, 'ROUTE_NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}.`);
    }
    if ('refused' in route) throw new AppError(400, 'AMBIGUOUS_PATH', route.refused);
    let response: Dispatcher.ResponseData;
    try {
      response = await upstreams.send(route.service, {
        method: request.method as Dispatcher.HttpMethod,
        path: route.upstreamUrl,
        headers: forwardHeaders(request),
        body: request.body as Buffer | undefined,
      });
    } catch (error) {
      request.log.warn({ service: route.service, err: error }, `gateway: ${route.service} unreachable`);
      throw unavailable(`The ${route.service} service is not answering; try again shortly.`, 2);
    }
    reply.code(response.statusCode);
    for (const [name, value] of Object.entries(response.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name) && name !== 'x-request-id') reply.header(name, value);
    }
    // Answers are small JSON documents: reading them whole is cheaper than piping a stream through.
    return reply.send(Buffer.from(await response.body.arrayBuffer()));
  };

  app.route({
    method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    url: '/*',
    schema: { hide: true },
    handler,
  });
}
