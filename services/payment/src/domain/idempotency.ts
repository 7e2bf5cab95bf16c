import { createHmac } from 'node:crypto';
import { withTransaction, type Pool, type PoolClient } from '@boxoffice/db';
import { AppError, validationFailed } from '@boxoffice/errors';
import { claimKey, completeKey, findKey, type StoredKey } from '../db/idempotency.repo';

/** The answer to a write as the client saw it: what a retry with the same Idempotency-Key gets again. */
export interface Answer {
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

/**
 * Keyed hash of a request body. Keyed because a body may hold a card number: a plain SHA-256 of a 16-digit number
 * can be brute-forced, an HMAC under a server secret cannot.
 */
export const requestHash = (secret: string, body: unknown) =>
  createHmac('sha256', secret)
    .update(JSON.stringify(canonical(body) ?? null))
    .digest('hex');

class AlreadyClaimed extends Error {}

export function refuseOtherBody(stored: StoredKey, hash: string, key: string): void {
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
}

const replay = (stored: StoredKey): Answer => ({
  status: stored.status,
  body: stored.body,
  ...(stored.location ? { location: stored.location } : {}),
});

export interface Idempotency {
  secret: string;
  pool: Pool;
}

/**
 * Runs a write once per Idempotency-Key (SPEC §0): the first answer is stored in the write's own transaction;
 * the same key and body replay it; the same key with another body is refused (422). Without a key the write
 * simply runs. A refused write (4xx thrown) stores nothing, so a corrected retry with the same key can succeed.
 */
export async function idempotent(
  deps: Idempotency,
  request: IdempotencyRequest | undefined,
  work: (tx: PoolClient) => Promise<Answer>,
): Promise<Answer> {
  if (!request) return withTransaction(deps.pool, work);
  const hash = requestHash(deps.secret, request.body);
  const stored = await findKey(deps.pool, request.scope, request.userId, request.key);
  if (stored && stored.status !== 0) {
    refuseOtherBody(stored, hash, request.key);
    return replay(stored);
  }
  try {
    return await withTransaction(deps.pool, async (tx) => {
      if (!(await claimKey(tx, request.scope, request.userId, request.key, hash))) throw new AlreadyClaimed();
      const answer = await work(tx);
      await completeKey(tx, request.scope, request.userId, request.key, answer);
      return answer;
    });
  } catch (error) {
    if (!(error instanceof AlreadyClaimed)) throw error;
    const answered = await findKey(deps.pool, request.scope, request.userId, request.key);
    if (!answered || answered.status === 0) {
      throw new AppError(409, 'IDEMPOTENCY_KEY_IN_USE', 'A request with this Idempotency-Key is still running; retry.');
    }
    refuseOtherBody(answered, hash, request.key);
    return replay(answered);
  }
}
