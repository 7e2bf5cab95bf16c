import { createPool, ensureDatabase, pageOf, type Pool } from '@boxoffice/db';
import { dropDatabase, testEnv } from '@boxoffice/testing';

describe('pageOf against a real PostgreSQL', () => {
  const databaseUrl = testEnv('db').DATABASE_URL!;
  let pool: Pool;

  beforeAll(async () => {
    await ensureDatabase(databaseUrl);
    pool = createPool(databaseUrl);
    await pool.query('CREATE TABLE entries (id integer PRIMARY KEY, owner integer NOT NULL)');
    await pool.query('INSERT INTO entries SELECT n, n % 3 FROM generate_series(1, 30) AS n');
  });

  afterAll(async () => {
    await pool.end();
    await dropDatabase(databaseUrl);
  });

  const ofOwner = (owner: number, page: { offset: number; limit: number }) =>
    pageOf<{ id: number }>(
      pool,
      { columns: 'id', from: 'entries WHERE owner = $1', orderBy: 'id DESC', params: [owner] },
      page,
    );

  it('when a page is asked, then its rows in order after the offset, and the total of the whole filtered list', async () => {
    expect(await ofOwner(1, { offset: 2, limit: 3 })).toEqual({
      total: 10,
      rows: [{ id: 22 }, { id: 19 }, { id: 16 }],
    });
  });

  it('when the offset is past the end, then no rows but still the total; a filter that matches nothing totals 0', async () => {
    expect(await ofOwner(2, { offset: 50, limit: 5 })).toEqual({ total: 10, rows: [] });
    expect(await ofOwner(7, { offset: 0, limit: 5 })).toEqual({ total: 0, rows: [] });
  });
});
