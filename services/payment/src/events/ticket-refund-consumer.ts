import type { EventEnvelope, TicketChangedPayload, TicketSaleRefusedPayload } from '@boxoffice/contracts';
import type { Queryable } from '@boxoffice/db';
import { refundCancelledTicket, refundRefusedSale, type TicketRefundOutcome } from '../domain/refund-ticket.use-case';

type Log = { info(obj: object, msg: string): void };

const logged = (log: Log, event: EventEnvelope, outcome: TicketRefundOutcome) => {
  if (outcome === 'refunded') log.info({ eventId: event.id, type: event.type }, 'ticket refunded');
};

/** The ticket saga's payment side (consumer payment.ticket-refunds): cancelled tickets and refused sales. */
export const ticketRefundHandlers = (log: Log) => ({
  cancelled: async (event: EventEnvelope<TicketChangedPayload>, db: Queryable) =>
    logged(log, event, await refundCancelledTicket(db, event.payload)),
  refused: async (event: EventEnvelope<TicketSaleRefusedPayload>, db: Queryable) =>
    logged(log, event, await refundRefusedSale(db, event.payload)),
});
