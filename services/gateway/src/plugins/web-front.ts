import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '@boxoffice/http';
import { resolveRoute } from '../domain/route-table';

/**
 * The web front (`web/`, built by Vite) served from memory: every file is read once at start-up, hashed for its
 * ETag and pre-compressed, so a request never touches the disk and no path a client sends can name a file
 * outside the build. Hashed files under /assets are cached for a year; everything else is revalidated.
 */
interface StaticFile {
  body: Buffer;
  gzip?: Buffer;
  br?: Buffer;
  type: string;
  etag: string;
  cacheControl: string;
}

export interface WebFront {
  root: string;
  files: Map<string, StaticFile>;
  shell: StaticFile;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
  '.webmanifest': 'application/manifest+json',
};
const COMPRESSIBLE = /^(text\/|image\/svg|application\/(json|manifest))/;
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

/** Everything the page loads comes from this origin; the API is same-origin too, so nothing else is allowed. */
const PAGE_SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) =>
      entry.isDirectory() ? filesUnder(path.join(dir, entry.name)) : Promise.resolve([path.join(dir, entry.name)]),
    ),
  );
  return nested.flat();
}

function staticFile(urlPath: string, body: Buffer): StaticFile {
  const type = TYPES[path.extname(urlPath)] ?? 'application/octet-stream';
  const worthIt = COMPRESSIBLE.test(type) && body.length > 1024;
  return {
    body,
    gzip: worthIt ? gzipSync(body, { level: 9 }) : undefined,
    br: worthIt ? brotliCompressSync(body) : undefined,
    type,
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
    cacheControl: urlPath.startsWith('/assets/') ? IMMUTABLE : REVALIDATE,
  };
}

/** The built front in `root`, or undefined when it has not been built (the API works without it). */
export async function loadWebFront(root: string): Promise<WebFront | undefined> {
  if (!existsSync(path.join(root, 'index.html'))) return undefined;
  const files = new Map<string, StaticFile>();
  for (const file of await filesUnder(root)) {
    const urlPath = `/${path.relative(root, file).split(path.sep).join('/')}`;
    files.set(urlPath, staticFile(urlPath, await readFile(file)));
  }
  return { root, files, shell: files.get('/index.html')! };
}

function send(request: FastifyRequest, reply: FastifyReply, file: StaticFile, extra: Record<string, string> = {}) {
  reply.headers({ 'content-type': file.type, 'cache-control': file.cacheControl, etag: file.etag, ...extra });
  reply.header('x-content-type-options', 'nosniff');
  if (file.gzip) reply.header('vary', 'accept-encoding');
  if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
  const accepted = String(request.headers['accept-encoding'] ?? '');
  if (file.br && /\bbr\b/.test(accepted)) return reply.header('content-encoding', 'br').send(file.br);
  if (file.gzip && /\bgzip\b/.test(accepted)) return reply.header('content-encoding', 'gzip').send(file.gzip);
  return reply.send(file.body);
}

/**
 * Whether an unrouted request is a browser opening one of the app's pages (a reload of /shows/1, say): a GET
 * for HTML, at a path no service answers, outside /api (a mistyped API call stays a JSON 404) and /assets
 * (a missing file is a 404, not a page).
 */
export function wantsAppShell(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const pathname = request.url.split('?')[0]!;
  if (pathname.startsWith('/api/') || pathname.startsWith('/assets/')) return false;
  if (!String(request.headers.accept ?? '').includes('text/html')) return false;
  return resolveRoute(request.url) === undefined;
}

/** The SPA fallback the proxy uses for unrouted paths. */
export const appShellOf = (web: WebFront) => ({
  wanted: wantsAppShell,
  send: (request: FastifyRequest, reply: FastifyReply) => send(request, reply, web.shell, PAGE_SECURITY_HEADERS),
});

/** GET / and every built file at its own path: exact routes, so no API path is ever shadowed. */
export async function webFrontRoutes(app: App, { web }: { web: WebFront }): Promise<void> {
  const shell = appShellOf(web);
  app.get('/', { schema: { hide: true } }, shell.send);
  for (const [urlPath, file] of web.files) {
    if (urlPath === '/index.html') continue;
    if (resolveRoute(urlPath)) throw new Error(`the web build's ${urlPath} is an API path; rename it in web/`);
    app.get(urlPath, { schema: { hide: true } }, (request, reply) => send(request, reply, file));
  }
}
