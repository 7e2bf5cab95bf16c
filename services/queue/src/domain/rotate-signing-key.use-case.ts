import { withTransaction, type Pool } from '@boxoffice/db';
import { insertSigningKey, listSigningKeys, lockSigningKeys } from '../db/signing-keys.repo';
import { newSigningKey } from './token-signer';

/**
 * Adds a new signing key pair. Queue instances sign with the newest key once restarted; every stored key stays in
 * the JWKS, so tokens signed before the rotation keep verifying until they expire, and guards fetch the new key
 * the first time they meet its kid.
 */
export async function rotateSigningKey(pool: Pool): Promise<{ kid: string; keys: number }> {
  return withTransaction(pool, async (tx) => {
    await lockSigningKeys(tx);
    const key = await newSigningKey();
    await insertSigningKey(tx, key);
    return { kid: key.kid, keys: (await listSigningKeys(tx)).length };
  });
}
