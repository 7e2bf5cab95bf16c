import { UserChanged } from '@boxoffice/contracts';
import type { App } from '@boxoffice/http';
import { createPluginHost, dropDatabase, testEnv, uniqueSuffix, waitFor } from '@boxoffice/testing';
import { USER_AUTH_MIGRATIONS, userAuthPlugin, usersReplica } from '@boxoffice/user-auth';
import { buildApp as buildUserService } from '../../../services/user/src/app';
import { readConfig as readUserConfig } from '../../../services/user/src/config';

async function buildReader(env: Record<string, string>, userServiceUrl: string): Promise<App> {
  const app = await createPluginHost('reader', env, [USER_AUTH_MIGRATIONS]);
  await app.register(userAuthPlugin, { userServiceUrl });
  app.events.consumer('reader').on(UserChanged, usersReplica.applyEvent);
  app.get('/me', { preHandler: app.requireUser }, async (request) => request.user);
  app.get('/admin', { preHandler: app.requireAdmin }, async () => ({ ok: true }));
  await app.ready();
  return app;
}

describe('USER-TOKEN resolved from a users replica, with the user service as fallback', () => {
  const userEnv = testEnv('user');
  const readerEnv = testEnv('reader', { KAFKA_TOPIC_PREFIX: userEnv.KAFKA_TOPIC_PREFIX! });
  let users: App;
  let reader: App;
  let userServiceUrl: string;

  const register = async (name: string) =>
    (
      await users.inject({
        method: 'POST',
        url: '/users',
        payload: { name, login_id: `${name}${uniqueSuffix()}`, password: 'password123' },
      })
    ).json();

  beforeAll(async () => {
    users = await buildUserService(readUserConfig(userEnv));
    await users.listen({ host: '127.0.0.1', port: 0 });
    userServiceUrl = `http://127.0.0.1:${(users.server.address() as { port: number }).port}`;
    reader = await buildReader(readerEnv, userServiceUrl);
  });
  afterAll(async () => {
    await reader.close();
    await users.close().catch(() => undefined);
    await Promise.all([dropDatabase(userEnv.DATABASE_URL!), dropDatabase(readerEnv.DATABASE_URL!)]);
  });

  it('when the user event has arrived, then the token resolves from the replica', async () => {
    const alice = await register('alice');
    await waitFor(
      'alice in the replica',
      async () => (await reader.pg.query('SELECT 1 FROM users_replica WHERE id = $1', [alice.id])).rowCount,
    );
    const response = await reader.inject({ method: 'GET', url: '/me', headers: { 'user-token': alice.access_token } });
    expect(response.json()).toEqual({ id: alice.id, name: 'alice', role: 'user' });
  });

  it('when the replica does not know the token yet, then the user service is asked', async () => {
    const bob = await register('bob');
    await reader.pg.query('DELETE FROM users_replica WHERE id = $1', [bob.id]); // as if the event were still in flight
    const response = await reader.inject({ method: 'GET', url: '/me', headers: { 'user-token': bob.access_token } });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ id: bob.id, name: 'bob', role: 'user' });
  });

  it('when the token is unknown everywhere, then 401; when not an admin, then 403 on admin routes', async () => {
    const unknown = await reader.inject({
      method: 'GET',
      url: '/me',
      headers: { 'user-token': '11111111-2222-4333-8444-555555555555' },
    });
    expect(unknown.statusCode).toBe(401);
    const carol = await register('carol');
    const admin = await reader.inject({ method: 'GET', url: '/admin', headers: { 'user-token': carol.access_token } });
    expect(admin.statusCode).toBe(403);
    expect(admin.json().errors.code).toBe('FORBIDDEN');
  });

  it('when no consumer feeds the users replica, then the service refuses to start, naming the fix', async () => {
    const lonelyEnv = testEnv('lonely');
    const lonely = await createPluginHost('lonely', lonelyEnv, [USER_AUTH_MIGRATIONS]);
    await lonely.register(userAuthPlugin, { userServiceUrl });
    await expect(lonely.ready()).rejects.toThrow(/no consumer of user\.changed feeds it/);
    await lonely.close();
    await dropDatabase(lonelyEnv.DATABASE_URL!);
  });

  it('when the user service is down and the replica lacks the token, then 503, never a guess', async () => {
    const dave = await register('dave');
    await waitFor(
      'dave in the replica',
      async () => (await reader.pg.query('SELECT 1 FROM users_replica WHERE id = $1', [dave.id])).rowCount,
    );
    await reader.pg.query('DELETE FROM users_replica WHERE id = $1', [dave.id]);
    await users.close();
    const response = await reader.inject({ method: 'GET', url: '/me', headers: { 'user-token': dave.access_token } });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBeDefined();
  });
});
