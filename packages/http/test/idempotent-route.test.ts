import { randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { createPool, ensureDatabase, sha256Digest, type Pool, type Transact } from '@boxoffice/db';
import { conflict } from '@boxoffice/errors';
import { createApp, replyIdempotently, type App } from '@boxoffice/http';
import { dropDatabase, testEnv } from '@boxoffice/testing';

/** A use-case as the routes see one: domain in, domain result out, its write in the transaction it is handed. */
async function addThing(name: string, transact: Transact): Promise<{ id: number; name: string }> {
  if (name === 'taken') throw conflict('NAME_TAKEN', 'That name is taken.');
  return transact(async (tx) => {
    const { rows } = await tx.query<{ id: number }>('INSERT INTO things (name) VALUES ($1) RETURNING id', [name]);
    return { id: rows[0]!.id, name };
  });
}

describe('replyIdempotently against a real PostgreSQL', () => {
  const databaseUrl = testEnv('http').DATABASE_URL!;
  let pool: Pool;
  let app: App;

  beforeAll(async () => {
    await ensureDatabase(databaseUrl);
    pool = createPool(databaseUrl);
    await pool.query(`CREATE TABLE idempotency_keys (
      scope text NOT NULL, user_id integer NOT NULL, key text NOT NULL, request_hash text NOT NULL,
      status integer NOT NULL, body jsonb NOT NULL, location text, created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (scope, user_id, key))`);
    await pool.query('CREATE TABLE things (id serial PRIMARY KEY, name text NOT NULL)');
    app = await createApp({ name: 'test', logLevel: 'silent' });
    const store = { pool, digest: sha256Digest };
    const body = Type.Object({ name: Type.String() }, { additionalProperties: false });
    for (const url of ['/things', '/other-things']) {
      app.post(url, { schema: { body } }, async (request, reply) =>
        replyIdempotently(request, reply, {
          store,
          userId: Number(request.headers['x-user'] ?? 1),
          run: (transact) => addThing(request.body.name, transact),
          answer: (thing) => ({ status: 201, body: thing, location: `/things/${thing.id}` }),
        }),
      );
    }
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await pool?.end();
    await dropDatabase(databaseUrl);
  });

  const post = (key: string | undefined, name: string, url = '/things', user = '1') =>
    app.inject({
      method: 'POST',
      url,
      headers: { 'x-user': user, ...(key ? { 'idempotency-key': key } : {}) },
      payload: { name },
    });
  const countThings = async (name: string) =>
    (await pool.query('SELECT count(*)::int AS n FROM things WHERE name = $1', [name])).rows[0].n as number;

  it('when the same key and body come again, then status, body and Location are replayed and the write ran once', async () => {
    const key = randomUUID();
    const first = await post(key, 'lamp');
    const again = await post(key, 'lamp');

    expect(first.statusCode).toBe(201);
    expect(first.headers.location).toBe(`/things/${first.json().id}`);
    expect(again.statusCode).toBe(201);
    expect(again.headers.location).toBe(first.headers.location);
    expect(again.json()).toEqual(first.json());
    expect(await countThings('lamp')).toBe(1);
  });

  it('when the same key comes with another body, then 422 and nothing is written', async () => {
    const key = randomUUID();
    await post(key, 'chair');
    const other = await post(key, 'table');

    expect(other.statusCode).toBe(422);
    expect(other.json().errors.detail[0]).toMatchObject({ param: 'idempotency-key', error: 'IdempotencyKeyReused' });
    expect(await countThings('table')).toBe(0);
  });

  it('when the use-case refuses, then its domain error is the answer and the key stays free for a corrected retry', async () => {
    const key = randomUUID();
    const refused = await post(key, 'taken');
    const corrected = await post(key, 'stool');

    expect(refused.statusCode).toBe(409);
    expect(refused.json().errors.code).toBe('NAME_TAKEN');
    expect(corrected.statusCode).toBe(201);
    expect(await countThings('stool')).toBe(1);
  });

  it('when the key is reused on another route or by another user, then it is a new write there', async () => {
    const key = randomUUID();
    const first = await post(key, 'desk');
    const otherRoute = await post(key, 'desk', '/other-things');
    const otherUser = await post(key, 'desk', '/things', '2');

    expect([first.statusCode, otherRoute.statusCode, otherUser.statusCode]).toEqual([201, 201, 201]);
    expect(new Set([first.json().id, otherRoute.json().id, otherUser.json().id]).size).toBe(3);
    const scopes = await pool.query('SELECT scope, user_id FROM idempotency_keys WHERE key = $1 ORDER BY 1, 2', [key]);
    expect(scopes.rows).toEqual([
      { scope: 'POST /other-things', user_id: 1 },
      { scope: 'POST /things', user_id: 1 },
      { scope: 'POST /things', user_id: 2 },
    ]);
  });

  it('when there is no key, then each request writes', async () => {
    await post(undefined, 'shelf');
    const second = await post(undefined, 'shelf');

    expect(second.statusCode).toBe(201);
    expect(await countThings('shelf')).toBe(2);
  });
});
