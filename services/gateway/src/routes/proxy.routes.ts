import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Dispatcher } from 'undici';
import { AppError, unavailable } from '@boxoffice/errors';
import type { App } from '@boxoffice/http';
import type { Upstreams } from '../clients/upstreams';
import { resolveRoute } from '../domain/route-table';
import { ReplySink, upstreamHeaders } from './pass-through';

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
  // The gateway passes bodies through untouched, never parsed: each service validates its own input. A body is
  // read whole (BODY_LIMIT_BYTES, 413 past it) so it can go to another instance when the first one refuses it.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const route = resolveRoute(request.url);
    if (!route) {
      if (appShell?.wanted(request)) return appShell.send(request, reply);
      throw new AppError(404, 'ROUTE_NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}.`);
    }
    if ('refused' in route) throw new AppError(400, 'AMBIGUOUS_PATH', route.refused);
    const sink = new ReplySink(request, reply);
    try {
      // the answer streams straight to the client: the sink takes the reply over once the upstream answers
      await upstreams.forward(
        route.service,
        {
          method: request.method as Dispatcher.HttpMethod,
          path: route.upstreamUrl,
          headers: upstreamHeaders(request),
          body: request.body as Buffer | undefined,
        },
        sink,
      );
    } catch (error) {
      if (sink.clientGone) return reply.hijack(); // nobody to answer
      request.log.warn({ service: route.service, err: error }, `gateway: ${route.service} unreachable`);
      throw unavailable(`The ${route.service} service is not answering; try again shortly.`, 2);
    }
  };

  app.route({
    method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    url: '/*',
    schema: { hide: true },
    handler,
  });
}
