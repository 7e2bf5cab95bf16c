import type { EventEnvelope, ItemViewedPayload } from '@boxoffice/contracts';
import type { Queryable } from '@boxoffice/db';
import { insertView } from '../db/visits.repo';

/** item.viewed → one row of the caller's views stream (nobody but the item service knows them; no fallback). */
export async function recordView(event: EventEnvelope<ItemViewedPayload>, db: Queryable): Promise<void> {
  const { userId, itemId, viewedAt } = event.payload;
  await insertView(db, { eventId: event.id, userId, itemId, viewedAt });
}
