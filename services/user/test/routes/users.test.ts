import { TOPICS } from '@boxoffice/contracts';
import type { App } from '@boxoffice/http';
import { EventRecorder, dropDatabase, testEnv, uniqueSuffix } from '@boxoffice/testing';
import { buildApp } from '../../src/app';
import { readConfig } from '../../src/config';
import { tokenSha256 } from '../../src/domain/user';

describe('user service routes', () => {
  const env = testEnv('user');
  let app: App;

  const register = (name: string, loginId = `u${uniqueSuffix()}`, password = 'correct horse battery') =>
    app.inject({ method: 'POST', url: '/users', payload: { name, login_id: loginId, password } });

  beforeAll(async () => {
    app = await buildApp(readConfig(env));
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await dropDatabase(env.DATABASE_URL!);
  });

  it('when a user registers, then 201 with a Location and an access token that logs in', async () => {
    const loginId = `ada${uniqueSuffix()}`;
    const created = await register('Ada', loginId);
    expect(created.statusCode).toBe(201);
    const user = created.json();
    expect(user).toEqual({
      id: expect.any(Number),
      name: 'Ada',
      access_token: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(created.headers.location).toBe(`/users/${user.id}`);

    const login = await app.inject({
      method: 'POST',
      url: '/login',
      payload: { login_id: loginId, password: 'correct horse battery' },
    });
    expect(login.statusCode).toBe(200);
    expect(login.json()).toEqual(user);
  });

  it('when the password is wrong or the login id unknown, then 401 either way', async () => {
    const loginId = `bob${uniqueSuffix()}`;
    await register('Bob', loginId);
    const wrong = await app.inject({
      method: 'POST',
      url: '/login',
      payload: { login_id: loginId, password: 'not the password' },
    });
    const unknown = await app.inject({
      method: 'POST',
      url: '/login',
      payload: { login_id: `nobody${uniqueSuffix()}`, password: 'whatever1' },
    });
    for (const response of [wrong, unknown]) {
      expect(response.statusCode).toBe(401);
      expect(response.json().errors).toMatchObject({
        code: 'UNAUTHORIZED',
        message: 'The login id or the password is wrong.',
      });
    }
  });

  it('when the login id is taken, then 409', async () => {
    const loginId = `carol${uniqueSuffix()}`;
    await register('Carol', loginId);
    const again = await register('Carol 2', loginId);
    expect(again.statusCode).toBe(409);
    expect(again.json().errors).toMatchObject({
      code: 'DUPLICATE_LOGIN_ID',
      detail: [{ param: 'login_id', value: loginId }],
    });
  });

  it('when fields are missing, unknown or too short, then 422 lists every one', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/users',
      payload: { name: '', password: 'short', admin: true },
    });
    expect(response.statusCode).toBe(422);
    const detail = response.json().errors.detail.map((d: { param: string; error: string }) => `${d.param}:${d.error}`);
    expect(detail.sort()).toEqual([
      'admin:UnknownField',
      'login_id:MissingField',
      'name:RangeError',
      'password:RangeError',
    ]);
  });

  it('when the password is stored, then it is a scrypt hash, never the password', async () => {
    const loginId = `dan${uniqueSuffix()}`;
    await register('Dan', loginId, 'my secret password');
    const { rows } = await app.pg.query('SELECT password_hash FROM users WHERE login_id = $1', [loginId]);
    expect(rows[0].password_hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(rows[0].password_hash).not.toContain('my secret password');
  });

  it('when two users choose the same password, then each hash has its own salt, the scrypt cost is at least N=2^14, and no event carries the password or its hash', async () => {
    const password = 'the very same password';
    const [first, second] = [
      (await register('Twin A', undefined, password)).json(),
      (await register('Twin B', undefined, password)).json(),
    ];
    const { rows } = await app.pg.query<{ password_hash: string }>(
      'SELECT password_hash FROM users WHERE id = ANY($1) ORDER BY id',
      [[first.id, second.id]],
    );
    const parts = rows.map((row) => row.password_hash.split('$'));
    expect(parts.map(([scheme]) => scheme)).toEqual(['scrypt', 'scrypt']);
    for (const [, n, r] of parts) expect(Number(n) * Number(r)).toBeGreaterThanOrEqual(2 ** 14 * 8); // ≥ 16 MiB of memory per guess
    expect(parts[0]![4]).not.toBe(parts[1]![4]); // salts differ
    expect(parts[0]![5]).not.toBe(parts[1]![5]); // so do the hashes: a table of precomputed guesses is useless
    const { rows: demo } = await app.pg.query<{ password_hash: string }>(
      "SELECT password_hash FROM users WHERE login_id = 'admin'",
    );
    if (demo[0]) expect(demo[0].password_hash).toMatch(/^scrypt\$/);

    const recorder = await new EventRecorder(env.KAFKA_TOPIC_PREFIX!, [TOPICS.users]).start();
    try {
      await recorder.waitFor('both twins', () =>
        [first.id, second.id].every((id) => recorder.events.some((e) => e.aggregateId === String(id))),
      );
      const events = JSON.stringify(recorder.events);
      expect(events).not.toContain(password);
      for (const row of rows) expect(events).not.toContain(row.password_hash.split('$')[5]);
    } finally {
      await recorder.stop();
    }
  });

  it("when listing users, then id descending, and tokens only on the caller's own row", async () => {
    const first = (await register('Eve')).json();
    const second = (await register('Frank')).json();
    const response = await app.inject({ method: 'GET', url: '/', headers: { 'user-token': first.access_token } });
    expect(response.statusCode).toBe(200);
    const { count, payload } = response.json();
    expect(count).toBe(payload.length);
    const ids = payload.map((u: { id: number }) => u.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(payload.find((u: { id: number }) => u.id === first.id)).toEqual({
      id: first.id,
      name: 'Eve',
      access_token: first.access_token,
    });
    expect(payload.find((u: { id: number }) => u.id === second.id)).toEqual({ id: second.id, name: 'Frank' });
  });

  it('when an admin lists users, then every token is shown', async () => {
    const someone = (await register('Grace')).json();
    const admin = (await register('Admin')).json();
    await app.pg.query(`UPDATE users SET role = 'admin' WHERE id = $1`, [admin.id]);
    const response = await app.inject({ method: 'GET', url: '/', headers: { 'user-token': admin.access_token } });
    expect(response.json().payload.find((u: { id: number }) => u.id === someone.id).access_token).toBe(
      someone.access_token,
    );
  });

  it('when USER-TOKEN is missing, malformed or unknown, then 401', async () => {
    for (const headers of [{}, { 'user-token': 'nope' }, { 'user-token': '00000000-0000-4000-8000-000000000000' }]) {
      const response = await app.inject({ method: 'GET', url: '/', headers });
      expect(response.statusCode).toBe(401);
      expect(response.json().errors.code).toBe('UNAUTHORIZED');
    }
  });

  it('when a user registers, then a user.changed event carries the token hash, never the token', async () => {
    const user = (await register('Heidi')).json();
    const recorder = await new EventRecorder(env.KAFKA_TOPIC_PREFIX!, [TOPICS.users]).start();
    try {
      const event = await recorder.waitFor('Heidi changed', (e) => e.aggregateId === String(user.id));
      expect(event).toMatchObject({
        type: 'user.changed',
        source: 'user',
        aggregateVersion: 1,
        payload: {
          id: user.id,
          name: 'Heidi',
          role: 'user',
          accessTokenSha256: tokenSha256(user.access_token),
          deleted: false,
        },
      });
      expect(JSON.stringify(event)).not.toContain(user.access_token);
    } finally {
      await recorder.stop();
    }
  });
});

describe('user service demo data', () => {
  it('when started twice on a fresh database, then the ten demo users (one admin) are loaded once', async () => {
    const env = testEnv('user', { DEMO_DATA: 'true' });
    try {
      for (let start = 0; start < 2; start++) {
        const app = await buildApp(readConfig(env));
        const { rows } = await app.pg.query(
          `SELECT count(*)::int AS n, count(*) FILTER (WHERE role = 'admin')::int AS admins FROM users`,
        );
        expect(rows[0]).toEqual({ n: 10, admins: 1 });
        await app.close();
      }
    } finally {
      await dropDatabase(env.DATABASE_URL!);
    }
  });
});
