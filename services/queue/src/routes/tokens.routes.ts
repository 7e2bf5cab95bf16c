import { errorResponses, routeGroup, type App } from '@boxoffice/http';
import { queueTokenOf } from '@boxoffice/queue-guard';
import { joinQueue, type JoinDeps } from '../domain/join-queue.use-case';
import { pollToken } from '../domain/poll-token.use-case';
import { IssuedToken, JoinBody, Jwks, TokenStatusBody } from '../schemas/queue.schemas';
import { expiresAtOf, standingBody } from './standing-view';

const errors = [401, 403, 404, 409, 422, 429, 503] as const;

export async function tokensRoutes(app: App, deps: JoinDeps): Promise<void> {
  const asUser = routeGroup({ preHandler: app.requireUser, security: [{ userToken: [] }], errors });

  app.post(
    '/tokens',
    asUser(
      'Join a waiting room (the default one, or roomId / concertId); a user with a live token there gets the same token back',
      {
        description:
          '404 unknown room; 409 ROOM_NOT_OPEN / ROOM_CLOSED; 429 QUEUE_FULL with Retry-After when the room holds its most waiting users.',
        body: JoinBody,
        response: { 201: IssuedToken },
      },
    ),
    async (request, reply) => {
      const { token } = await joinQueue(deps, request.user.id, request.body);
      reply.code(201).header('location', '/tokens');
      return {
        token: token.jwt,
        uuid: token.tokenId,
        waitingNo: token.waitingNo,
        status: token.status,
        expiresAt: expiresAtOf(token),
        roomId: token.roomId,
      };
    },
  );

  app.get(
    '/tokens',
    {
      schema: {
        summary: 'Where your queue token stands, with an estimated wait; polling also keeps your place',
        security: [{ queueToken: [] }],
        response: { 200: TokenStatusBody, ...errorResponses(401, 422, 503) },
      },
    },
    async (request) => standingBody(await pollToken(deps, queueTokenOf(request.headers))),
  );

  app.get(
    '/.well-known/jwks.json',
    { schema: { summary: 'The public keys that verify queue tokens (EdDSA / Ed25519)', response: { 200: Jwks } } },
    async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return deps.signer.jwks;
    },
  );
}
