import { withTransaction, type Pool } from '@boxoffice/db';
import { notFound, validationFailed } from '@boxoffice/errors';
import { deleteSlot, insertSlot, openSlotsOf, type SlotRow } from '../db/broadcast-slots.repo';
import { findLiveItem, touchItem } from '../db/items.repo';
import { publishItemChanged } from '../events/item-events';
import { itemNotFound } from './item';

/**
 * Slots are part of the item's state: each change is a new item revision and an item.changed carrying the item's
 * open slots, so the alarm service (which schedules the reminders) and any catalogue replica follow it.
 */
async function changeSlots<T>(pool: Pool, itemId: number, change: (tx: Parameters<typeof touchItem>[0]) => Promise<T>) {
  return withTransaction(pool, async (tx) => {
    if (!(await touchItem(tx, itemId))) throw notFound(itemNotFound(itemId));
    const result = await change(tx);
    await publishItemChanged(tx, (await findLiveItem(tx, itemId))!);
    return result;
  });
}

/** Admin: a new broadcast of a live item; it must end after it starts. */
export function addBroadcast(
  pool: Pool,
  itemId: number,
  slot: { channel: string; startsAt: Date; endsAt: Date },
): Promise<SlotRow> {
  if (slot.endsAt <= slot.startsAt)
    throw validationFailed('endsAt must be after startsAt.', [
      { location: 'body', param: 'endsAt', error: 'RangeError', msg: 'A broadcast must end after it starts.' },
    ]);
  return changeSlots(pool, itemId, (tx) => insertSlot(tx, { itemId, ...slot }));
}

/** Admin: removes a slot; its pending reminders are cancelled with it (the alarm service follows item.changed). */
export function removeBroadcast(pool: Pool, itemId: number, slotId: number): Promise<void> {
  return changeSlots(pool, itemId, async (tx) => {
    if (!(await deleteSlot(tx, itemId, slotId))) throw notFound(`Item ${itemId} has no broadcast with id ${slotId}.`);
  });
}

/** The item's broadcasts on air or to come. */
export async function broadcastsOf(pool: Pool, itemId: number): Promise<SlotRow[]> {
  if (!(await findLiveItem(pool, itemId))) throw notFound(itemNotFound(itemId));
  return openSlotsOf(pool, itemId);
}
