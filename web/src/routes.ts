/**
 * Every page's address. None of them may be an API path: the gateway serves the app shell only for paths no
 * service answers (a test checks these against the gateway's route table), so a reload lands on the page.
 */
export const PAGES = {
  home: '/',
  signIn: '/signin',
  signUp: '/signup',
  line: '/line',
  concerts: '/shows',
  showtimes: '/shows/:concertId',
  seatMap: '/shows/:concertId/:showtimeId',
  checkout: '/checkout',
  tickets: '/my/tickets',
  points: '/my/points',
  notifications: '/my/notifications',
  shop: '/shop',
  item: '/shop/items/:itemId',
  recent: '/shop/recent',
  orders: '/shop/orders',
  order: '/shop/orders/:orderId',
  opsConcerts: '/ops/concerts',
  opsDashboard: '/ops/dashboard',
  opsRooms: '/ops/rooms',
} as const;

export type PageName = keyof typeof PAGES;

export interface RouteMatch {
  page: PageName | 'notFound';
  params: Record<string, string>;
}

function matches(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/').filter(Boolean);
  const got = path.split('/').filter(Boolean);
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const segment = want[i]!;
    if (segment.startsWith(':')) params[segment.slice(1)] = decodeURIComponent(got[i]!);
    else if (segment !== got[i]) return undefined;
  }
  return params;
}

export function matchRoute(path: string): RouteMatch {
  for (const [page, pattern] of Object.entries(PAGES) as [PageName, string][]) {
    const params = matches(pattern, path);
    if (params) return { page, params };
  }
  return { page: 'notFound', params: {} };
}

/** A page's address with its parameters filled in: href('seatMap', { concertId: 1, showtimeId: 2 }). */
export function href(page: PageName, params: Record<string, string | number> = {}, query?: Record<string, string>) {
  const path = PAGES[page].replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(String(params[name])));
  return query ? `${path}?${new URLSearchParams(query)}` : path;
}
