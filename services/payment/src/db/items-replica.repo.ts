import type { Queryable } from '@boxoffice/db';
import { applyToReplica } from '@boxoffice/events';
import type { CatalogItem } from '../domain/order';

export interface ReplicaItem {
  id: number;
  name: string;
  price: number;
  stock: number;
  deleted: boolean;
}

export function applyItem(db: Queryable, item: ReplicaItem, revision: number): Promise<boolean> {
  return applyToReplica(
    db,
    'items_replica',
    'id',
    { id: item.id, name: item.name, price: item.price, stock: item.stock, deleted: item.deleted },
    revision,
  );
}

export async function catalogItems(db: Queryable, ids: number[]): Promise<CatalogItem[]> {
  const { rows } = await db.query<CatalogItem>('SELECT id, price, deleted FROM items_replica WHERE id = ANY($1)', [
    ids,
  ]);
  return rows;
}
