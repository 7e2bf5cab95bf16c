import type { ItemChangedPayload } from '@boxoffice/contracts';
import type { Caller, Lookup, Revisioned } from '@boxoffice/replica';

export type { Caller };

/** An item as this service knows it: a copy of the item service's state at some revision. */
export type KnownItem = Revisioned<ItemChangedPayload>;

/** The item fields an alarm list shows (SPEC §3: the item's fields, no is_alarm_set). */
export const itemView = (item: KnownItem) => ({
  id: item.id,
  name: item.name,
  broadcaster: item.broadcaster,
  category: item.category,
  price: item.price,
});

/**
 * Items by id: the local replica, and for the ids it lacks the item service (the kernel's replica rule,
 * @boxoffice/replica); `complete()` says whether an item absent from the replica is really unknown.
 */
export interface Catalog {
  lookUp(ids: readonly number[], caller: Caller): Promise<Lookup<ItemChangedPayload, number>>;
  complete(): boolean;
}
