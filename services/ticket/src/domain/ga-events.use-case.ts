import type { Pool } from '@boxoffice/db';
import { withTransaction } from '@boxoffice/db';
import {
  cancelEventReservations,
  findEvent,
  insertEvent,
  listEvents,
  markEventDeleted,
  updateEventDetails,
} from '../db/ga-events.repo';
import { eventNotFound, type GaEvent } from './ga-events';

export interface NewGaEvent {
  name: string;
  description: string;
  date: string;
  availability: number;
}

export const createGaEvent = (pool: Pool, input: NewGaEvent): Promise<GaEvent> => insertEvent(pool, input);

export async function getGaEvent(pool: Pool, id: string): Promise<GaEvent> {
  const event = await findEvent(pool, id);
  if (!event) throw eventNotFound(id);
  return event;
}

export const listGaEvents = (pool: Pool) => listEvents(pool);

/** Only the description of an event changes here; its stock moves only through reservations. */
export async function updateGaEvent(
  pool: Pool,
  id: string,
  changes: { name?: string; description?: string; date?: string },
): Promise<GaEvent> {
  const event = await updateEventDetails(pool, id, changes);
  if (!event) throw eventNotFound(id);
  return event;
}

/** Deleting an event cancels its live reservations; their tickets go back to stock so the books still balance. */
export function deleteGaEvent(pool: Pool, id: string): Promise<void> {
  return withTransaction(pool, async (tx) => {
    const event = await findEvent(tx, id, { forUpdate: true });
    if (!event) throw eventNotFound(id);
    const cancelled = await cancelEventReservations(tx, id);
    await markEventDeleted(
      tx,
      id,
      cancelled.reduce((sum, r) => sum + r.noOfTickets, 0),
    );
  });
}
