import net from 'node:net';
import { Type } from '@sinclair/typebox';
import { createPool, type Pool } from '@boxoffice/db';
import { createApp, DEFAULT_SERVER_TIMEOUTS, type App } from '@boxoffice/http';
import { testInfra } from '@boxoffice/testing';

const INTERNAL_TOKEN = 'peer-secret-for-hardening-tests';

describe('createApp: methods, internal routes and values PostgreSQL refuses', () => {
  let app: App;
  let pool: Pool;

  beforeAll(async () => {
    pool = createPool(`${testInfra.postgresServer}/postgres`, { max: 2 });
    app = await createApp({ name: 'test', logLevel: 'silent', internalToken: INTERNAL_TOKEN });
    app.get('/things', async () => []);
    app.post('/things', async () => ({}));
    app.delete('/things/:id', async () => ({}));
    app.post('/orders/create', async () => ({}));
    app.get(
      '/orders/:id',
      { schema: { params: Type.Object({ id: Type.String({ format: 'uuid' }) }) } },
      async () => ({}),
    );
    app.get('/internal/things', async () => ({ secret: 'stock counts' }));
    // values straight to PostgreSQL, as a schema that forgot a bound would let them through
    app.post(
      '/store',
      { schema: { body: Type.Object({ sql: Type.String(), value: Type.String() }) } },
      async (request) => (await pool.query(request.body.sql, [request.body.value])).rows,
    );
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await pool.end();
  });

  it('when a path exists under other methods, then 405 with Allow in the SPEC body', async () => {
    const response = await app.inject({ method: 'PUT', url: '/things' });
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe('GET, HEAD, POST');
    expect(response.json().errors).toMatchObject({ code: 'METHOD_NOT_ALLOWED', detail: [] });
    const withParam = await app.inject({ method: 'PATCH', url: '/things/7/?x=1' });
    expect(withParam.statusCode).toBe(405);
    expect(withParam.headers.allow).toBe('DELETE');
  });

  it('when a parametric route catches a path a more specific route names, then 405 for that resource', async () => {
    const response = await app.inject({ method: 'GET', url: '/orders/create' });
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe('POST');
    // the parametric route still answers the paths it names
    expect((await app.inject({ method: 'GET', url: '/orders/6c00a5d6-0ed3-4a23-b6e6-d1eb056cfbd1' })).statusCode).toBe(
      200,
    );
  });

  it('when a parameter would be empty, then the path names the parent resource, not the parametric route', async () => {
    const response = await app.inject({ method: 'DELETE', url: '/things/' });
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe('GET, HEAD, POST');
  });

  it('when an unknown method such as QUERY arrives without a content type, then 405, not a body error', async () => {
    const response = await app.inject({ method: 'QUERY' as 'GET', url: '/things' });
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe('GET, HEAD, POST');
  });

  it('when a path exists under no method, then still 404', async () => {
    const response = await app.inject({ method: 'PUT', url: '/nothing-here' });
    expect(response.statusCode).toBe(404);
    expect(response.headers.allow).toBeUndefined();
  });

  it.each([
    ['no token', {}],
    ['a wrong token', { 'x-internal-token': `${INTERNAL_TOKEN}x` }],
    ['an empty token', { 'x-internal-token': '' }],
  ])('when an /internal route is called with %s, then 401', async (_what, headers) => {
    const response = await app.inject({ method: 'GET', url: '/internal/things', headers });
    expect(response.statusCode).toBe(401);
    expect(response.body).not.toContain('stock counts');
  });

  it('when an /internal route is reached through an encoded or doubled form, then the guard still applies', async () => {
    for (const url of ['/%69nternal/things', '/internal/things/', '/internal/%74hings']) {
      const response = await app.inject({ method: 'GET', url });
      expect({ url, status: response.statusCode }).toEqual({ url, status: 401 });
    }
  });

  it('when the peers present the token, then the /internal route answers', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/internal/things',
      headers: { 'x-internal-token': INTERNAL_TOKEN },
    });
    expect(response.statusCode).toBe(200);
  });

  it('when an /internal route is registered without an internal token, then the app refuses to build', async () => {
    const bare = await createApp({ name: 'bare', logLevel: 'silent' });
    expect(() => bare.get('/internal/x', async () => ({}))).toThrow(/need createApp\(\{ internalToken \}\)/);
    await bare.close();
  });

  it.each([
    ['an integer beyond int4', 'SELECT $1::int AS v', '2147483648'],
    ['a uuid PostgreSQL cannot parse', 'SELECT $1::uuid AS v', 'urn:uuid:6c00a5d6-0ed3-4a23-b6e6-d1eb056cfbd1'],
    ['a time-zone offset it cannot store', 'SELECT $1::timestamptz AS v', '2047-10-21T09:00:00+16:00'],
    ['year zero', 'SELECT $1::timestamptz AS v', '0000-01-01T00:00:00Z'],
    ['a NUL character in text', 'SELECT $1::text AS v', 'a\u0000b'],
  ])('when PostgreSQL rejects %s (SQLSTATE class 22), then 422 without the SQL', async (_what, sql, value) => {
    const response = await app.inject({ method: 'POST', url: '/store', payload: { sql, value } });
    expect(response.statusCode).toBe(422);
    expect(response.json().errors.code).toBe('INVALID_VALUE');
    expect(response.body).not.toMatch(/SELECT|invalid input|for type|time zone|0x00|\$1/i);
  });

  it('when the URL is not validly percent-encoded, then 400 in the SPEC body', async () => {
    const response = await app.inject({ method: 'GET', url: '/things/%zz' });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors.code).toBe('BAD_URL');
  });
});

/**
 * Opens a raw socket, sends `atOnce`, then `slowly` one byte at a time, `gapMs` apart. Resolves when the server
 * closes the socket, or when everything was sent and it still had not.
 */
function dribble(
  port: number,
  atOnce: string,
  slowly: string,
  gapMs: number,
): Promise<{ closedByServer: boolean; answer: string }> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let answer = '';
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    const finish = (closedByServer: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ closedByServer, answer });
    };
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.once('close', () => finish(true));
    socket.once('error', () => finish(true));
    const next = () => {
      if (sent >= slowly.length) return finish(false); // sent it all and the server still listened
      socket.write(slowly[sent++]!);
      timer = setTimeout(next, gapMs);
    };
    socket.once('connect', () => {
      socket.write(atOnce);
      next();
    });
  });
}

describe('createApp: slow clients', () => {
  // a request head that takes ~6 s to arrive at 100 ms a byte, against deadlines of 0.5 s (headers) and 1 s (request)
  const slowHead = `GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ${'a'.repeat(30)}\r\n\r\n`;

  it('when a client sends its headers slower than HEADERS_TIMEOUT_MS allows, then the server cuts it off with 408', async () => {
    const app = await createApp({
      name: 'slow',
      logLevel: 'silent',
      timeouts: { ...DEFAULT_SERVER_TIMEOUTS, HEADERS_TIMEOUT_MS: 500, REQUEST_TIMEOUT_MS: 1_000 },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const port = (app.server.address() as net.AddressInfo).port;
      const { closedByServer, answer } = await dribble(port, '', slowHead, 100);
      expect(closedByServer).toBe(true);
      expect(answer).toMatch(/^HTTP\/1\.1 408/);
    } finally {
      await app.close();
    }
  });

  it('when a client sends its body slower than REQUEST_TIMEOUT_MS allows, then the server cuts it off', async () => {
    const app = await createApp({
      name: 'slow-body',
      logLevel: 'silent',
      timeouts: { ...DEFAULT_SERVER_TIMEOUTS, HEADERS_TIMEOUT_MS: 500, REQUEST_TIMEOUT_MS: 1_000 },
    });
    app.post('/echo', async (request) => request.body);
    await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const body = JSON.stringify({ text: 'b'.repeat(40) });
      const head = `POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
      const port = (app.server.address() as net.AddressInfo).port;
      const { closedByServer, answer } = await dribble(port, head, body, 100);
      expect(closedByServer).toBe(true);
      expect(answer).not.toMatch(/^HTTP\/1\.1 200/);
    } finally {
      await app.close();
    }
  });

  it('when the timeouts are left at their defaults, then every one of them is set (none is "forever")', async () => {
    const app = await createApp({ name: 'defaults', logLevel: 'silent' });
    await app.ready();
    expect(app.server.requestTimeout).toBe(DEFAULT_SERVER_TIMEOUTS.REQUEST_TIMEOUT_MS);
    expect(app.server.headersTimeout).toBe(DEFAULT_SERVER_TIMEOUTS.HEADERS_TIMEOUT_MS);
    expect(app.server.keepAliveTimeout).toBe(DEFAULT_SERVER_TIMEOUTS.KEEP_ALIVE_TIMEOUT_MS);
    expect(app.server.timeout).toBe(DEFAULT_SERVER_TIMEOUTS.CONNECTION_TIMEOUT_MS);
    await app.close();
  });
});
