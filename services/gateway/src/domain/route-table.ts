import { BoundedCache } from './bounded-cache';
import { formatPath, readRequestPath } from './request-path';

/**
 * Which service answers which public path (SPEC §7): the shopping services live under /api/items, /api/alarms
 * and /api/users; everything else keeps the path its service uses. /internal is never routed.
 */
export type ServiceName = 'user' | 'item' | 'alarm' | 'queue' | 'ticket' | 'payment';

export interface Route {
  /** Public path prefix, matched on whole segments. */
  publicPrefix: string;
  service: ServiceName;
  /** What replaces the public prefix upstream ('' strips it). */
  upstreamPrefix: string;
}

export const ROUTES: Route[] = [
  { publicPrefix: '/api/items', service: 'item', upstreamPrefix: '' },
  { publicPrefix: '/api/inventory', service: 'item', upstreamPrefix: '/api/inventory' },
  { publicPrefix: '/api/alarms', service: 'alarm', upstreamPrefix: '' },
  { publicPrefix: '/api/notification', service: 'alarm', upstreamPrefix: '/api/notification' },
  { publicPrefix: '/api/notifications', service: 'alarm', upstreamPrefix: '/api/notifications' },
  { publicPrefix: '/api/users', service: 'user', upstreamPrefix: '' },
  { publicPrefix: '/tokens', service: 'queue', upstreamPrefix: '/tokens' },
  { publicPrefix: '/.well-known/jwks.json', service: 'queue', upstreamPrefix: '/.well-known/jwks.json' },
  { publicPrefix: '/rooms', service: 'queue', upstreamPrefix: '/rooms' },
  // waiting-room administration (admin USER-TOKEN checked by the queue service); the rest of /admin is the ticket's
  { publicPrefix: '/admin/rooms', service: 'queue', upstreamPrefix: '/admin/rooms' },
  { publicPrefix: '/concerts', service: 'ticket', upstreamPrefix: '/concerts' },
  { publicPrefix: '/tickets', service: 'ticket', upstreamPrefix: '/tickets' },
  { publicPrefix: '/events', service: 'ticket', upstreamPrefix: '/events' },
  { publicPrefix: '/reservations', service: 'ticket', upstreamPrefix: '/reservations' },
  // concert, showtime and seat-map administration (admin USER-TOKEN checked by the ticket service)
  { publicPrefix: '/admin', service: 'ticket', upstreamPrefix: '/admin' },
  { publicPrefix: '/points', service: 'payment', upstreamPrefix: '/points' },
  { publicPrefix: '/point_history', service: 'payment', upstreamPrefix: '/point_history' },
  { publicPrefix: '/payments', service: 'payment', upstreamPrefix: '/payments' },
  { publicPrefix: '/payment_history', service: 'payment', upstreamPrefix: '/payment_history' },
  { publicPrefix: '/api/orders', service: 'payment', upstreamPrefix: '/api/orders' },
  { publicPrefix: '/api/payment', service: 'payment', upstreamPrefix: '/api/payment' },
];

const startsWithSegment = (path: string, prefix: string) =>
  prefix === '' || path === prefix || path.startsWith(`${prefix}/`) || path.startsWith(`${prefix}?`);

const segmentsOf = (prefix: string) => prefix.split('/').filter(Boolean);

/** The routes with their prefixes split once, longest public prefix first: the first match is the most specific. */
const MATCHERS = ROUTES.map((route) => ({
  service: route.service,
  publicSegments: segmentsOf(route.publicPrefix),
  upstreamSegments: segmentsOf(route.upstreamPrefix),
  length: route.publicPrefix.length,
})).sort((a, b) => b.length - a.length);

const startsWithSegments = (segments: string[], prefix: string[]) => prefix.every((part, i) => segments[i] === part);

export type Resolved = { service: ServiceName; upstreamUrl: string } | { refused: string } | undefined;
type PathDecision = { service: ServiceName; upstreamPath: string } | { refused: string } | 'unrouted';

function decidePath(rawPath: string): PathDecision {
  const path = readRequestPath(rawPath);
  if ('refused' in path) return path;
  const route = MATCHERS.find((matcher) => startsWithSegments(path.segments, matcher.publicSegments));
  if (!route) return 'unrouted';
  const upstream = [...route.upstreamSegments, ...path.segments.slice(route.publicSegments.length)];
  if (upstream[0]?.toLowerCase() === 'internal') return 'unrouted'; // peers' private API: never public
  return { service: route.service, upstreamPath: formatPath(upstream, '') };
}

// Decisions per raw path (the query passes through unread), remembered for the paths clients repeat; a long path
// is decided each time rather than kept.
const decisions = new BoundedCache<PathDecision>(10_000);
const CACHED_PATH_LENGTH = 256;

/**
 * The service and upstream URL for a public request target (path + query), decided on the decoded, normalised
 * path (`readRequestPath`); the upstream gets exactly that path. Undefined when nothing public routes it: unknown
 * prefixes, and /internal (in any letter case) whichever route it would arrive through.
 */
export function resolveRoute(url: string): Resolved {
  const queryAt = url.indexOf('?');
  const rawPath = queryAt === -1 ? url : url.slice(0, queryAt);
  const decision = rawPath.length <= CACHED_PATH_LENGTH ? decisions.get(rawPath, decidePath) : decidePath(rawPath);
  if (decision === 'unrouted') return undefined;
  if ('refused' in decision) return decision;
  const query = queryAt === -1 ? '' : url.slice(queryAt + 1);
  return {
    service: decision.service,
    upstreamUrl: query ? `${decision.upstreamPath}?${query}` : decision.upstreamPath,
  };
}

/** The public path for a path of a service's own OpenAPI document (the most specific route wins). */
export function publicPathFor(service: ServiceName, servicePath: string): string | undefined {
  if (servicePath.startsWith('/internal')) return undefined;
  const route = ROUTES.filter((r) => r.service === service && startsWithSegment(servicePath, r.upstreamPrefix)).sort(
    (a, b) => b.upstreamPrefix.length - a.upstreamPrefix.length,
  )[0];
  if (!route) return undefined;
  const publicPath = `${route.publicPrefix}${servicePath.slice(route.upstreamPrefix.length)}`;
  return publicPath.length > 1 && publicPath.endsWith('/') ? publicPath.slice(0, -1) : publicPath;
}
