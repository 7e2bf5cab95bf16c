import type { Queryable } from '@boxoffice/db';

export type ChargeStatus = 'processing' | 'approved' | 'declined' | 'voided' | 'refunded';

export interface CardCharge {
  id: string;
  orderId: string;
  userId: number;
  amount: number;
  cardLast4: string;
  status: ChargeStatus;
  declineCode: string | null;
  authorizationId: string | null;
}

interface Row {
  id: string;
  order_id: string;
  user_id: number;
  amount: number;
  card_last4: string;
  status: ChargeStatus;
  decline_code: string | null;
  gateway_authorization_id: string | null;
}

const toCharge = (row: Row): CardCharge => ({
  id: row.id,
  orderId: row.order_id,
  userId: row.user_id,
  amount: row.amount,
  cardLast4: row.card_last4,
  status: row.status,
  declineCode: row.decline_code,
  authorizationId: row.gateway_authorization_id,
});

const COLUMNS = 'id, order_id, user_id, amount, card_last4, status, decline_code, gateway_authorization_id';

/** Throws 23505 when the order already has a charge in flight or approved. */
export async function insertCharge(
  db: Queryable,
  charge: { id: string; orderId: string; userId: number; amount: number; cardLast4: string },
): Promise<CardCharge> {
  const { rows } = await db.query<Row>(
    `INSERT INTO card_charges (id, order_id, user_id, amount, card_last4, status) VALUES ($1, $2, $3, $4, $5, 'processing') RETURNING ${COLUMNS}`,
    [charge.id, charge.orderId, charge.userId, charge.amount, charge.cardLast4],
  );
  return toCharge(rows[0]!);
}

export async function attachAuthorization(db: Queryable, chargeId: string, authorizationId: string): Promise<void> {
  await db.query('UPDATE card_charges SET gateway_authorization_id = $2 WHERE id = $1', [chargeId, authorizationId]);
}

export async function findCharge(
  db: Queryable,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<CardCharge | undefined> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM card_charges WHERE id = $1${options.forUpdate ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return rows[0] && toCharge(rows[0]);
}

export async function latestChargeOfOrder(db: Queryable, orderId: string): Promise<CardCharge | undefined> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM card_charges WHERE order_id = $1 ORDER BY created_at DESC LIMIT 1`,
    [orderId],
  );
  return rows[0] && toCharge(rows[0]);
}

/** The order's charge in flight or approved (at most one: card_charges_one_live_idx), locked for the caller. */
export async function liveChargeOfOrder(db: Queryable, orderId: string): Promise<CardCharge | undefined> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM card_charges WHERE order_id = $1 AND status IN ('processing', 'approved') FOR UPDATE`,
    [orderId],
  );
  return rows[0] && toCharge(rows[0]);
}

export async function settleCharge(
  db: Queryable,
  id: string,
  status: Exclude<ChargeStatus, 'processing'>,
  declineCode: string | null,
): Promise<void> {
  await db.query('UPDATE card_charges SET status = $2, decline_code = $3, settled_at = now() WHERE id = $1', [
    id,
    status,
    declineCode,
  ]);
}
