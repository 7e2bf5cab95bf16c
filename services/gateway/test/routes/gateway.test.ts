import net from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import type { App } from '@boxoffice/http';
import { freePort, uniqueSuffix } from '@boxoffice/testing';
import { NO_RATE_LIMIT, buildTestGateway, startUserService, urlOf } from '../support/test-gateway';

/** A second instance of a service, reporting who answered: stands in for "user instance 2". */
async function startEchoInstance(port: number, name: string): Promise<FastifyInstance> {
  const app = Fastify({ forceCloseConnections: true });
  app.all('/*', async (request) => ({
    answeredBy: name,
    url: request.url,
    requestId: request.headers['x-request-id'],
  }));
  await app.listen({ host: '127.0.0.1', port });
  return app;
}

describe('gateway in front of the real user service', () => {
  let users: Awaited<ReturnType<typeof startUserService>>;
  let gateway: App;
  let userUrl: string;
  let deadUrl: string;

  beforeAll(async () => {
    users = await startUserService();
    userUrl = users.url;
    deadUrl = `http://127.0.0.1:${await freePort()}`; // nothing listens here: a stopped instance
    gateway = await buildTestGateway({
      USER_SERVICE_URLS: userUrl,
      ITEM_SERVICE_URLS: deadUrl,
      RATE_LIMIT_MAX: '1000',
    });
    await gateway.ready();
  });
  afterAll(async () => {
    await gateway.close();
    await users.close();
  });

  it('when a user registers and logs in through the gateway, then the user service answers under /api/users', async () => {
    const loginId = `gw${uniqueSuffix()}`;
    const created = await gateway.inject({
      method: 'POST',
      url: '/api/users/users',
      payload: { name: 'Via Gateway', login_id: loginId, password: 'password123' },
    });
    expect(created.statusCode).toBe(201);
    const login = await gateway.inject({
      method: 'POST',
      url: '/api/users/login',
      payload: { login_id: loginId, password: 'password123' },
    });
    expect(login.statusCode).toBe(200);
    const list = await gateway.inject({
      method: 'GET',
      url: '/api/users',
      headers: { 'user-token': login.json().access_token },
    });
    expect(list.statusCode).toBe(200);
    expect(list.json().payload[0]).toMatchObject({ name: 'Via Gateway', access_token: login.json().access_token });
  });

  it('when a request id is sent, then the service sees it and the client gets it back', async () => {
    const response = await gateway.inject({
      method: 'GET',
      url: '/api/users/nowhere',
      headers: { 'x-request-id': 'trace-gw-1' },
    });
    expect(response.statusCode).toBe(404);
    expect(response.headers['x-request-id']).toBe('trace-gw-1');
    expect(response.json().errors.code).toBe('ROUTE_NOT_FOUND');
  });

  it('when a service sends the SPEC error body, then it passes through unchanged', async () => {
    const response = await gateway.inject({ method: 'POST', url: '/api/users/login', payload: { login_id: 'x' } });
    expect(response.statusCode).toBe(422);
    expect(response.json().errors.detail[0]).toMatchObject({ param: 'password', error: 'MissingField' });
  });

  it('when the path is private or unknown, then 404 without asking anyone', async () => {
    for (const url of ['/internal/tickets/1', '/nowhere']) {
      const response = await gateway.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(404);
      expect(response.json().errors.code).toBe('ROUTE_NOT_FOUND');
    }
  });

  it('when the service is down, then 503 with Retry-After in the SPEC body', async () => {
    const response = await gateway.inject({ method: 'GET', url: '/api/items' });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('2');
    expect(response.json().errors.message).toBe('The item service is not answering; try again shortly.');
  });

  it('when asked for the API, then one merged document lists the user routes under their public paths', async () => {
    const document = (await gateway.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/api/users', '/api/users/login', '/api/users/users']),
    );
    expect(document.info.description).toContain('Not included right now (service unreachable): item');
    expect((await gateway.inject({ method: 'GET', url: '/docs/' })).statusCode).toBe(200);
  });
});

describe('gateway balancing and rate limiting', () => {
  let gateway: App;
  const instances: FastifyInstance[] = [];
  let ports: number[];

  beforeAll(async () => {
    ports = [await freePort(), await freePort()];
    instances.push(await startEchoInstance(ports[0]!, 'one'), await startEchoInstance(ports[1]!, 'two'));
    gateway = await buildTestGateway({
      TICKET_SERVICE_URLS: ports.map((port) => `http://127.0.0.1:${port}`).join(','),
      RATE_LIMIT_MAX: '5',
      RATE_LIMIT_IP_MAX: '20',
      RATE_LIMIT_WINDOW_SECONDS: '60',
    });
    await gateway.ready();
  });
  afterAll(async () => {
    await gateway.close();
    await Promise.all(instances.map((instance) => instance.close()));
  });

  it('when two instances answer, then requests alternate; when one stops, then the other takes every request', async () => {
    const ask = async () =>
      (
        await gateway.inject({ method: 'GET', url: '/events', headers: { 'user-token': `caller-a-${uniqueSuffix()}` } })
      ).json().answeredBy;
    expect(new Set([await ask(), await ask()])).toEqual(new Set(['one', 'two']));
    await instances[0]!.close();
    const answers = [await ask(), await ask(), await ask(), await ask()];
    expect(answers).toEqual(['two', 'two', 'two', 'two']);
  });

  it('when one caller goes over the limit, then 429 with Retry-After, and another caller is not affected', async () => {
    const token = `caller-b-${uniqueSuffix()}`;
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      statuses.push(
        (await gateway.inject({ method: 'GET', url: '/events', headers: { 'user-token': token } })).statusCode,
      );
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    const limited = await gateway.inject({ method: 'GET', url: '/events', headers: { 'user-token': token } });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json().errors.code).toBe('RATE_LIMITED');
    const other = await gateway.inject({
      method: 'GET',
      url: '/events',
      headers: { 'user-token': `caller-c-${uniqueSuffix()}` },
    });
    expect(other.statusCode).toBe(200);
  });

  it('when a signed-in caller spends its allowance, then requests without a credential from that address still pass', async () => {
    const remoteAddress = '10.1.2.3';
    const token = `caller-d-${uniqueSuffix()}`;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const response = await gateway.inject({
        method: 'GET',
        url: '/events',
        remoteAddress,
        headers: { 'user-token': token },
      });
      statuses.push(response.statusCode);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    // a page load or a sign-in from the same address: its own anonymous allowance, under the address's ceiling
    const anonymous = await gateway.inject({ method: 'GET', url: '/events', remoteAddress });
    expect(anonymous.statusCode).toBe(200);
  });
});

/** One request with the target sent byte for byte as given (no client normalises it), over a raw socket. */
function rawRequest(port: number, method: string, target: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString()));
    socket.once('error', reject);
    socket.once('close', () => resolve({ status: Number(text.split(' ')[1]), text }));
    socket.once('connect', () =>
      socket.write(
        `${method} ${target} HTTP/1.1\r\nHost: gateway\r\nUser-Token: ${uniqueSuffix()}\r\nConnection: close\r\n\r\n`,
      ),
    );
  });
}

describe('gateway path handling: the path it checks is the path the upstream gets', () => {
  let gateway: App;
  let upstream: FastifyInstance;
  const seen: string[] = [];

  beforeAll(async () => {
    upstream = Fastify({ forceCloseConnections: true });
    upstream.all('/*', async (request) => {
      seen.push(request.raw.url!);
      return { url: request.raw.url };
    });
    await upstream.listen({ host: '127.0.0.1', port: 0 });
    const upstreamUrl = urlOf(upstream);
    gateway = await buildTestGateway({
      ITEM_SERVICE_URLS: upstreamUrl,
      TICKET_SERVICE_URLS: upstreamUrl,
      ...NO_RATE_LIMIT,
    });
    await gateway.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await gateway.close();
    await upstream.close();
  });

  const port = () => (gateway.server.address() as net.AddressInfo).port;
  const underInternal = (url: string) =>
    url
      .split('?')[0]!
      .split('/')
      .filter(Boolean)
      .map((segment) => decodeURIComponent(segment).toLowerCase())[0] === 'internal';

  it.each([
    '/%69nternal/items?ids=1',
    '/%2569nternal/items',
    '//internal/items',
    '/api/items/%69nternal/items?ids=1',
    '/api/items/%49nTeRnAl/items?ids=1',
    '/api/items/%2e%2e/%2e%2e/internal/items',
    '/api/items/../../internal/items',
    '/api/items/./internal/items?ids=1',
    '/api/items//internal/items?ids=1',
    '/api/items/%2Finternal%2Fitems',
    '/api/items/%2finternal%2fitems',
    '/api/items/..%2F..%2Finternal%2Fitems',
    '/tickets/../internal/tickets/1',
    '/events/%2e%2e/internal/tickets/1/confirm',
  ])('when %s goes through the public gateway, then no internal route is reached', async (target) => {
    const before = seen.length;
    const answer = await rawRequest(port(), 'GET', target);
    expect([400, 404]).toContain(answer.status);
    expect(seen.slice(before).filter(underInternal)).toEqual([]);
    expect(answer.text).toContain('"errors"');
  });

  it('when a path is sent with escapes, dot segments and doubled slashes, then the upstream gets its normalised form', async () => {
    const before = seen.length;
    expect((await rawRequest(port(), 'GET', '/api/items//%37/./?offset=0')).status).toBe(200);
    expect((await rawRequest(port(), 'GET', '/events/x/../a%20b')).status).toBe(200);
    expect(seen.slice(before)).toEqual(['/7?offset=0', '/events/a%20b']);
  });
});

describe('gateway sign-up limit per IP address', () => {
  let gateway: App;
  let users: FastifyInstance;

  beforeAll(async () => {
    const port = await freePort();
    users = await startEchoInstance(port, 'users');
    gateway = await buildTestGateway({
      USER_SERVICE_URLS: `http://127.0.0.1:${port}`,
      RATE_LIMIT_MAX: '1000',
      SIGNUP_RATE_LIMIT_MAX: '3',
      SIGNUP_RATE_LIMIT_WINDOW_SECONDS: '3600',
    });
    await gateway.ready();
  });
  afterAll(async () => {
    await gateway.close();
    await users.close();
  });

  const signUp = (remoteAddress: string, url = '/api/users/users') =>
    gateway.inject({ method: 'POST', url, remoteAddress, payload: { name: 'n', login_id: 'l', password: 'p' } });

  it('when one address signs up more often than SIGNUP_RATE_LIMIT_MAX per window, then 429 with Retry-After, however the path is spelled', async () => {
    const statuses = [
      (await signUp('10.0.0.1')).statusCode,
      (await signUp('10.0.0.1', '/api/users//users')).statusCode,
      (await signUp('10.0.0.1', '/api/users/%75sers')).statusCode,
    ];
    expect(statuses).toEqual([200, 200, 200]);
    const refused = await signUp('10.0.0.1', '/api/users/./users/');
    expect(refused.statusCode).toBe(429);
    expect(refused.json().errors).toMatchObject({ code: 'RATE_LIMITED', message: expect.stringContaining('sign-ups') });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(3_000);
  });

  it('when an address is at its sign-up limit, then its other requests and other addresses are not affected', async () => {
    for (let i = 0; i < 4; i++) await signUp('10.0.0.2');
    expect((await signUp('10.0.0.2')).statusCode).toBe(429);
    const login = await gateway.inject({
      method: 'POST',
      url: '/api/users/login',
      remoteAddress: '10.0.0.2',
      payload: {},
    });
    expect(login.statusCode).toBe(200);
    expect((await signUp('10.0.0.3')).statusCode).toBe(200);
  });
});
