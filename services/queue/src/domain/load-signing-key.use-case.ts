import { withTransaction, type Pool } from '@boxoffice/db';
import { insertSigningKey, listSigningKeys, lockSigningKeys } from '../db/signing-keys.repo';
import { newSigningKey, TokenSigner } from './token-signer';

/**
 * The signer of this queue: the stored key pair, or a new one on the very first start. The table lock makes
 * instances starting together agree on one key; later starts read it without locking.
 */
export async function loadSigningKey(
  pool: Pool,
  issuer: string,
  keepRetiredMs = Infinity,
): Promise<{ signer: TokenSigner; created: boolean }> {
  const existing = await listSigningKeys(pool);
  if (existing.length > 0) return { signer: await TokenSigner.from(existing, issuer, keepRetiredMs), created: false };
  return withTransaction(pool, async (tx) => {
    await lockSigningKeys(tx);
    const keys = await listSigningKeys(tx);
    if (keys.length > 0) return { signer: await TokenSigner.from(keys, issuer, keepRetiredMs), created: false };
    const key = await newSigningKey();
    await insertSigningKey(tx, key);
    return { signer: await TokenSigner.from([key], issuer, keepRetiredMs), created: true };
  });
}

/**
 * Re-reads the stored keys every `intervalMs`: a rotation is taken in without a restart, and a retired key leaves
 * the JWKS on time. A failed read keeps the keys it has (logged). Returns the stop function.
 */
export function refreshSigningKeys(
  pool: Pool,
  signer: TokenSigner,
  intervalMs: number,
  log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void },
): () => void {
  const timer = setInterval(() => {
    void listSigningKeys(pool)
      .then(async (keys) => {
        const before = signer.kid;
        await signer.useKeys(keys);
        if (signer.kid !== before) log.info({ kid: signer.kid }, 'queue signing key rotated: signing with the new key');
      })
      .catch((error: Error) =>
        log.warn({ err: error }, 'queue signing keys could not be re-read; keeping the current ones'),
      );
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
