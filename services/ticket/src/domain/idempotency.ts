import { createHash } from 'node:crypto';
import {
  findStoredAnswer,
  idempotentWrite,
  type BodyDigest,
  type IdempotencyRequest,
  type IdempotentAnswer,
  type Pool,
  type PoolClient,
} from '@boxoffice/db';

export type { IdempotencyRequest, IdempotentAnswer as Answer } from '@boxoffice/db';

// Ticket bodies hold only ids and counts, no secret to brute-force from a stored hash: a plain digest will do.
const sha256: BodyDigest = (canonicalBody) => createHash('sha256').update(canonicalBody).digest('hex');

/** The stored answer to this key, if any (422 when the key was used with another body). */
export const storedAnswer = (
  pool: Pool,
  request: IdempotencyRequest | undefined,
): Promise<IdempotentAnswer | undefined> => findStoredAnswer(pool, sha256, request);

/** Runs a write once per Idempotency-Key (SPEC §0). */
export const idempotent = (
  pool: Pool,
  request: IdempotencyRequest | undefined,
  work: (tx: PoolClient) => Promise<IdempotentAnswer>,
): Promise<IdempotentAnswer> => idempotentWrite(pool, sha256, request, work);
