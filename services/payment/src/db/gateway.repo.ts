import type { Queryable } from '@boxoffice/db';

export interface Authorization {
  id: string;
  merchantReference: string;
  amount: number;
  outcome: 'approved' | 'declined';
  declineCode: string | null;
  attempts: number;
}

interface Row {
  id: string;
  merchant_reference: string;
  amount: number;
  outcome: 'approved' | 'declined';
  decline_code: string | null;
  attempts: number;
}

const toAuthorization = (row: Row): Authorization => ({
  id: row.id,
  merchantReference: row.merchant_reference,
  amount: row.amount,
  outcome: row.outcome,
  declineCode: row.decline_code,
  attempts: row.attempts,
});

export async function insertAuthorization(
  db: Queryable,
  auth: {
    id: string;
    merchantReference: string;
    amount: number;
    cardLast4: string;
    outcome: 'approved' | 'declined';
    declineCode: string | null;
    settleDelayMs: number;
  },
): Promise<void> {
  await db.query(
    `INSERT INTO gateway_authorizations (id, merchant_reference, amount, card_last4, outcome, decline_code, settle_at, next_attempt_at)
     VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7::double precision / 1000), now() + make_interval(secs => $7::double precision / 1000))`,
    [auth.id, auth.merchantReference, auth.amount, auth.cardLast4, auth.outcome, auth.declineCode, auth.settleDelayMs],
  );
}

/** Due settlements not yet delivered; leased so several instances never deliver the same one at once. */
export async function claimDueSettlements(db: Queryable, limit: number, leaseMs: number): Promise<Authorization[]> {
  const { rows } = await db.query<Row>(
    `UPDATE gateway_authorizations SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => $2::double precision / 1000)
     WHERE id IN (
       SELECT id FROM gateway_authorizations WHERE delivered_at IS NULL AND voided_at IS NULL AND next_attempt_at <= now()
       ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
     RETURNING id, merchant_reference, amount, outcome, decline_code, attempts`,
    [limit, leaseMs],
  );
  return rows.map(toAuthorization);
}

export async function markDelivered(db: Queryable, id: string): Promise<void> {
  await db.query('UPDATE gateway_authorizations SET delivered_at = now(), last_error = NULL WHERE id = $1', [id]);
}

export async function markUndelivered(db: Queryable, id: string, error: string, retryInMs: number): Promise<void> {
  await db.query(
    'UPDATE gateway_authorizations SET last_error = $2, next_attempt_at = now() + make_interval(secs => $3::double precision / 1000) WHERE id = $1',
    [id, error.slice(0, 500), retryInMs],
  );
}

/** The merchant gave the authorization up (order ended first): it is never settled. */
export async function voidAuthorization(db: Queryable, id: string): Promise<void> {
  await db.query('UPDATE gateway_authorizations SET voided_at = now() WHERE id = $1 AND voided_at IS NULL', [id]);
}
