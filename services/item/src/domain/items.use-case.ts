import { withTransaction, type Pool, type Queryable } from '@boxoffice/db';
import { conflict, notFound } from '@boxoffice/errors';
import {
  countAllItems,
  findItemsAfter,
  findItemsByIds,
  findLiveItem,
  insertItem,
  listLiveItems,
  markDeleted,
  syncIdSequence,
  updateItem,
} from '../db/items.repo';
import { insertSlot } from '../db/broadcast-slots.repo';
import { publishItemChanged, publishItemViewed } from '../events/item-events';
import { DEMO_ITEMS } from './demo-items';
import { itemNotFound, type Item, type ItemChanges, type NewItem } from './item';

export function listItems(pool: Pool, page: { offset: number; limit: number | null }) {
  return listLiveItems(pool, page);
}

/** One live item; the caller's view of it is recorded (an event for the user service's recent list). */
export async function viewItem(pool: Pool, itemId: number, viewerId: number): Promise<Item> {
  const item = await findLiveItem(pool, itemId);
  if (!item) throw notFound(itemNotFound(itemId));
  await publishItemViewed(pool, { userId: viewerId, itemId, at: new Date() });
  return item;
}

/** A product code names one item: a second item with the same code is a 409, never a 500. */
async function codeUnique<T>(code: string | null | undefined, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if ((error as { code?: string; constraint?: string }).constraint === 'items_code_key')
      throw conflict('PRODUCT_CODE_TAKEN', `Another item already has the product code ${code}.`, [
        { location: 'body', param: 'code', value: code, error: 'Conflict', msg: 'This product code is taken.' },
      ]);
    throw error;
  }
}

export function createItem(pool: Pool, input: NewItem): Promise<Item> {
  return codeUnique(input.code, () =>
    withTransaction(pool, async (tx) => {
      const item = await insertItem(tx, input);
      await publishItemChanged(tx, item);
      return item;
    }),
  );
}

export function changeItem(pool: Pool, itemId: number, changes: ItemChanges): Promise<Item> {
  return codeUnique(changes.code, () =>
    withTransaction(pool, async (tx) => {
      const item = await updateItem(tx, itemId, changes);
      if (!item) throw notFound(itemNotFound(itemId));
      await publishItemChanged(tx, item);
      return item;
    }),
  );
}

export function deleteItem(pool: Pool, itemId: number): Promise<void> {
  return withTransaction(pool, async (tx) => {
    const item = await markDeleted(tx, itemId);
    if (!item) throw notFound(itemNotFound(itemId));
    await publishItemChanged(tx, item);
  });
}

/** For peers whose replica lacks some items (cold start, event in flight). */
export const itemsByIds = (pool: Pool, ids: number[]) => findItemsByIds(pool, ids);

/** A page of every item's state, for a peer's snapshot (a NaN cursor reaches SQL as a class-22 error: 422). */
export const itemsAfter = (db: Queryable, afterId: number, limit: number) => findItemsAfter(db, afterId, limit);

/** Demo item n has the product code P00n (seed 003 names products P001, P002, ...). */
export const demoProductCode = (id: number) => `P${String(id).padStart(3, '0')}`;

const HOUR = 3_600_000;

/**
 * The demo items' broadcasts, spread over the next three days: item n goes on air (n - 1) × 90 minutes after the
 * next full hour, for an hour, on its own broadcaster's channel.
 */
export function demoBroadcastStart(now: Date): (itemId: number) => Date {
  const nextHour = Math.ceil(now.getTime() / HOUR) * HOUR;
  return (itemId) => new Date(nextHour + (itemId - 1) * 1.5 * HOUR);
}

/** Loads the 50 demo items on first start only: an empty table (never any item) is the sign of a first start. */
export async function loadDemoItems(pool: Pool): Promise<number> {
  if ((await countAllItems(pool)) > 0) return 0;
  return withTransaction(pool, async (tx) => {
    await tx.query('LOCK TABLE items IN EXCLUSIVE MODE'); // two instances starting together load it once
    if ((await countAllItems(tx)) > 0) return 0;
    const schedule = demoBroadcastStart(new Date());
    for (const demo of DEMO_ITEMS) {
      await insertItem(tx, { ...demo, code: demoProductCode(demo.id) });
      const startsAt = schedule(demo.id);
      await insertSlot(tx, {
        itemId: demo.id,
        channel: demo.broadcaster,
        startsAt,
        endsAt: new Date(startsAt.getTime() + HOUR),
      });
      await publishItemChanged(tx, (await findLiveItem(tx, demo.id))!);
    }
    await syncIdSequence(tx);
    return DEMO_ITEMS.length;
  });
}
