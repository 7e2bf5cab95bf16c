import { useEffect, useState } from 'preact/hooks';
import { matchRoute, type RouteMatch } from './routes';

/** History-API navigation without a library: links are plain <a href>, intercepted when they stay in the app. */
const listeners = new Set<() => void>();

export function navigate(to: string, { replace = false } = {}): void {
  if (to === location.pathname + location.search) return;
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  listeners.forEach((listener) => listener());
}

export interface Location {
  path: string;
  query: URLSearchParams;
  route: RouteMatch;
}

const current = (): Location => ({
  path: location.pathname,
  query: new URLSearchParams(location.search),
  route: matchRoute(location.pathname),
});

export function useLocation(): Location {
  const [where, setWhere] = useState(current);
  useEffect(() => {
    const update = () => setWhere(current());
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return where;
}

/** Same-origin left clicks on links become in-app navigation; anything else behaves as the browser does. */
export function interceptLinks(root: HTMLElement): void {
  root.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    const anchor = (event.target as Element).closest('a');
    if (!anchor || anchor.target || anchor.hasAttribute('download') || anchor.dataset.external !== undefined) return;
    const url = new URL(anchor.href, location.href);
    if (url.origin !== location.origin || matchRoute(url.pathname).page === 'notFound') return;
    event.preventDefault();
    navigate(url.pathname + url.search);
  });
}

/** Where to come back to after signing in or waiting in line. */
export const here = () => location.pathname + location.search;

/** Only in-app paths are followed from a ?next= parameter (never another site). */
export function safeNext(next: string | null, fallback: string): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.includes('\\') ? next : fallback;
}
