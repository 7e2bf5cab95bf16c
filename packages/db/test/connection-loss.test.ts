import { createPool, ensureDatabase, withTransaction, type Pool } from '@boxoffice/db';
import { dropDatabase, testEnv } from '@boxoffice/testing';

// Found by the chaos run: a PostgreSQL restart killed every service that had a transaction open at that moment.
describe('a connection lost while a client is checked out of the pool', () => {
  const databaseUrl = testEnv('db').DATABASE_URL!;
  let pool: Pool;

  beforeAll(async () => {
    await ensureDatabase(databaseUrl);
    pool = createPool(databaseUrl, { max: 3 });
  });
  afterAll(async () => {
    await pool.end();
    await dropDatabase(databaseUrl);
  });

  it('when the backend of an open transaction is terminated, then the transaction fails, the process lives and the pool still serves', async () => {
    const attempt = withTransaction(pool, async (client) => {
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const ended = new Promise((resolve) => client.once('end', resolve));
      await pool.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
      await ended; // the connection is gone while no query of ours is running: pg emits 'error' on the client
      await client.query('SELECT 1');
    });
    await expect(attempt).rejects.toThrow();
    const { rows } = await pool.query<{ one: number }>('SELECT 1 AS one');
    expect(rows[0]!.one).toBe(1);
  });
});
