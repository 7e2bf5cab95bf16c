import type { Pool } from '@boxoffice/db';
import { withTransaction } from '@boxoffice/db';
import {
  cancelGaEventReservations,
  findGaEvent,
  insertGaEvent,
  allGaEvents,
  markGaEventDeleted,
  updateGaEventDetails,
} from '../db/ga-events.repo';
import { gaEventNotFound, type GaEvent } from './ga-events';

export interface NewGaEvent {
  name: string;
  description: string;
  date: string;
  availability: number;
}

export const createGaEvent = (pool: Pool, input: NewGaEvent): Promise<GaEvent> => insertGaEvent(pool, input);

export async function getGaEvent(pool: Pool, id: string): Promise<GaEvent> {
  const gaEvent = await findGaEvent(pool, id);
  if (!gaEvent) throw gaEventNotFound(id);
  return gaEvent;
}

export const listGaEvents = (pool: Pool) => allGaEvents(pool);

/** Only the description of a GA event changes here; its stock moves only through reservations. */
export async function updateGaEvent(
  pool: Pool,
  id: string,
  changes: { name?: string; description?: string; date?: string },
): Promise<GaEvent> {
  const gaEvent = await updateGaEventDetails(pool, id, changes);
  if (!gaEvent) throw gaEventNotFound(id);
  return gaEvent;
}

/** Deleting a GA event cancels its live reservations; their tickets go back to stock so the books still balance. */
export function deleteGaEvent(pool: Pool, id: string): Promise<void> {
  return withTransaction(pool, async (tx) => {
    const gaEvent = await findGaEvent(tx, id, { forUpdate: true });
    if (!gaEvent) throw gaEventNotFound(id);
    const cancelled = await cancelGaEventReservations(tx, id);
    await markGaEventDeleted(
      tx,
      id,
      cancelled.reduce((sum, r) => sum + r.noOfTickets, 0),
    );
  });
}
