import FindMyWay, { type HTTPMethod } from 'find-my-way';
import type { FastifyInstance } from 'fastify';

export interface Resource {
  /** The route pattern that names the resource, e.g. `/orders/create` rather than `/orders/:id`. */
  pattern: string;
  methods: string[];
}

const dynamicParts = (pattern: string) => {
  let parts = 0;
  for (let i = 0; i < pattern.length; i++) if (pattern[i] === ':' || pattern[i] === '*') parts++;
  return parts;
};
const hasEmptyParam = (params: Record<string, string | undefined>) => {
  for (const key in params) if (params[key] === '') return true;
  return false;
};

/**
 * Remembers every route's method, so a request can be told which methods the resource it names supports (RFC 9110
 * §15.5.6: 405 with `Allow`). A second router mirrors the app's own (same trailing-slash rule). When several route
 * patterns match a path (`/orders/create` and `/orders/:id`), the resource is the most specific one; an empty
 * parameter (`/items/` against `/items/:id`) names no resource.
 */
export function trackResources(app: FastifyInstance): (url: string) => Resource | undefined {
  const router = FindMyWay({ ignoreTrailingSlash: true });
  const methods = new Set<string>();
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (router.hasRoute(method as HTTPMethod, route.url)) continue;
      router.on(method as HTTPMethod, route.url, () => undefined, { pattern: route.url });
      methods.add(method);
    }
  });
  // runs on every request to a parametric route (the gateway's catch-all among them): one pass, few allocations
  return (url) => {
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    let pattern: string | undefined;
    let fewest = Infinity;
    let found: string[] = [];
    for (const method of methods) {
      const match = router.find(method as HTTPMethod, path);
      if (!match || hasEmptyParam(match.params)) continue;
      const candidate = (match.store as { pattern: string }).pattern;
      const parts = dynamicParts(candidate);
      if (parts < fewest) {
        fewest = parts;
        pattern = candidate;
        found = [method];
      } else if (parts === fewest) found.push(method);
    }
    return pattern === undefined ? undefined : { pattern, methods: found.sort() };
  };
}

/**
 * Whether a routed request really reached the resource its path names: not when a parameter is empty, nor when a
 * parametric route caught a path that a more specific route names under other methods (GET /orders/create when
 * only POST /orders/create exists must be 405, not "create is not a valid id").
 */
export function namesAnotherResource(
  routePattern: string | undefined,
  params: Record<string, string | undefined>,
  method: string,
  resource: Resource | undefined,
): boolean {
  if (!routePattern || dynamicParts(routePattern) === 0) return false;
  if (hasEmptyParam(params)) return true;
  return resource !== undefined && resource.pattern !== routePattern && !resource.methods.includes(method);
}
