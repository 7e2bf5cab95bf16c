/** An item as this service knows it: a copy of the item service's state at some revision. */
export interface KnownItem {
  id: number;
  name: string;
  broadcaster: string;
  category: string;
  price: number;
  stock: number;
  deleted: boolean;
  revision: number;
}

/** The item fields an alarm list shows (SPEC §3: the item's fields, no is_alarm_set). */
export const itemView = (item: KnownItem) => ({
  id: item.id,
  name: item.name,
  broadcaster: item.broadcaster,
  category: item.category,
  price: item.price,
});

export interface Caller {
  id: number;
  /** The caller's USER-TOKEN, passed on when a peer must be asked on the caller's behalf. */
  token: string;
}

/** Where items can come from: the local replica, or the item service itself. */
export interface ItemSources {
  /** The replica has held everything the item service published at least once (not a cold start). */
  replicaComplete(): boolean;
  /** Item events are flowing right now (Kafka reachable, consumer in its group). */
  replicaLive(): boolean;
  fromReplica(ids: number[]): Promise<KnownItem[]>;
  /** Asks the item service; what it answers is also applied to the replica (revision-guarded). */
  fromOwner(ids: number[], caller: Caller): Promise<{ items: KnownItem[]; stale: boolean }>;
}

export interface Lookup {
  /** Every item found, deleted ones included. */
  items: Map<number, KnownItem>;
  /** Ids the item service itself says do not exist. */
  missing: number[];
  /** Ids neither the replica nor the item service could answer for. */
  unresolved: number[];
  /** Some of the answer may be behind the item service's truth. */
  stale: boolean;
}

/**
 * Items from the replica; those it lacks are asked of the item service (breaker + cache). When that fails too,
 * the answer is what the replica knows, marked stale, with the unanswered ids listed.
 */
export async function lookUpItems(sources: ItemSources, ids: number[], caller: Caller): Promise<Lookup> {
  const items = new Map((await sources.fromReplica(ids)).map((item) => [item.id, item]));
  const absent = ids.filter((id) => !items.has(id));
  const result: Lookup = { items, missing: [], unresolved: [], stale: !sources.replicaLive() };
  if (absent.length === 0) return result;
  try {
    const owner = await sources.fromOwner(absent, caller);
    owner.items.forEach((item) => items.set(item.id, item));
    result.missing = absent.filter((id) => !items.has(id));
    result.stale ||= owner.stale;
  } catch {
    result.unresolved = absent;
    result.stale = true;
  }
  return result;
}
