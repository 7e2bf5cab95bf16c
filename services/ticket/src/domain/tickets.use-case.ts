import type { Pool } from '@boxoffice/db';
import { findTicket } from '../db/seating.repo';
import { ticketNotFound, type Ticket } from './seating';

export async function findTicketForPayment(pool: Pool, id: string): Promise<Ticket> {
  const ticket = await findTicket(pool, id);
  if (!ticket) throw ticketNotFound(id);
  return ticket;
}

/** Someone else's ticket is reported as missing, like one that does not exist. */
export async function ticketOf(pool: Pool, userId: number, id: string): Promise<Ticket> {
  const ticket = await findTicket(pool, id);
  if (!ticket || ticket.userId !== userId) throw ticketNotFound(id);
  return ticket;
}
