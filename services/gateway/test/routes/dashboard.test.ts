import type { App } from '@boxoffice/http';
import { freePort } from '@boxoffice/testing';
import { buildTestGateway, startUserService } from '../support/test-gateway';

const ADMIN_TOKEN = '0b8f4c2e-6a55-4a3c-9d4e-2f1f6c0a0001'; // demo admin
const USER_TOKEN = '0b8f4c2e-6a55-4a3c-9d4e-2f1f6c0a0002'; // demo user 2

describe('the admin dashboard metrics through the gateway', () => {
  let users: Awaited<ReturnType<typeof startUserService>>;
  let gateway: App;

  beforeAll(async () => {
    users = await startUserService({ DEMO_DATA: 'true' });
    const userUrl = users.url;
    const stopped = `http://127.0.0.1:${await freePort()}`;
    gateway = await buildTestGateway({
      USER_SERVICE_URLS: userUrl,
      ITEM_SERVICE_URLS: `${userUrl},${stopped}`, // two "item instances": one answers (it is the user service), one is down
      ALARM_SERVICE_URLS: stopped,
      QUEUE_SERVICE_URLS: stopped,
      TICKET_SERVICE_URLS: stopped,
      PAYMENT_SERVICE_URLS: stopped,
    });
    await gateway.ready();
  });
  afterAll(async () => {
    await gateway.close();
    await users.close();
  });

  it('when no token or a non-admin token is sent, then 401 and 403, and no metric is given away', async () => {
    const none = await gateway.inject({ method: 'GET', url: '/api/dashboard/metrics' });
    expect(none.statusCode).toBe(401);
    const unknown = await gateway.inject({
      method: 'GET',
      url: '/api/dashboard/metrics',
      headers: { 'user-token': '00000000-0000-4000-8000-000000000000' },
    });
    expect(unknown.statusCode).toBe(401);
    const user = await gateway.inject({
      method: 'GET',
      url: '/api/dashboard/metrics',
      headers: { 'user-token': USER_TOKEN },
    });
    expect(user.statusCode).toBe(403);
    expect(user.body).not.toContain('http_request_duration_seconds');
  });

  it("when an admin asks, then every instance is listed, up with its samples or down, without Node's runtime figures", async () => {
    await gateway.inject({ method: 'GET', url: '/api/users/visit', headers: { 'user-token': USER_TOKEN } });
    const answer = await gateway.inject({
      method: 'GET',
      url: '/api/dashboard/metrics?without=route,method',
      headers: { 'user-token': ADMIN_TOKEN },
    });
    expect(answer.statusCode).toBe(200);
    const body = answer.json() as {
      at: string;
      instances: {
        service: string;
        instance: number;
        up: boolean;
        samples: { name: string; labels: Record<string, string>; value: number }[];
      }[];
    };
    expect(Number.isNaN(Date.parse(body.at))).toBe(false);
    const summary = body.instances.map(({ service, instance, up }) => `${service}#${instance}:${up ? 'up' : 'down'}`);
    expect(summary).toEqual([
      'user#1:up',
      'item#1:up',
      'item#2:down',
      'alarm#1:down',
      'queue#1:down',
      'ticket#1:down',
      'payment#1:down',
      'gateway#1:up',
    ]);
    const userSamples = body.instances[0]!.samples;
    const counts = userSamples.filter((s) => s.name === 'http_request_duration_seconds_count');
    expect(counts.length).toBeGreaterThan(0);
    expect(counts.every((s) => s.labels.route === undefined && s.labels.method === undefined)).toBe(true);
    expect(counts.every((s) => s.labels.service === 'user')).toBe(true);
    expect(userSamples.some((s) => s.name.startsWith('process_') || s.name.startsWith('nodejs_'))).toBe(false);
    // the probes and scrapes are not traffic: with routes kept, none of them is listed
    const withRoutes = await gateway.inject({
      method: 'GET',
      url: '/api/dashboard/metrics',
      headers: { 'user-token': ADMIN_TOKEN },
    });
    const routes = new Set(
      (withRoutes.json() as typeof body).instances.flatMap((one) => one.samples.map((s) => s.labels.route)),
    );
    expect(routes.has('/visit')).toBe(true);
    expect([...routes].filter((route) => ['/metrics', '/health', '/ready'].includes(route ?? ''))).toEqual([]);

    const bad = await gateway.inject({
      method: 'GET',
      url: '/api/dashboard/metrics?without=a;b',
      headers: { 'user-token': ADMIN_TOKEN },
    });
    expect(bad.statusCode).toBe(422);
  });
});
