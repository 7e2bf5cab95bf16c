// Operations: `node services/queue/dist/rotate-key.js` (same environment as the queue service), then restart the
// queue instances one by one (`npm run svc -- restart queue`). See docs/operations.md.
import { createPool } from '@boxoffice/db';
import { readConfig } from './config';
import { rotateSigningKey } from './domain/rotate-signing-key.use-case';

async function main(): Promise<void> {
  const config = readConfig();
  const pool = createPool(config.DATABASE_URL, { max: 1, applicationName: 'queue-rotate-key' });
  try {
    const { kid, keys } = await rotateSigningKey(pool);
    console.error(
      `queue: new signing key ${kid} stored (${keys} keys in the JWKS); restart the queue instances to sign with it`,
    );
  } finally {
    await pool.end();
  }
}

main().catch((error: Error) => {
  console.error(`queue: key rotation failed: ${error.message}`);
  process.exit(1);
});
