import type { Queryable } from '@boxoffice/db';

export interface StoredKey {
  requestHash: string;
  status: number;
  body: unknown;
  location: string | null;
}

export async function findKey(
  db: Queryable,
  scope: string,
  userId: number,
  key: string,
): Promise<StoredKey | undefined> {
  const { rows } = await db.query<{ request_hash: string; status: number; body: unknown; location: string | null }>(
    'SELECT request_hash, status, body, location FROM idempotency_keys WHERE scope = $1 AND user_id = $2 AND key = $3',
    [scope, userId, key],
  );
  const row = rows[0];
  return row && { requestHash: row.request_hash, status: row.status, body: row.body, location: row.location };
}

/**
 * Claims a key inside the caller's transaction. A concurrent claim of the same key waits on the primary key
 * until the first commits (then finds it taken) or rolls back (then takes it): false means "already answered".
 */
export async function claimKey(
  db: Queryable,
  scope: string,
  userId: number,
  key: string,
  requestHash: string,
): Promise<boolean> {
  const result = await db.query(
    `INSERT INTO idempotency_keys (scope, user_id, key, request_hash, status, body) VALUES ($1, $2, $3, $4, 0, 'null')
     ON CONFLICT DO NOTHING`,
    [scope, userId, key, requestHash],
  );
  return result.rowCount === 1;
}

export async function completeKey(
  db: Queryable,
  scope: string,
  userId: number,
  key: string,
  response: { status: number; body: unknown; location?: string },
): Promise<void> {
  await db.query(
    'UPDATE idempotency_keys SET status = $4, body = $5, location = $6 WHERE scope = $1 AND user_id = $2 AND key = $3',
    [scope, userId, key, response.status, JSON.stringify(response.body), response.location ?? null],
  );
}
