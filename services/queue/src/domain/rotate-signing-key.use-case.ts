import { withTransaction, type Pool } from '@boxoffice/db';
import { insertSigningKey, listSigningKeys, lockSigningKeys, retireSigningKeys } from '../db/signing-keys.repo';
import { newSigningKey } from './token-signer';

/**
 * Adds a new signing key pair and retires the ones before it. Running queue instances sign with the new key from
 * their next key refresh (QUEUE_SIGNING_KEY_REFRESH_MS); a retired key stays in the JWKS while a token it signed
 * may still be live (`publishedKeys`), then leaves it. Guards fetch the new key the first time they meet its kid.
 */
export async function rotateSigningKey(pool: Pool): Promise<{ kid: string; keys: number }> {
  return withTransaction(pool, async (tx) => {
    await lockSigningKeys(tx);
    await retireSigningKeys(tx);
    const key = await newSigningKey();
    await insertSigningKey(tx, key);
    return { kid: key.kid, keys: (await listSigningKeys(tx)).length };
  });
}
