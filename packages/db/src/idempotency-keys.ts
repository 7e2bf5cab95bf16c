import { createHash, createHmac } from 'node:crypto';
import { AppError, validationFailed } from '@boxoffice/errors';
import type { Pool, PoolClient, Queryable } from './pool';
import { withTransaction } from './transaction';

/*
 * The Idempotency-Key store of SPEC §0, on the `idempotency_keys` table each service creates in its own migration
 * with at least: scope text, user_id integer, key text, request_hash text, status integer, body jsonb,
 * location text, PRIMARY KEY (scope, user_id, key). A service may add columns of its own.
 */

/** Where a service keeps its keys, and how it hashes request bodies. */
export interface IdempotencyStore {
  pool: Pool;
  digest: BodyDigest;
}

/** Runs `work` as one transaction: how a use-case asks for its write's transaction without knowing what else joins it. */
export type Transact = <T>(work: (tx: PoolClient) => Promise<T>) => Promise<T>;

/** A plain transaction on the pool. */
export const inTransaction =
  (pool: Pool): Transact =>
  (work) =>
    withTransaction(pool, work);

/** The answer to a write as the client saw it: what a retry with the same Idempotency-Key gets again. */
export interface IdempotentAnswer {
  status: number;
  body: unknown;
  location?: string;
}

export interface IdempotencyRequest {
  /** The operation, e.g. "POST /points": one key may be reused across operations. */
  scope: string;
  userId: number;
  key: string;
  body: unknown;
}

export type IdempotencyKeyId = Pick<IdempotencyRequest, 'scope' | 'userId' | 'key'>;

export interface StoredIdempotencyKey {
  requestHash: string;
  /** CLAIMED while the request that claimed it is still running. */
  status: number;
  body: unknown;
  location: string | null;
}

/** The status of a key whose request has not stored an answer (yet). */
export const CLAIMED = 0;

/**
 * Turns a request body's canonical JSON into the stored request_hash. Each service picks its own: a keyed HMAC
 * where bodies can carry secrets (a card number), a plain digest elsewhere.
 */
export type BodyDigest = (canonicalBody: string) => string;

const canonical = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(canonical)
    : value && typeof value === 'object'
      ? Object.fromEntries(
          Object.entries(value as Record<string, unknown>)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([k, v]) => [k, canonical(v)]),
        )
      : value;

/** For bodies with nothing secret in them (ids and counts). */
export const sha256Digest: BodyDigest = (canonicalBody) => createHash('sha256').update(canonicalBody).digest('hex');

/** For bodies that may carry a secret (a card number): a plain digest of 16 digits can be brute-forced, an HMAC cannot. */
export const hmacSha256Digest =
  (secret: string): BodyDigest =>
  (canonicalBody) =>
    createHmac('sha256', secret).update(canonicalBody).digest('hex');

/** The same body with its fields in another order must hash the same, or a legitimate retry would get a 422. */
export const hashRequestBody = (digest: BodyDigest, body: unknown): string =>
  digest(JSON.stringify(canonical(body) ?? null));

export async function findIdempotencyKey(
  db: Queryable,
  id: IdempotencyKeyId,
): Promise<StoredIdempotencyKey | undefined> {
  const { rows } = await db.query<{ request_hash: string; status: number; body: unknown; location: string | null }>(
    'SELECT request_hash, status, body, location FROM idempotency_keys WHERE scope = $1 AND user_id = $2 AND key = $3',
    [id.scope, id.userId, id.key],
  );
  const row = rows[0];
  return row && { requestHash: row.request_hash, status: row.status, body: row.body, location: row.location };
}

/**
 * Claims a key inside the caller's transaction. A concurrent claim of the same key waits on the primary key
 * until the first commits (then finds it taken) or rolls back (then takes it): false means "someone else has it".
 */
export async function claimIdempotencyKey(db: Queryable, id: IdempotencyKeyId, requestHash: string): Promise<boolean> {
  const result = await db.query(
    `INSERT INTO idempotency_keys (scope, user_id, key, request_hash, status, body) VALUES ($1, $2, $3, $4, $5, 'null')
     ON CONFLICT DO NOTHING`,
    [id.scope, id.userId, id.key, requestHash, CLAIMED],
  );
  return result.rowCount === 1;
}

export async function completeIdempotencyKey(
  db: Queryable,
  id: IdempotencyKeyId,
  answer: IdempotentAnswer,
): Promise<void> {
  await db.query(
    'UPDATE idempotency_keys SET status = $4, body = $5, location = $6 WHERE scope = $1 AND user_id = $2 AND key = $3',
    [id.scope, id.userId, id.key, answer.status, JSON.stringify(answer.body), answer.location ?? null],
  );
}

/** 422 when the key was first used with another body: replaying that answer would lie to this request. */
export function refuseOtherBody(stored: Pick<StoredIdempotencyKey, 'requestHash'>, requestHash: string, key: string) {
  if (stored.requestHash !== requestHash) {
    throw validationFailed('This Idempotency-Key was used with another request body.', [
      {
        location: 'header',
        param: 'idempotency-key',
        value: key,
        error: 'IdempotencyKeyReused',
        msg: 'Already used with another request body.',
      },
    ]);
  }
}

function replayOrRefuse(stored: StoredIdempotencyKey, requestHash: string, key: string): IdempotentAnswer {
  refuseOtherBody(stored, requestHash, key);
  return { status: stored.status, body: stored.body, ...(stored.location ? { location: stored.location } : {}) };
}

const keyInUse = () =>
  new AppError(409, 'IDEMPOTENCY_KEY_IN_USE', 'A request with this Idempotency-Key is still running; retry.');

class AlreadyClaimed extends Error {}

/**
 * Runs a write once per Idempotency-Key (SPEC §0). The key is read once, before anything else: an answer stored
 * for it is replayed (422 when the key came with another body) and `run` is not called at all. Otherwise `run`
 * does its work and calls `transact` once for its write: the key is claimed inside that transaction and
 * `answerOf(result)` is stored with it, so the change and the answer commit together. `run` returns what its
 * transaction returned (that is the answer stored, so anything else is refused as a bug). A twin request that claimed
 * the key first makes `transact` throw; the twin's answer is then replayed. A refused write (it throws) stores
 * nothing, so a corrected retry with the same key can succeed. Without a key, `transact` is a plain transaction.
 */
export async function idempotentWrite<T>(
  store: IdempotencyStore,
  request: IdempotencyRequest | undefined,
  run: (transact: Transact) => Promise<T>,
  answerOf: (result: T) => IdempotentAnswer,
): Promise<IdempotentAnswer> {
  if (!request) return answerOf(await run(inTransaction(store.pool)));
  const hash = hashRequestBody(store.digest, request.body);
  const stored = await findIdempotencyKey(store.pool, request);
  if (stored && stored.status !== CLAIMED) return replayOrRefuse(stored, hash, request.key);
  // A committed claim without an answer: a service claimed the key outside this function and answers from a resource.
  if (stored) throw keyInUse();
  let committed: { result: unknown; answer: IdempotentAnswer } | undefined;
  const transact: Transact = (work) =>
    withTransaction(store.pool, async (tx) => {
      if (!(await claimIdempotencyKey(tx, request, hash))) throw new AlreadyClaimed();
      const result = await work(tx);
      const answer = answerOf(result as unknown as T);
      await completeIdempotencyKey(tx, request, answer);
      committed = { result, answer };
      return result;
    });
  try {
    const result = await run(transact);
    if (!committed) return answerOf(result);
    if (committed.result !== result) throw new Error(`${request.scope}: run must return what its transaction returned`);
    return committed.answer;
  } catch (error) {
    if (!(error instanceof AlreadyClaimed)) throw error;
    const answered = await findIdempotencyKey(store.pool, request);
    if (!answered || answered.status === CLAIMED) throw keyInUse();
    return replayOrRefuse(answered, hash, request.key);
  }
}
