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

/** One aggregate's state at a revision, for applyManyToReplica. */
export interface ReplicaChange {
  row: Record<string, unknown>;
  revision: number;
}

/**
 * applyToReplica for many states in one statement per 1,000 (a consumer's batch): the same rule, newer revision
 * wins. Of several states of one aggregate only the newest is applied (one statement cannot change a row twice).
 * Resolves with the changes that were news (they changed their row), in the given order. Every row has the same
 * columns.
 */
export async function applyManyToReplica<C extends ReplicaChange>(
  db: Queryable,
  table: string,
  key: string | string[],
  changes: C[],
): Promise<C[]> {
  if (changes.length === 0) return [];
  const keys = (Array.isArray(key) ? key : [key]).map(identifier);
  // keys are text or numbers: as JSON they read the same from here and from PostgreSQL's RETURNING
  const identity = (change: ReplicaChange) => JSON.stringify(keys.map((column) => change.row[column] ?? null));
  const identities = changes.map(identity);
  const newest = new Map<string, C>();
  changes.forEach((change, index) => {
    const known = newest.get(identities[index]!);
    if (!known || change.revision > known.revision) newest.set(identities[index]!, change);
  });
  const fields = Object.keys(changes[0]!.row).map(identifier);
  const columns = [...fields, 'revision'];
  const updates = columns.filter((column) => !keys.includes(column)).map((column) => `${column} = EXCLUDED.${column}`);
  const applied = new Set<string>();
  const distinct = [...newest.values()];
  for (let start = 0; start < distinct.length; start += 1_000) {
    const chunk = distinct.slice(start, start + 1_000);
    const values: unknown[] = [];
    const tuples = chunk.map((change) => {
      const placeholders = [...fields.map((field) => change.row[field]), change.revision].map((value) => {
        values.push(value);
        return `$${values.length}`;
      });
      return `(${placeholders.join(', ')})`;
    });
    const { rows } = await db.query<{ applied_key: unknown[] }>(
      `INSERT INTO ${identifier(table)} AS current (${columns.join(', ')}) VALUES ${tuples.join(', ')}
       ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${updates.join(', ')}
       WHERE current.revision < EXCLUDED.revision
       RETURNING json_build_array(${keys.join(', ')}) AS applied_key`,
      values,
    );
    for (const row of rows) applied.add(JSON.stringify(row.applied_key));
  }
  return changes.filter(
    (change, index) => newest.get(identities[index]!) === change && applied.has(identities[index]!),
  );
}
