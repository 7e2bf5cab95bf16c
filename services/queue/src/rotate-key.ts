// Operations: `node services/queue/dist/rotate-key.js` (same environment as the queue service). Running instances
// sign with the new key from their next key refresh; the old key leaves the JWKS after the longest token lifetime.
// See docs/operations.md.
import { createPool } from '@boxoffice/db';
import { readConfig } from './config';
import { rotateSigningKey } from './domain/rotate-signing-key.use-case';

async function main(): Promise<void> {
  const config = readConfig();
  const pool = createPool(config.DATABASE_URL, { max: 1, applicationName: 'queue-rotate-key' });
  try {
    const { kid, keys } = await rotateSigningKey(pool);
    console.error(
      `queue: new signing key ${kid} stored (${keys} keys in the JWKS); running instances sign with it from their next key refresh (QUEUE_SIGNING_KEY_REFRESH_MS)`,
    );
  } finally {
    await pool.end();
  }
}

main().catch((error: Error) => {
  console.error(`queue: key rotation failed: ${error.message}`);
  process.exit(1);
});
