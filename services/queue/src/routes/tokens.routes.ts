import { errorResponses, isoWithOffset, routeGroup, type App } from '@boxoffice/http';
import { queueTokenOf } from '@boxoffice/queue-guard';
import { joinQueue, type JoinDeps } from '../domain/join-queue.use-case';
import { pollToken } from '../domain/poll-token.use-case';
import { estimatedWaitSeconds, type TokenView } from '../domain/queue-token';
import { IssuedToken, JoinBody, Jwks, TokenStatusBody } from '../schemas/queue.schemas';

const errors = [401, 403, 422, 503] as const;

function expiresAtOf(view: TokenView): string {
  const ms =
    view.status === 'ACTIVE'
      ? view.activeExpiresAtMs
      : view.status === 'EXPIRED'
        ? (view.expiredAtMs ?? view.activeExpiresAtMs)
        : null;
  return isoWithOffset(new Date(ms ?? view.tokenExpiresAtMs));
}

export async function tokensRoutes(app: App, deps: JoinDeps): Promise<void> {
  const asUser = routeGroup({ preHandler: app.requireUser, security: [{ userToken: [] }], errors });

  app.post(
    '/tokens',
    asUser('Join the waiting line; a user with a live token gets the same token back', {
      body: JoinBody,
      response: { 201: IssuedToken },
    }),
    async (request, reply) => {
      const { token } = await joinQueue(deps, request.user.id, request.body.userId);
      reply.code(201).header('location', '/tokens');
      return {
        token: token.jwt,
        uuid: token.tokenId,
        waitingNo: token.waitingNo,
        status: token.status,
        expiresAt: expiresAtOf(token),
      };
    },
  );

  app.get(
    '/tokens',
    {
      schema: {
        summary: 'Where your queue token stands; polling also keeps your place',
        security: [{ queueToken: [] }],
        response: { 200: TokenStatusBody, ...errorResponses(...errors) },
      },
    },
    async (request) => {
      const view = await pollToken(deps, queueTokenOf(request.headers));
      return {
        uuid: view.tokenId,
        waitingNo: view.waitingNo,
        status: view.status,
        estimatedWaitSeconds: estimatedWaitSeconds(view, deps.policy),
        expiresAt: expiresAtOf(view),
      };
    },
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
