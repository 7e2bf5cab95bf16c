import Fastify, { type FastifyInstance } from 'fastify';
import type { App } from '@boxoffice/http';
import { dropDatabase, freePort, testEnv, uniqueSuffix } from '@boxoffice/testing';
import { buildApp as buildUserService } from '../../../user/src/app';
import { readConfig as readUserConfig } from '../../../user/src/config';
import { buildApp } from '../../src/app';
import { readConfig } from '../../src/config';

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
  const userEnv = testEnv('user');
  let users: App;
  let gateway: App;
  let userUrl: string;
  let deadUrl: string;

  beforeAll(async () => {
    users = await buildUserService(readUserConfig(userEnv));
    await users.listen({ host: '127.0.0.1', port: 0 });
    userUrl = `http://127.0.0.1:${(users.server.address() as { port: number }).port}`;
    deadUrl = `http://127.0.0.1:${await freePort()}`; // nothing listens here: a stopped instance
    gateway = await buildApp(
      readConfig({
        ...testEnv('gateway'),
        USER_SERVICE_URLS: userUrl,
        ITEM_SERVICE_URLS: deadUrl,
        RATE_LIMIT_MAX: '1000',
        KAFKA_TOPIC_PREFIX: `t${uniqueSuffix()}.`,
      }),
    );
    await gateway.ready();
  });
  afterAll(async () => {
    await gateway.close();
    await users.close();
    await dropDatabase(userEnv.DATABASE_URL!);
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
    gateway = await buildApp(
      readConfig({
        ...testEnv('gateway'),
        TICKET_SERVICE_URLS: ports.map((port) => `http://127.0.0.1:${port}`).join(','),
        RATE_LIMIT_MAX: '5',
        RATE_LIMIT_IP_MAX: '20',
        RATE_LIMIT_WINDOW_SECONDS: '60',
        KAFKA_TOPIC_PREFIX: `t${uniqueSuffix()}.`,
      }),
    );
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
