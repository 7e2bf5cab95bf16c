import { createHash } from 'node:crypto';
import { withTransaction, type Pool, type PoolClient } from '@boxoffice/db';
import { AppError, validationFailed } from '@boxoffice/errors';
import { claimKey, completeKey, findKey } from '../db/idempotency.repo';

/** The answer to a write as the client saw it: what a retry with the same Idempotency-Key gets again. */
export interface Answer {
  status: number;
  body: unknown;
  location?: string;
}

export interface IdempotencyRequest {
  /** The operation, e.g. "POST /reservations": one key may be reused across operations. */
  scope: string;
  userId: number;
  key: string;
  body: unknown;
}

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

export const requestHash = (body: unknown) =>
  createHash('sha256')
    .update(JSON.stringify(canonical(body) ?? null))
    .digest('hex');

class AlreadyAnswered extends Error {}

function replayOrRefuse(
  stored: { requestHash: string; status: number; body: unknown; location: string | null },
  hash: string,
  key: string,
): Answer {
  if (stored.requestHash !== hash) {
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
  return { status: stored.status, body: stored.body, ...(stored.location ? { location: stored.location } : {}) };
}

/** The stored answer to this key, if any (422 when the key was used with another body). */
export async function storedAnswer(pool: Pool, request: IdempotencyRequest | undefined): Promise<Answer | undefined> {
  if (!request) return undefined;
  const stored = await findKey(pool, request.scope, request.userId, request.key);
  return stored && stored.status !== 0 ? replayOrRefuse(stored, requestHash(request.body), request.key) : undefined;
}

/**
 * Runs a write once per Idempotency-Key (SPEC §0): the first answer is stored in the write's own transaction;
 * the same key and body replay it; the same key with another body is refused (422). Without a key the write
 * simply runs. A refused write (4xx) stores nothing, so a corrected retry with the same key can still succeed.
 */
export async function idempotent(
  pool: Pool,
  request: IdempotencyRequest | undefined,
  work: (tx: PoolClient) => Promise<Answer>,
): Promise<Answer> {
  if (!request) return withTransaction(pool, work);
  const hash = requestHash(request.body);
  const stored = await findKey(pool, request.scope, request.userId, request.key);
  if (stored && stored.status !== 0) return replayOrRefuse(stored, hash, request.key);
  try {
    return await withTransaction(pool, async (tx) => {
      if (!(await claimKey(tx, request.scope, request.userId, request.key, hash))) throw new AlreadyAnswered();
      const answer = await work(tx);
      await completeKey(tx, request.scope, request.userId, request.key, answer);
      return answer;
    });
  } catch (error) {
    if (!(error instanceof AlreadyAnswered)) throw error;
    const answered = await findKey(pool, request.scope, request.userId, request.key);
    if (!answered)
      throw new AppError(409, 'IDEMPOTENCY_KEY_IN_USE', 'A request with this Idempotency-Key is still running; retry.');
    return replayOrRefuse(answered, hash, request.key);
  }
}
