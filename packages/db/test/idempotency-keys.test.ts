import { randomUUID } from 'node:crypto';
import {
  claimIdempotencyKey,
  createPool,
  ensureDatabase,
  findIdempotencyKey,
  hashRequestBody,
  idempotentWrite,
  sha256Digest as sha256,
  type BodyDigest,
  type IdempotencyRequest,
  type IdempotencyStore,
  type IdempotentAnswer,
  type Pool,
  type PoolClient,
  type Transact,
} from '@boxoffice/db';
import { badRequest } from '@boxoffice/errors';
import { dropDatabase, testEnv } from '@boxoffice/testing';

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
  let store: IdempotencyStore;

  beforeAll(async () => {
    await ensureDatabase(databaseUrl);
    pool = createPool(databaseUrl);
    store = { pool, digest: sha256 };
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

  /** A write whose result is its own answer: the shape most tests need. */
  const write = (
    request: IdempotencyRequest | undefined,
    work: (tx: PoolClient) => Promise<IdempotentAnswer>,
  ): Promise<IdempotentAnswer> =>
    idempotentWrite(
      store,
      request,
      (transact: Transact) => transact(work),
      (answer) => answer,
    );
  /** The answer stored for a key, as a replay would give it; undefined while none is. */
  const storedAnswer = async (request: IdempotencyRequest) => {
    const stored = await findIdempotencyKey(pool, request);
    return stored && stored.status !== 0
      ? { status: stored.status, body: stored.body, ...(stored.location ? { location: stored.location } : {}) }
      : undefined;
  };

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

    const answer = await write(first, work);
    const replayed = await write({ ...first, body: { size: 1, name: 'a' } }, work);

    expect(answer).toEqual({ status: 201, body: { id: 1 }, location: '/things/1' });
    expect(replayed).toEqual(answer);
    expect(await storedAnswer(first)).toEqual(answer);
    expect(runs).toBe(1);
  });

  it('when the same key comes with another body, then it is refused with 422 and nothing runs', async () => {
    const first = request({ name: 'a' });
    await write(first, async () => ({ status: 201, body: {} }));
    let ran = false;
    const other = { ...first, body: { name: 'b' } };

    await expect(write(other, async () => ((ran = true), { status: 201, body: {} }))).rejects.toMatchObject({
      status: 422,
      code: 'VALIDATION_FAILED',
    });
    expect((await findIdempotencyKey(pool, first))!.requestHash).toBe(hashRequestBody(sha256, first.body));
    expect(ran).toBe(false);
  });

  it('when the write is refused, then nothing is stored and a corrected retry with the same key succeeds', async () => {
    const first = request({ name: 'a' });
    await expect(
      write(first, async (tx) => {
        await tx.query('SELECT 1');
        throw badRequest('NOT_ENOUGH_POINTS', 'refused');
      }),
    ).rejects.toMatchObject({ status: 400, code: 'NOT_ENOUGH_POINTS' });
    expect(await storedAnswer(first)).toBeUndefined();

    const retried = { ...first, body: { name: 'b' } };
    expect(await write(retried, async () => ({ status: 201, body: { ok: true } }))).toEqual({
      status: 201,
      body: { ok: true },
    });
  });

  it('when two requests with the same key race, then the write runs once and both get its answer', async () => {
    const first = request({ name: 'a' });
    let runs = 0;
    const work = async () => ({ status: 201, body: { run: ++runs } });

    const answers = await Promise.all([write(first, work), write(first, work)]);

    expect(runs).toBe(1);
    expect(answers).toEqual([
      { status: 201, body: { run: 1 } },
      { status: 201, body: { run: 1 } },
    ]);
  });

  it('when the key is claimed without an answer, then a write with it is told to retry (409)', async () => {
    const first = request({ name: 'a' });
    await claimIdempotencyKey(pool, first, hashRequestBody(sha256, first.body));

    await expect(write(first, async () => ({ status: 201, body: {} }))).rejects.toMatchObject({
      status: 409,
      code: 'IDEMPOTENCY_KEY_IN_USE',
    });
    expect(await storedAnswer(first)).toBeUndefined();
  });

  it('when a write runs, then its key is read once; when it is replayed, then once too and nothing else runs', async () => {
    const reads: string[] = [];
    const counting: IdempotencyStore = {
      digest: sha256,
      pool: {
        connect: () => pool.connect(),
        query: (text: string, values?: unknown[]) => {
          if (/FROM idempotency_keys/.test(text)) reads.push(text);
          return pool.query(text, values);
        },
      } as unknown as Pool,
    };
    const first = request({ seat: 3 });
    const steps: string[] = [];
    const holdSeat = async (transact: Transact) => {
      steps.push('lock'); // work before the transaction, which a replay must not repeat
      const held = await transact(async (tx) => (await tx.query<{ id: number }>('SELECT 41 + 1 AS id')).rows[0]!);
      steps.push('after commit');
      return held;
    };
    const answerOf = (held: { id: number }) => ({ status: 201, body: held, location: `/tickets/${held.id}` });

    const answer = await idempotentWrite(counting, first, holdSeat, answerOf);
    expect(reads).toHaveLength(1);
    expect(steps).toEqual(['lock', 'after commit']);

    const replayed = await idempotentWrite(counting, first, holdSeat, answerOf);
    expect(reads).toHaveLength(2);
    expect(steps).toEqual(['lock', 'after commit']);
    expect(answer).toEqual({ status: 201, body: { id: 42 }, location: '/tickets/42' });
    expect(replayed).toEqual(answer);
  });

  it('when a use-case returns something else than its transaction did, then it is refused as a bug', async () => {
    const first = request({ name: 'a' });
    const answerOf = (result: { id: number }) => ({ status: 201, body: result });
    await expect(
      idempotentWrite(
        store,
        first,
        async (transact) => ({ ...(await transact(async () => ({ id: 1 }))), id: 2 }),
        answerOf,
      ),
    ).rejects.toThrow('run must return what its transaction returned');
  });

  it('when there is no key, then the write simply runs each time', async () => {
    let runs = 0;
    const work = async () => ({ status: 201, body: { run: ++runs } });
    await write(undefined, work);
    await write(undefined, work);
    expect(runs).toBe(2);
  });
});
