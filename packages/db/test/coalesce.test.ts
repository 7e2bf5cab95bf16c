import { coalesced, createPool, ensureDatabase, type Pool } from '@boxoffice/db';
import { dropDatabase, testEnv } from '@boxoffice/testing';

describe('coalesced lookups against a real PostgreSQL', () => {
  const databaseUrl = testEnv('db').DATABASE_URL!;
  let pool: Pool;
  const queries: string[][] = [];
  let lookUp: (name: string) => Promise<number | undefined>;

  beforeAll(async () => {
    await ensureDatabase(databaseUrl);
    pool = createPool(databaseUrl);
    await pool.query('CREATE TABLE things (name text PRIMARY KEY, size integer NOT NULL)');
    await pool.query("INSERT INTO things SELECT 'thing-' || n, n FROM generate_series(1, 500) AS n");
    lookUp = coalesced(async (names: string[]) => {
      queries.push(names);
      const { rows } = await pool.query<{ name: string; size: number }>(
        'SELECT name, size FROM things WHERE name = ANY($1)',
        [names],
      );
      return new Map(rows.map((row) => [row.name, row.size]));
    });
  });

  afterAll(async () => {
    await pool.end();
    await dropDatabase(databaseUrl);
  });

  it('when many lookups are asked at once, then one query answers them all, each its own row, absent ones undefined', async () => {
    queries.length = 0;
    const asked = ['thing-7', 'nothing', ...Array.from({ length: 300 }, (_, i) => `thing-${i + 1}`), 'thing-7'];
    const answers = await Promise.all(asked.map(lookUp));
    expect(queries).toHaveLength(1);
    expect(queries[0]).toHaveLength(301); // each key once
    expect(answers).toEqual([7, undefined, ...Array.from({ length: 300 }, (_, i) => i + 1), 7]);
  });

  it('when lookups come in separate rounds, then each round has its own query', async () => {
    queries.length = 0;
    expect(await lookUp('thing-1')).toBe(1);
    expect(await lookUp('thing-2')).toBe(2);
    expect(queries).toEqual([['thing-1'], ['thing-2']]);
  });

  it('when the query fails, then every lookup of its round fails with its error, and the next round works', async () => {
    const failing = coalesced<string, number>(async () => {
      await pool.query('SELECT 1/0');
      return new Map();
    });
    const results = await Promise.allSettled([failing('a'), failing('b')]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect((results[0] as PromiseRejectedResult).reason.message).toMatch(/division by zero/);
    expect(await lookUp('thing-3')).toBe(3);
  });
});
