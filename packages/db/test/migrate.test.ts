import path from 'node:path';
import {
  createPool,
  ensureDatabase,
  migrate,
  migrationsApplied,
  readMigrations,
  withTransaction,
  type Pool,
} from '@boxoffice/db';
import { dropDatabase, testEnv } from '@boxoffice/testing';

const fixtures = (name: string) => ({ namespace: 'test', directory: path.join(__dirname, 'fixtures', name) });

describe('migrations and transactions against a real PostgreSQL', () => {
  const databaseUrl = testEnv('db').DATABASE_URL!;
  let pool: Pool;

  beforeAll(async () => {
    await ensureDatabase(databaseUrl);
    await ensureDatabase(databaseUrl); // a second instance starting finds it there
    pool = createPool(databaseUrl);
  });
  afterAll(async () => {
    await pool.end();
    await dropDatabase(databaseUrl);
  });

  it('when migrating twice, then each numbered file is applied once, in order', async () => {
    expect(await migrate(pool, [fixtures('migrations-a')])).toEqual(['test/1_things', 'test/2_things_colour']);
    expect(await migrate(pool, [fixtures('migrations-a')])).toEqual([]);
    const { rows } = await pool.query(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'things' ORDER BY 1`,
    );
    expect(rows.map((row) => row.column_name)).toEqual(['colour', 'id', 'name']);
    expect(await migrationsApplied(pool, readMigrations([fixtures('migrations-a')]))).toBe(true);
  });

  it('when an applied migration file was edited, then migrating refuses', async () => {
    await expect(migrate(pool, [fixtures('migrations-b')])).rejects.toThrow(/changed after it was applied/);
  });

  it('when work in a transaction throws, then nothing of it is kept', async () => {
    await expect(
      withTransaction(pool, async (tx) => {
        await tx.query(`INSERT INTO things (name) VALUES ('rolled back')`);
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM things WHERE name = 'rolled back'`);
    expect(rows[0].n).toBe(0);
  });

  it('when several instances migrate at once, then they serialise on the lock and all succeed', async () => {
    const other = `${databaseUrl}_race`;
    await ensureDatabase(other);
    const pools = [createPool(other), createPool(other), createPool(other)];
    try {
      const results = await Promise.all(pools.map((p) => migrate(p, [fixtures('migrations-a')])));
      expect(results.flat()).toHaveLength(2);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
      await dropDatabase(other);
    }
  });
});
