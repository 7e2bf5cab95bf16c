import { withTransaction, type Pool } from '@boxoffice/db';
import { insertSigningKey, listSigningKeys, lockSigningKeys } from '../db/signing-keys.repo';
import { newSigningKey, TokenSigner } from './token-signer';

/**
 * The signer of this queue: the stored key pair, or a new one on the very first start. The table lock makes
 * instances starting together agree on one key; later starts read it without locking.
 */
export async function loadSigningKey(pool: Pool, issuer: string): Promise<{ signer: TokenSigner; created: boolean }> {
  const existing = await listSigningKeys(pool);
  if (existing.length > 0) return { signer: await TokenSigner.from(existing, issuer), created: false };
  return withTransaction(pool, async (tx) => {
    await lockSigningKeys(tx);
    const keys = await listSigningKeys(tx);
    if (keys.length > 0) return { signer: await TokenSigner.from(keys, issuer), created: false };
    const key = await newSigningKey();
    await insertSigningKey(tx, key);
    return { signer: await TokenSigner.from([key], issuer), created: true };
  });
}
