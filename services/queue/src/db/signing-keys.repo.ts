import type { Queryable } from '@boxoffice/db';
import type { StoredSigningKey } from '../domain/token-signer';

interface KeyRow {
  kid: string;
  alg: string;
  public_jwk: StoredSigningKey['publicJwk'];
  private_jwk: StoredSigningKey['privateJwk'];
  retired_at: Date | null;
}

const toKey = (row: KeyRow): StoredSigningKey => ({
  kid: row.kid,
  alg: row.alg,
  publicJwk: row.public_jwk,
  privateJwk: row.private_jwk,
  retiredAt: row.retired_at,
});

/** Newest first: the first signs; the others verify until they leave the JWKS (`publishedKeys`). */
export async function listSigningKeys(db: Queryable): Promise<StoredSigningKey[]> {
  const { rows } = await db.query<KeyRow>(
    'SELECT kid, alg, public_jwk, private_jwk, retired_at FROM signing_keys ORDER BY created_at DESC',
  );
  return rows.map(toKey);
}

export async function insertSigningKey(db: Queryable, key: StoredSigningKey): Promise<void> {
  await db.query('INSERT INTO signing_keys (kid, alg, public_jwk, private_jwk) VALUES ($1, $2, $3, $4)', [
    key.kid,
    key.alg,
    key.publicJwk,
    key.privateJwk,
  ]);
}

/** A rotation: every key that signs until now stops signing now. */
export async function retireSigningKeys(db: Queryable): Promise<void> {
  await db.query('UPDATE signing_keys SET retired_at = now() WHERE retired_at IS NULL');
}

/** Serialises first starts of several instances, so exactly one key pair is made. */
export async function lockSigningKeys(db: Queryable): Promise<void> {
  await db.query('LOCK TABLE signing_keys IN EXCLUSIVE MODE');
}
