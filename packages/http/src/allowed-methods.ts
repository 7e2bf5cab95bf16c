import FindMyWay, { type HTTPMethod } from 'find-my-way';
import type { FastifyInstance } from 'fastify';

/**
 * Remembers every route's method, so a request for a path that exists under other methods gets 405 with `Allow`
 * (RFC 9110 §15.5.6) instead of 404. A second router mirrors the app's own (same trailing-slash rule) and is only
 * asked when the app's router found nothing.
 */
export function trackAllowedMethods(app: FastifyInstance): (method: string, url: string) => string[] {
  const router = FindMyWay({ ignoreTrailingSlash: true });
  const methods = new Set<string>();
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (router.hasRoute(method as HTTPMethod, route.url)) continue;
      router.on(method as HTTPMethod, route.url, () => undefined);
      methods.add(method);
    }
  });
  return (requestMethod, url) => {
    const path = url.split('?')[0]!;
    return [...methods].filter((method) => method !== requestMethod && router.find(method as HTTPMethod, path)).sort();
  };
}
