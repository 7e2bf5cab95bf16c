import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { App } from '@boxoffice/http';
import { freePort, testEnv, uniqueSuffix } from '@boxoffice/testing';
import { buildApp } from '../../src/app';
import { readConfig } from '../../src/config';

const SHELL =
  '<!doctype html><html lang="en"><head><title>Boxoffice</title></head><body><div id="app"></div></body></html>';
const SCRIPT = `console.log(${JSON.stringify('x'.repeat(4_000))});`;

async function gatewayServing(webRoot: string): Promise<App> {
  const nowhere = `http://127.0.0.1:${await freePort()}`; // no service listens: a routed call gets 503
  const urls = Object.fromEntries(
    ['USER', 'ITEM', 'ALARM', 'QUEUE', 'TICKET', 'PAYMENT'].map((name) => [`${name}_SERVICE_URLS`, nowhere]),
  );
  const app = await buildApp(
    readConfig({ ...testEnv('gateway'), ...urls, WEB_ROOT: webRoot, KAFKA_TOPIC_PREFIX: `t${uniqueSuffix()}.` }),
  );
  await app.ready();
  return app;
}

describe('the gateway serving the web front', () => {
  let webRoot: string;
  let gateway: App;

  beforeAll(async () => {
    webRoot = await mkdtemp(path.join(tmpdir(), 'web-front-'));
    await mkdir(path.join(webRoot, 'assets'));
    await writeFile(path.join(webRoot, 'index.html'), SHELL);
    await writeFile(path.join(webRoot, 'assets', 'index-abc123.js'), SCRIPT);
    await writeFile(path.join(webRoot, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    gateway = await gatewayServing(webRoot);
  });
  afterAll(async () => {
    await gateway.close();
    await rm(webRoot, { recursive: true, force: true });
  });

  it('when / is opened, then the page comes with a strict CSP, revalidation and an ETag that answers 304', async () => {
    const page = await gateway.inject({ method: 'GET', url: '/', headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toBe(SHELL);
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    const etag = String(page.headers.etag);
    expect(etag).toMatch(/^"[\w-]+"$/);

    const again = await gateway.inject({ method: 'GET', url: '/', headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('when a hashed asset is fetched, then it is cached for a year and sent compressed as the browser accepts', async () => {
    const url = '/assets/index-abc123.js';
    const brotli = await gateway.inject({ method: 'GET', url, headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(brotli.statusCode).toBe(200);
    expect(brotli.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(brotli.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(brotli.headers['content-encoding']).toBe('br');
    expect(brotli.headers.vary).toBe('accept-encoding');
    expect(brotliDecompressSync(brotli.rawPayload).toString()).toBe(SCRIPT);

    const gzip = await gateway.inject({ method: 'GET', url, headers: { 'accept-encoding': 'gzip' } });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.rawPayload).toString()).toBe(SCRIPT);

    const plain = await gateway.inject({ method: 'GET', url });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(SCRIPT);

    const icon = await gateway.inject({ method: 'GET', url: '/favicon.svg' });
    expect(icon.headers['content-type']).toBe('image/svg+xml');
    expect(icon.headers['cache-control']).toBe('no-cache');
  });

  it('when a browser reloads a page of the app, then it gets the app shell, and a JSON client still gets 404', async () => {
    const page = await gateway.inject({
      method: 'GET',
      url: '/shows/1/2?from=reload',
      headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' },
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toBe(SHELL);
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");

    const api = await gateway.inject({ method: 'GET', url: '/shows/1/2', headers: { accept: 'application/json' } });
    expect(api.statusCode).toBe(404);
    expect(api.json().errors.code).toBe('ROUTE_NOT_FOUND');
  });

  it('when a browser asks for an API path, a missing asset or an unknown /api path, then the shell never answers', async () => {
    const html = { accept: 'text/html' };
    // routed to the ticket service, which is down here: its 503, not the page
    const concerts = await gateway.inject({ method: 'GET', url: '/concerts', headers: html });
    expect(concerts.statusCode).toBe(503);
    expect(concerts.json().errors.code).toBe('DEPENDENCY_UNAVAILABLE');
    const tickets = await gateway.inject({ method: 'GET', url: '/tickets/abc', headers: html });
    expect(tickets.statusCode).toBe(503);

    const missing = await gateway.inject({ method: 'GET', url: '/assets/index-gone.js', headers: html });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toContain('application/json');

    const unknownApi = await gateway.inject({ method: 'GET', url: '/api/nothing-here', headers: html });
    expect(unknownApi.statusCode).toBe(404);
    expect(unknownApi.json().errors.code).toBe('ROUTE_NOT_FOUND');

    const write = await gateway.inject({ method: 'POST', url: '/shows', headers: html, payload: {} });
    expect(write.statusCode).toBe(404);

    const docs = await gateway.inject({ method: 'GET', url: '/docs/', headers: html });
    expect(docs.body).not.toBe(SHELL);
  });

  it('when the front has not been built, then / is a 404 and the API is served as before', async () => {
    const empty = await mkdtemp(path.join(tmpdir(), 'web-front-empty-'));
    const bare = await gatewayServing(empty);
    try {
      const root = await bare.inject({ method: 'GET', url: '/', headers: { accept: 'text/html' } });
      expect(root.statusCode).toBe(404);
      const page = await bare.inject({ method: 'GET', url: '/shows', headers: { accept: 'text/html' } });
      expect(page.statusCode).toBe(404);
      expect((await bare.inject({ method: 'GET', url: '/concerts' })).statusCode).toBe(503);
    } finally {
      await bare.close();
      await rm(empty, { recursive: true, force: true });
    }
  });
});
