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
}

export type NewItem = Pick<Item, 'name' | 'broadcaster' | 'category' | 'price' | 'stock'> & { code?: string | null };
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
}

export const shopperView = (item: Item, alarmed: ReadonlySet<number>): ShopperItemView => ({
  id: item.id,
  name: item.name,
  broadcaster: item.broadcaster,
  category: item.category,
  price: item.price,
  is_alarm_set: alarmed.has(item.id),
  product_code: item.code,
});

/** What admins see after a change: the shopper's fields and the stock. */
export const adminView = (item: Item, alarmed: ReadonlySet<number>) => ({
  ...shopperView(item, alarmed),
  stock: item.stock,
});

export const itemNotFound = (id: number) => `Item with item id: ${id} doesn't exist.`;
