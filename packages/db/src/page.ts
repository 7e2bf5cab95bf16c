import type pg from 'pg';
import type { Queryable } from './pool';

/**
 * One page of a list and how many rows the list has in all, both asked at once. `from` is the table with its filter
 * on `params` (`orders WHERE user_id = $1`); the page's offset and limit are the parameters after them.
 */
export async function pageOf<Row extends pg.QueryResultRow>(
  db: Queryable,
  query: { columns: string; from: string; orderBy: string; params: unknown[] },
  page: { offset: number; limit: number },
): Promise<{ total: number; rows: Row[] }> {
  const next = query.params.length + 1;
  const [list, count] = await Promise.all([
    db.query<Row>(
      `SELECT ${query.columns} FROM ${query.from} ORDER BY ${query.orderBy} OFFSET $${next} LIMIT $${next + 1}`,
      [...query.params, page.offset, page.limit],
    ),
    db.query<{ total: number }>(`SELECT count(*)::int AS total FROM ${query.from}`, query.params),
  ]);
  return { total: count.rows[0]!.total, rows: list.rows };
}
