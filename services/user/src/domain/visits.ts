import type { Static } from '@sinclair/typebox';
import type { ItemChangedPayload } from '@boxoffice/contracts';
import type { Answer, Caller, Lookup } from '@boxoffice/replica';
import type { RecentItems } from '../schemas/user.schemas';

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

/**
 * Where /visit's parts come from: the views stream (only ever local: the item service publishes views and nobody
 * else knows them), and the item and alarm replicas, whose owners are asked when they cannot answer (the kernel's
 * replica rule, @boxoffice/replica).
 */
export interface VisitSources {
  views: { live(): boolean; recentItemIds(userId: number): Promise<number[]> };
  items: { lookUp(ids: readonly number[], caller: Caller): Promise<Lookup<ItemChangedPayload, number>> };
  alarms: { ask(caller: Caller): Promise<Answer<ReadonlySet<number>>> };
}

export type VisitItem = Static<typeof RecentItems>['payload'][number];

/**
 * The caller's recently viewed items, newest first, each with the caller's is_alarm_set. Items deleted since, and
 * items neither the replica nor the item service can describe, are left out. The answer is stale when any part is.
 */
export async function recentlyViewed(
  sources: VisitSources,
  caller: Caller,
): Promise<{ payload: VisitItem[]; stale: boolean }> {
  const ids = await sources.views.recentItemIds(caller.id);
  const [items, alarms] = await Promise.all([sources.items.lookUp(ids, caller), sources.alarms.ask(caller)]);
  const payload = ids.flatMap((id) => {
    const item = items.found.get(id);
    if (!item || item.deleted) return [];
    const { name, broadcaster, category, price } = item;
    return [{ id, name, broadcaster, category, price, is_alarm_set: alarms.value.has(id) }];
  });
  return { payload, stale: !sources.views.live() || items.stale || alarms.stale };
}
