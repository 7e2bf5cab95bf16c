import { ItemChanged } from '@boxoffice/contracts';
import type { Queryable } from '@boxoffice/db';
import { replicaTable } from '@boxoffice/replica';
import type { CatalogItem } from '../domain/order';

/** The item service's items, as far as item.changed events have told us: what prices new orders. */
export const itemsReplica = replicaTable(ItemChanged, {
  table: 'items_replica',
  key: 'id',
  fields: ['name', 'price', 'stock', 'deleted', 'code'],
});

export async function catalogItems(db: Queryable, ids: number[]): Promise<CatalogItem[]> {
  const { rows } = await db.query<CatalogItem>('SELECT id, price, deleted FROM items_replica WHERE id = ANY($1)', [
    ids,
  ]);
  return rows;
}

/** The live items these product codes name, as far as the replica knows: code → item id. */
export async function itemIdsByCode(db: Queryable, codes: string[]): Promise<Map<string, number>> {
  const { rows } = await db.query<{ id: number; code: string }>(
    'SELECT id, code FROM items_replica WHERE code = ANY($1::text[]) AND NOT deleted',
    [codes],
  );
  return new Map(rows.map((row) => [row.code, row.id]));
}
