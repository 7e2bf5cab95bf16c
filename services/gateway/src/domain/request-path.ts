/**
 * The one reading of a request's path that the gateway routes on and forwards: percent-escapes decoded, dot
 * segments resolved, empty segments (doubled or trailing slashes) dropped. Forms that servers read differently
 * are refused rather than guessed at: an encoded slash or backslash, a '%' left after decoding (double encoding),
 * control characters, a '..' above the root, a fragment, a target that is not a path.
 */
export type RequestPath = { segments: string[]; query: string } | { refused: string };

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

export function readRequestPath(target: string): RequestPath {
  if (!target.startsWith('/')) return { refused: 'The request target must be a path.' };
  const queryAt = target.indexOf('?');
  const rawPath = queryAt === -1 ? target : target.slice(0, queryAt);
  const query = queryAt === -1 ? '' : target.slice(queryAt + 1);
  if (rawPath.includes('#')) return { refused: 'The path carries a fragment.' };
  if (rawPath.includes('\\')) return { refused: 'The path carries a backslash.' };
  const segments: string[] = [];
  for (const raw of rawPath.split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return { refused: 'The path is not validly percent-encoded.' };
    }
    if (segment.includes('/') || segment.includes('\\')) return { refused: 'The path carries an encoded slash.' };
    if (segment.includes('%')) return { refused: 'The path is percent-encoded twice.' };
    if (CONTROL.test(segment)) return { refused: 'The path carries a control character.' };
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (segments.length === 0) return { refused: 'The path climbs above the root.' };
      segments.pop();
      continue;
    }
    segments.push(segment);
  }
  return { segments, query };
}

/** The path as sent upstream: each checked segment encoded, so the upstream decodes exactly what was checked. */
export function formatPath(segments: string[], query: string): string {
  const path = `/${segments.map(encodeURIComponent).join('/')}`;
  return query ? `${path}?${query}` : path;
}
