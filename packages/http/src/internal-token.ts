import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { unauthorized } from '@boxoffice/errors';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Whether a request's `x-internal-token` is the peers' shared secret. Both sides are hashed first, so the compare
 * is constant-time whatever the lengths and reveals nothing about the secret's length.
 */
export function internalTokenMatches(given: unknown, expected: string): boolean {
  if (typeof given !== 'string' || given === '') return false;
  return timingSafeEqual(digest(given), digest(expected));
}

export const INTERNAL_PREFIX = '/internal';

/**
 * Every route under /internal answers only a peer holding the internal token (401 otherwise), whatever URL form
 * reached it: the check runs on the matched route, not on the raw URL. Registering such a route on an app built
 * without an internal token fails at start-up.
 */
export function guardInternalRoutes(app: FastifyInstance, internalToken: string | undefined): void {
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith(INTERNAL_PREFIX)) return;
    if (!internalToken) throw new Error(`${route.url}: routes under /internal need createApp({ internalToken })`);
  });
  if (!internalToken) return;
  app.addHook('onRequest', async (request: FastifyRequest) => {
    if (!request.routeOptions.url?.startsWith(INTERNAL_PREFIX)) return;
    if (!internalTokenMatches(request.headers['x-internal-token'], internalToken))
      throw unauthorized('A valid x-internal-token header is required.');
  });
}
