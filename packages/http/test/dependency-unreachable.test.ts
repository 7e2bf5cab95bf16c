import { createPool, type Pool } from '@boxoffice/db';
import { createApp, type App } from '@boxoffice/http';
import { freePort, testInfra } from '@boxoffice/testing';

// Found by the chaos run: while a service's PostgreSQL restarted, every request answered 500.
describe('a request whose database is unreachable', () => {
  let app: App;
  let down: Pool;
  let up: Pool;

  beforeAll(async () => {
    down = createPool(`postgres://postgres@127.0.0.1:${await freePort()}/nothing_listens_here`);
    up = createPool(`${testInfra.postgresServer}/postgres`, { max: 2 });
    app = await createApp({ name: 'test', logLevel: 'silent' });
    app.get('/refused', async () => (await down.query('SELECT 1')).rows);
    app.get('/terminated', async () => (await up.query('SELECT pg_terminate_backend(pg_backend_pid())')).rows);
    app.get('/boom', async () => {
      throw new Error('a bug of ours');
    });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await Promise.all([down.end(), up.end()]);
  });

  it.each(['/refused', '/terminated'])(
    'when %s, then 503 DEPENDENCY_UNAVAILABLE with Retry-After, not 500',
    async (url) => {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBeDefined();
      expect(response.json().errors.code).toBe('DEPENDENCY_UNAVAILABLE');
    },
  );

  it('when a handler fails for another reason, then it is still a 500', async () => {
    expect((await app.inject({ method: 'GET', url: '/boom' })).statusCode).toBe(500);
  });
});
