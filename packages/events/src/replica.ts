import type { Queryable } from '@boxoffice/db';

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

function identifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`Not a safe SQL identifier: ${name}`);
  return name;
}

/**
 * Applies an aggregate's new state to a local read-replica table. The table has a `revision` column; a state
 * older than (or equal to) the stored one is ignored, so late, duplicated or reordered events cannot roll a
 * replica back. Deletions are stored as a `deleted` flag for the same reason. `key` is the table's primary key:
 * one column or several.
 */
export async function applyToReplica(
  db: Queryable,
  table: string,
  key: string | string[],
  row: Record<string, unknown>,
  revision: number,
): Promise<boolean> {
  const keys = (Array.isArray(key) ? key : [key]).map(identifier);
  const columns = [...Object.keys(row).map(identifier), 'revision'];
  const values = [...Object.values(row), revision];
  const placeholders = columns.map((_, index) => `$${index + 1}`);
  const updates = columns.filter((column) => !keys.includes(column)).map((column) => `${column} = EXCLUDED.${column}`);
  const result = await db.query(
    `INSERT INTO ${identifier(table)} (${columns.join(', ')}) VALUES (${placeholders.join(', ')})
     ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${updates.join(', ')}
     WHERE ${table}.revision < EXCLUDED.revision`,
    values,
  );
  return (result.rowCount ?? 0) > 0;
}
