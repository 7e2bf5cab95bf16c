import type { Queryable } from '@boxoffice/db';
import type { Item, ItemChanges, NewItem } from '../domain/item';

// the item's slots not ended yet, by start, as its events and views carry them
const BROADCASTS = `(SELECT coalesce(json_agg(json_build_object('id', s.id, 'channel', s.channel,
    'startsAt', to_char(s.starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"+00:00"'),
    'endsAt', to_char(s.ends_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"+00:00"')) ORDER BY s.starts_at, s.id), '[]')
  FROM broadcast_slots s WHERE s.item_id = items.id AND s.ends_at > now()) AS broadcasts`;
const COLUMNS = `id, name, broadcaster, category, price, stock, deleted, revision, code, ${BROADCASTS}`;

export async function insertItem(db: Queryable, item: NewItem & { id?: number }): Promise<Item> {
  const { rows } = await db.query<Item>(
    `INSERT INTO items (id, name, broadcaster, category, price, stock, code)
     VALUES (COALESCE($1, nextval('items_id_seq')), $2, $3, $4, $5, $6, $7)
     RETURNING ${COLUMNS}`,
    [item.id ?? null, item.name, item.broadcaster, item.category, item.price, item.stock, item.code ?? null],
  );
  return rows[0]!;
}

/** Applies the given fields and bumps the revision; undefined when there is no such live item. */
export async function updateItem(db: Queryable, id: number, changes: ItemChanges): Promise<Item | undefined> {
  const fields = (['name', 'broadcaster', 'category', 'price', 'stock', 'code'] as const).filter(
    (field) => changes[field] !== undefined,
  );
  const sets = fields.map((field, index) => `${field} = $${index + 2}`);
  const { rows } = await db.query<Item>(
    `UPDATE items SET ${[...sets, 'revision = revision + 1', 'updated_at = now()'].join(', ')}
     WHERE id = $1 AND NOT deleted RETURNING ${COLUMNS}`,
    [id, ...fields.map((field) => changes[field])],
  );
  return rows[0];
}

/** A new revision of a live item whose slots changed (they are part of its state); undefined when none. */
export async function touchItem(db: Queryable, id: number): Promise<Item | undefined> {
  const { rows } = await db.query<Item>(
    `UPDATE items SET revision = revision + 1, updated_at = now() WHERE id = $1 AND NOT deleted RETURNING ${COLUMNS}`,
    [id],
  );
  return rows[0];
}

export async function markDeleted(db: Queryable, id: number): Promise<Item | undefined> {
  const { rows } = await db.query<Item>(
    `UPDATE items SET deleted = true, revision = revision + 1, updated_at = now()
     WHERE id = $1 AND NOT deleted RETURNING ${COLUMNS}`,
    [id],
  );
  return rows[0];
}

export async function findLiveItem(db: Queryable, id: number): Promise<Item | undefined> {
  const { rows } = await db.query<Item>(`SELECT ${COLUMNS} FROM items WHERE id = $1 AND NOT deleted`, [id]);
  return rows[0];
}

/** Items by id, deleted ones included: peers warming their replicas must learn of deletions too. */
export async function findItemsByIds(db: Queryable, ids: number[]): Promise<Item[]> {
  const { rows } = await db.query<Item>(`SELECT ${COLUMNS} FROM items WHERE id = ANY($1::int[]) ORDER BY id DESC`, [
    ids,
  ]);
  return rows;
}

/** Every item (deleted ones too: a replica must learn of those) after `afterId`, id ascending: a snapshot page. */
export async function findItemsAfter(db: Queryable, afterId: number, limit: number): Promise<Item[]> {
  const { rows } = await db.query<Item>(`SELECT ${COLUMNS} FROM items WHERE id > $1 ORDER BY id LIMIT $2`, [
    afterId,
    limit,
  ]);
  return rows;
}

/** A page of live items, id descending, with the number of live items in all. */
export async function listLiveItems(
  db: Queryable,
  page: { offset: number; limit: number | null },
): Promise<{ total: number; items: Item[] }> {
  const { rows } = await db.query<Item & { total: number }>(
    `SELECT ${COLUMNS}, count(*) OVER ()::int AS total FROM items WHERE NOT deleted ORDER BY id DESC OFFSET $1 LIMIT $2`,
    [page.offset, page.limit],
  );
  if (rows.length > 0) return { total: rows[0]!.total, items: rows.map(({ total: _total, ...item }) => item) };
  return { total: await countLiveItems(db), items: [] };
}

async function countLiveItems(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ count: number }>('SELECT count(*)::int AS count FROM items WHERE NOT deleted');
  return rows[0]!.count;
}

export async function countAllItems(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ count: number }>('SELECT count(*)::int AS count FROM items');
  return rows[0]!.count;
}

/** After inserting rows with explicit ids (demo data), move the sequence past them. */
export async function syncIdSequence(db: Queryable): Promise<void> {
  await db.query(`SELECT setval('items_id_seq', GREATEST((SELECT max(id) FROM items), 1))`);
}

/**
 * Takes every line's quantity from live items, or none: each line is a conditional UPDATE (`stock >= qty`, which
 * re-checks after waiting for a concurrent writer's row lock), so stock never goes negative. On the first line
 * that cannot be covered, everything taken here is rolled back to a savepoint and the current stock of every
 * line is answered instead (deleted items as absent). Lines must come in ascending product id (no deadlocks).
 */
export async function takeStockOrNothing(
  db: Queryable,
  lines: { productId: number; quantity: number }[],
): Promise<{ taken: Item[] } | { stock: Map<number, number> }> {
  await db.query('SAVEPOINT take_stock');
  const taken: Item[] = [];
  for (const line of lines) {
    const { rows } = await db.query<Item>(
      `UPDATE items SET stock = stock - $2, revision = revision + 1, updated_at = now()
       WHERE id = $1 AND NOT deleted AND stock >= $2 RETURNING ${COLUMNS}`,
      [line.productId, line.quantity],
    );
    if (!rows[0]) {
      await db.query('ROLLBACK TO SAVEPOINT take_stock');
      return {
        stock: await liveStock(
          db,
          lines.map((l) => l.productId),
        ),
      };
    }
    taken.push(rows[0]);
  }
  await db.query('RELEASE SAVEPOINT take_stock');
  return { taken };
}

/** Gives the lines' quantities back, deleted items included (the stock was theirs); ascending product id. */
export async function returnStock(db: Queryable, lines: { productId: number; quantity: number }[]): Promise<Item[]> {
  const returned: Item[] = [];
  for (const line of lines) {
    const { rows } = await db.query<Item>(
      `UPDATE items SET stock = stock + $2, revision = revision + 1, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
      [line.productId, line.quantity],
    );
    if (rows[0]) returned.push(rows[0]);
  }
  return returned;
}

/** Stock of the live items among these ids. */
export async function liveStock(db: Queryable, ids: number[]): Promise<Map<number, number>> {
  const { rows } = await db.query<{ id: number; stock: number }>(
    'SELECT id, stock FROM items WHERE id = ANY($1::int[]) AND NOT deleted',
    [ids],
  );
  return new Map(rows.map((row) => [row.id, row.stock]));
}
