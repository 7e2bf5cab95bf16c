import { CLAIMED, type IdempotencyKeyId, type Queryable } from '@boxoffice/db';

/*
 * POST /payments binds its Idempotency-Key to the payment it creates (resource_id) and never stores an answer: a
 * retry answers from that payment's current state, which moves on after the first answer (PENDING → COMPLETED).
 * The plain store of @boxoffice/db serves every other write.
 */

export interface PaymentKey {
  requestHash: string;
  paymentId: string | null;
}

export async function findPaymentKey(db: Queryable, id: IdempotencyKeyId): Promise<PaymentKey | undefined> {
  const { rows } = await db.query<{ request_hash: string; resource_id: string | null }>(
    'SELECT request_hash, resource_id FROM idempotency_keys WHERE scope = $1 AND user_id = $2 AND key = $3',
    [id.scope, id.userId, id.key],
  );
  const row = rows[0];
  return row && { requestHash: row.request_hash, paymentId: row.resource_id };
}

/**
 * Claims a key for a payment inside the transaction that creates it. A concurrent claim of the same key waits on
 * the primary key until the first commits (then finds it taken) or rolls back (then takes it): false means
 * "someone else has it".
 */
export async function claimKeyForPayment(
  db: Queryable,
  id: IdempotencyKeyId,
  requestHash: string,
  paymentId: string,
): Promise<boolean> {
  const result = await db.query(
    `INSERT INTO idempotency_keys (scope, user_id, key, request_hash, status, body, resource_id)
     VALUES ($1, $2, $3, $4, $5, 'null', $6)
     ON CONFLICT DO NOTHING`,
    [id.scope, id.userId, id.key, requestHash, CLAIMED, paymentId],
  );
  return result.rowCount === 1;
}
