import type { EventEnvelope, TicketPurchaseFinishedPayload } from '@boxoffice/contracts';
import { endTokenOnPurchase } from '../domain/end-token-on-purchase.use-case';
import type { QueueLine } from '../domain/queue-token';

/**
 * ticket.purchase-finished → the buyer's ACTIVE token in that concert's room ends. Redis is changed inside the
 * inbox transaction's handler: if the commit then fails the event comes again, and ending an already ended token
 * changes nothing.
 */
export const endBuyersToken =
  (
    deps: { line: QueueLine; roomOfConcert: (concertId: number) => Promise<string | undefined>; admitNow: () => void },
    log: { info(obj: object, msg: string): void },
  ) =>
  async (event: EventEnvelope<TicketPurchaseFinishedPayload>): Promise<void> => {
    const purchase = event.payload;
    const ended = await endTokenOnPurchase(deps, purchase);
    if (ended.length > 0)
      log.info(
        { tokenIds: ended, userId: purchase.userId, concertId: purchase.concertId },
        'queue token ended: its user finished buying (no hold left to pay)',
      );
  };
