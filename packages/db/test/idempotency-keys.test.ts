import { createHash, randomUUID } from 'node:crypto';
import {
  claimIdempotencyKey,
  createPool,
  ensureDatabase,
  findStoredAnswer,
  hashRequestBody,
  idempotentWrite,
  type BodyDigest,
  type IdempotencyRequest,
  type Pool,
} from '@boxoffice/db';
import { badRequest } from '@boxoffice/errors';
import { dropDatabase, testEnv } from '@boxoffice/testing';

const sha256: BodyDigest = (canonicalBody) => createHash('sha256').update(canonicalBody).digest('hex');

describe('hashRequestBody', () => {
  it('when two bodies differ only in field order, then they hash the same through the given digest', () => {
    const seen: string[] = [];
    const recording: BodyDigest = (canonicalBody) => (seen.push(canonicalBody), sha256(canonicalBody));
    expect(hashRequestBody(recording, { b: 1, a: [{ d: 2, c: 3 }] })).toBe(
      hashRequestBody(recording, { a: [{ c: 3, d: 2 }], b: 1 }),
    );
    expect(seen).toEqual(['{"a":[{"c":3,"d":2}],"b":1}', '{"a":[{"c":3,"d":2}],"b":1}']);
    expect(hashRequestBody(sha256, { a: 1 })).not.toBe(hashRequestBody(sha256, { a: 2 }));
    expect(hashRequestBody(sha256, undefined)).toBe(hashRequestBody(sha256, null));
  });
});

describe('the Idempotency-Key store against a real PostgreSQL', () => {
  const databaseUrl = testEnv('db').DATABASE_URL!;
  let pool: Pool;

  beforeAll(async () => {
    await ensureDatabase(databaseUrl);
    pool = createPool(databaseUrl);
    // The shape every service's migration gives the table.
    await pool.query(`CREATE TABLE idempotency_keys (
      scope text NOT NULL, user_id integer NOT NULL, key text NOT NULL, request_hash text NOT NULL,
      status integer NOT NULL, body jsonb NOT NULL, location text, created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (scope, user_id, key))`);
  });
  afterAll(async () => {
    await pool.end();
    await dropDatabase(databaseUrl);
  });

  const request = (body: unknown): IdempotencyRequest => ({
    scope: 'POST /things',
    userId: 7,
    key: randomUUID(),
    body,
  });

  it('when the same key and body come again, then the first answer is replayed and the write ran once', async () => {
    const first = request({ name: 'a', size: 1 });
    let runs = 0;
    const work = async () => ({ status: 201, body: { id: ++runs }, location: `/things/${runs}` });

    const answer = await idempotentWrite(pool, sha256, first, work);
    const replayed = await idempotentWrite(pool, sha256, { ...first, body: { size: 1, name: 'a' } }, work);

    expect(answer).toEqual({ status: 201, body: { id: 1 }, location: '/things/1' });
    expect(replayed).toEqual(answer);
    expect(await findStoredAnswer(pool, sha256, first)).toEqual(answer);
    expect(runs).toBe(1);
  });

  it('when the same key comes with another body, then it is refused with 422 and nothing runs', async () => {
    const first = request({ name: 'a' });
    await idempotentWrite(pool, sha256, first, async () => ({ status: 201, body: {} }));
    let ran = false;
    const other = { ...first, body: { name: 'b' } };

    await expect(
      idempotentWrite(pool, sha256, other, async () => ((ran = true), { status: 201, body: {} })),
    ).rejects.toMatchObject({ status: 422, code: 'VALIDATION_FAILED' });
    await expect(findStoredAnswer(pool, sha256, other)).rejects.toMatchObject({ status: 422 });
    expect(ran).toBe(false);
  });

  it('when the write is refused, then nothing is stored and a corrected retry with the same key succeeds', async () => {
    const first = request({ name: 'a' });
    await expect(
      idempotentWrite(pool, sha256, first, async (tx) => {
        await tx.query('SELECT 1');
        throw badRequest('NOT_ENOUGH_POINTS', 'refused');
      }),
    ).rejects.toMatchObject({ status: 400, code: 'NOT_ENOUGH_POINTS' });
    expect(await findStoredAnswer(pool, sha256, first)).toBeUndefined();

    const retried = { ...first, body: { name: 'b' } };
    expect(await idempotentWrite(pool, sha256, retried, async () => ({ status: 201, body: { ok: true } }))).toEqual({
      status: 201,
      body: { ok: true },
    });
  });

  it('when two requests with the same key race, then the write runs once and both get its answer', async () => {
    const first = request({ name: 'a' });
    let runs = 0;
    const work = async () => ({ status: 201, body: { run: ++runs } });

    const answers = await Promise.all([
      idempotentWrite(pool, sha256, first, work),
      idempotentWrite(pool, sha256, first, work),
    ]);

    expect(runs).toBe(1);
    expect(answers).toEqual([
      { status: 201, body: { run: 1 } },
      { status: 201, body: { run: 1 } },
    ]);
  });

  it('when the key is claimed without an answer, then a write with it is told to retry (409)', async () => {
    const first = request({ name: 'a' });
    await claimIdempotencyKey(pool, first, hashRequestBody(sha256, first.body));

    await expect(idempotentWrite(pool, sha256, first, async () => ({ status: 201, body: {} }))).rejects.toMatchObject({
      status: 409,
      code: 'IDEMPOTENCY_KEY_IN_USE',
    });
    expect(await findStoredAnswer(pool, sha256, first)).toBeUndefined();
  });

  it('when there is no key, then the write simply runs each time', async () => {
    let runs = 0;
    const work = async () => ({ status: 201, body: { run: ++runs } });
    await idempotentWrite(pool, sha256, undefined, work);
    await idempotentWrite(pool, sha256, undefined, work);
    expect(runs).toBe(2);
  });
});
