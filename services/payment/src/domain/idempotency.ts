import { createHmac } from 'node:crypto';
import {
  hashRequestBody,
  idempotentWrite,
  type BodyDigest,
  type IdempotencyRequest,
  type IdempotentAnswer,
  type Pool,
  type PoolClient,
} from '@boxoffice/db';

export type { IdempotencyRequest, IdempotentAnswer as Answer } from '@boxoffice/db';

/**
 * Keyed because a body may hold a card number: a plain SHA-256 of a 16-digit number can be brute-forced, an HMAC
 * under a server secret cannot.
 */
const hmacSha256 =
  (secret: string): BodyDigest =>
  (canonicalBody) =>
    createHmac('sha256', secret).update(canonicalBody).digest('hex');

export const requestHash = (secret: string, body: unknown) => hashRequestBody(hmacSha256(secret), body);

export interface Idempotency {
  secret: string;
  pool: Pool;
}

/** Runs a write once per Idempotency-Key (SPEC §0), bodies hashed under the secret. */
export const idempotent = (
  deps: Idempotency,
  request: IdempotencyRequest | undefined,
  work: (tx: PoolClient) => Promise<IdempotentAnswer>,
): Promise<IdempotentAnswer> => idempotentWrite(deps.pool, hmacSha256(deps.secret), request, work);
