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

export interface Caller {
  id: number;
  /** The caller's USER-TOKEN, passed on when a peer must be asked on the caller's behalf. */
  token: string;
}

/** How many items /visit shows (SPEC §1). */
export const RECENT_LIMIT = 3;

/**
 * The recent list from a user's views, oldest first: consecutive views of one item count once, newest first,
 * at most `limit`. A,B,C,D,E,E → E,D,C; A,B,A → A,B,A.
 */
export function recentFromViews(itemIdsOldestFirst: number[], limit = RECENT_LIMIT): number[] {
  const collapsed = itemIdsOldestFirst.filter((id, index) => index === 0 || itemIdsOldestFirst[index - 1] !== id);
  return collapsed.reverse().slice(0, limit);
}

/** One replica fed by a peer's events, with the peer as fallback. */
export interface ReplicaState {
  /** The replica has held everything the peer published at least once (not a cold start). */
  complete(): boolean;
  /** Its events are flowing right now (Kafka reachable, consumer in its group). */
  live(): boolean;
}

export interface VisitSources {
  views: ReplicaState & { recentItemIds(userId: number): Promise<number[]> };
  items: ReplicaState & {
    fromReplica(ids: number[]): Promise<KnownItem[]>;
    /** Asks the item service; what it answers is also applied to the replica (revision-guarded). */
    fromOwner(ids: number[], caller: Caller): Promise<{ items: KnownItem[]; stale: boolean }>;
  };
  alarms: ReplicaState & {
    fromReplica(userId: number): Promise<Set<number>>;
    fromOwner(caller: Caller): Promise<{ itemIds: Set<number>; stale: boolean }>;
  };
}

export interface VisitItem {
  id: number;
  name: string;
  broadcaster: string;
  category: string;
  price: number;
  is_alarm_set: boolean;
}

/**
 * The caller's recently viewed items, newest first, each with the caller's is_alarm_set.
 * - views: only ever from the local stream (the item service publishes them; nobody else knows them);
 * - item details: the replica; items it lacks are asked of the item service; failing that they are left out;
 * - alarms: the replica once complete; while cold, the alarm service; failing that the replica as it is.
 * Anything answered from a fallback that failed, a cache, or a replica whose events are not flowing is stale.
 */
export async function recentlyViewed(
  sources: VisitSources,
  caller: Caller,
): Promise<{ payload: VisitItem[]; stale: boolean }> {
  const ids = await sources.views.recentItemIds(caller.id);
  let stale = !sources.views.live();
  const [items, alarms] = await Promise.all([itemsFor(sources.items, ids, caller), alarmsFor(sources.alarms, caller)]);
  stale ||= items.stale || alarms.stale;
  const payload = ids.flatMap((id) => {
    const item = items.found.get(id);
    if (!item || item.deleted) return [];
    const { name, broadcaster, category, price } = item;
    return [{ id, name, broadcaster, category, price, is_alarm_set: alarms.itemIds.has(id) }];
  });
  return { payload, stale };
}

async function itemsFor(items: VisitSources['items'], ids: number[], caller: Caller) {
  const found = new Map((await items.fromReplica(ids)).map((item) => [item.id, item]));
  let stale = !items.live();
  const absent = ids.filter((id) => !found.has(id));
  if (absent.length > 0) {
    try {
      const owner = await items.fromOwner(absent, caller);
      owner.items.forEach((item) => found.set(item.id, item));
      stale ||= owner.stale;
    } catch {
      stale = true;
    }
  }
  return { found, stale };
}

async function alarmsFor(
  alarms: VisitSources['alarms'],
  caller: Caller,
): Promise<{ itemIds: Set<number>; stale: boolean }> {
  if (alarms.complete()) return { itemIds: await alarms.fromReplica(caller.id), stale: !alarms.live() };
  try {
    return await alarms.fromOwner(caller);
  } catch {
    return { itemIds: await alarms.fromReplica(caller.id), stale: true };
  }
}
