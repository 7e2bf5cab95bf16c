import type { Queryable } from '@boxoffice/db';
import { applyToReplica } from '@boxoffice/events';
import type { KnownItem } from '../domain/catalog';

export function applyItem(db: Queryable, item: Omit<KnownItem, 'revision'>, revision: number) {
  const { id, name, broadcaster, category, price, stock, deleted } = item;
  return applyToReplica(
    db,
    'items_replica',
    'id',
    { id, name, broadcaster, category, price, stock, deleted },
    revision,
  );
}

export async function replicaItems(db: Queryable, ids: number[]): Promise<KnownItem[]> {
  const { rows } = await db.query<KnownItem>(
    'SELECT id, name, broadcaster, category, price, stock, deleted, revision FROM items_replica WHERE id = ANY($1::int[])',
    [ids],
  );
  return rows;
}
