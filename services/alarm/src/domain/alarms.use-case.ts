import { withTransaction, type Pool } from '@boxoffice/db';
import { AppError, notFound, unavailable } from '@boxoffice/errors';
import { activateAlarm, activeItemIds, deactivateAlarm, isActive } from '../db/alarms.repo';
import { publishAlarmChanged } from '../events/alarm-events';
import { itemView, type Caller, type Catalog } from './catalog';

const itemNotFound = (id: number) => `Item with item id: ${id} doesn't exist.`;

/**
 * Sets the caller's alarm on an item that exists; setting it again changes nothing (SPEC §3: idempotent).
 * An item that neither the replica nor the item service can vouch for: 404 when the replica is complete (it
 * would hold the item), 503 on a cold start, where absence proves nothing.
 */
export async function setAlarm(
  pool: Pool,
  catalog: Catalog,
  caller: Caller,
  itemId: number,
): Promise<{ stale: boolean }> {
  const lookup = await catalog.lookUp([itemId], caller);
  const item = lookup.found.get(itemId);
  if (!item) {
    if (lookup.unresolved.length > 0 && !catalog.complete()) {
      throw unavailable('The item service is unavailable, and this service cannot tell yet whether the item exists.');
    }
    // a complete replica that lacks the item, while the item service cannot confirm: almost surely unknown
    if (lookup.stale) throw new AppError(404, 'NOT_FOUND', itemNotFound(itemId), [], { stale: true });
    throw notFound(itemNotFound(itemId));
  }
  if (item.deleted) throw notFound(itemNotFound(itemId));
  await withTransaction(pool, async (tx) => {
    const changed = await activateAlarm(tx, caller.id, itemId);
    if (changed) await publishAlarmChanged(tx, changed);
  });
  return { stale: lookup.stale };
}

/** Clears the caller's alarm; clearing one that is not set changes nothing (SPEC §3: idempotent). */
export async function clearAlarm(pool: Pool, caller: Caller, itemId: number): Promise<void> {
  await withTransaction(pool, async (tx) => {
    const changed = await deactivateAlarm(tx, caller.id, itemId);
    if (changed) await publishAlarmChanged(tx, changed);
  });
}

/**
 * The caller's alarmed items with their details, item id descending. Items deleted since are left out; so are
 * items whose details neither the replica nor the item service can give (then the answer is marked stale).
 */
export async function listAlarmedItems(pool: Pool, catalog: Catalog, caller: Caller) {
  const ids = await activeItemIds(pool, caller.id);
  const lookup = await catalog.lookUp(ids, caller);
  const payload = ids.flatMap((id) => {
    const item = lookup.found.get(id);
    return item && !item.deleted ? [itemView(item)] : [];
  });
  return { payload, stale: lookup.stale };
}

export async function alarmedItem(pool: Pool, catalog: Catalog, caller: Caller, itemId: number) {
  if (!(await isActive(pool, caller.id, itemId))) throw notFound(`No alarm is set on item ${itemId}.`);
  const lookup = await catalog.lookUp([itemId], caller);
  const item = lookup.found.get(itemId);
  if (!item || item.deleted) {
    if (lookup.unresolved.length > 0)
      throw unavailable('The item service is unavailable and this item is not known here yet.');
    throw notFound(itemNotFound(itemId));
  }
  return { payload: itemView(item), stale: lookup.stale };
}

/** What the owner knows, for peers whose alarm replica is still cold. */
export const alarmedItemIds = (pool: Pool, userId: number) => activeItemIds(pool, userId);
