import type { BroadcastSlot } from '@boxoffice/contracts';

export type { BroadcastSlot };

export interface Item {
  id: number;
  name: string;
  broadcaster: string;
  category: string;
  price: number;
  stock: number;
  deleted: boolean;
  revision: number;
  /** Public product code (e.g. P001), or null. */
  code: string | null;
  /** Its broadcast slots not ended yet, by start (ISO date-times). */
  broadcasts: BroadcastSlot[];
}

export type NewItem = Pick<Item, 'name' | 'broadcaster' | 'category' | 'price' | 'stock'> & { code?: string | null };
/** An item's own fields with its id, as the demo data and the admin's create answer give them. */
export type ItemRecord = Pick<Item, 'id' | 'name' | 'broadcaster' | 'category' | 'price' | 'stock'>;
export type ItemChanges = Partial<NewItem>;

/** What shoppers see of an item (SPEC §2): no stock, plus whether they set an alarm on it. */
export interface ShopperItemView {
  id: number;
  name: string;
  broadcaster: string;
  category: string;
  price: number;
  is_alarm_set: boolean;
  product_code: string | null;
  next_broadcast_at: string | null;
}

/**
 * The start of the item's broadcast on air now or next (its slots are by start), or null; as stored, an ISO
 * date-time with its +00:00 offset (SPEC §0).
 */
export function nextBroadcastAt(item: Pick<Item, 'broadcasts'>, now = Date.now()): string | null {
  return item.broadcasts.find((slot) => Date.parse(slot.endsAt) > now)?.startsAt ?? null;
}

export const shopperView = (item: Item, alarmed: ReadonlySet<number>): ShopperItemView => ({
  id: item.id,
  name: item.name,
  broadcaster: item.broadcaster,
  category: item.category,
  price: item.price,
  is_alarm_set: alarmed.has(item.id),
  product_code: item.code,
  next_broadcast_at: nextBroadcastAt(item),
});

/** What admins see after a change: the shopper's fields and the stock. */
export const adminView = (item: Item, alarmed: ReadonlySet<number>) => ({
  ...shopperView(item, alarmed),
  stock: item.stock,
});

export const itemNotFound = (id: number) => `Item with item id: ${id} doesn't exist.`;
