import type Redis from 'ioredis';
import { unavailable } from '@boxoffice/errors';
import { ResilientClient, type ResilientClientOptions } from '@boxoffice/resilience';
import type { ConfirmOutcome, TicketInfo, TicketPort } from '../domain/payment';

interface ErrorAnswer {
  errors?: { code?: string; message?: string };
}

/**
 * The ticket service's /internal routes behind a circuit breaker. Nothing is cached: a ticket's status and a
 * sale must be read fresh. A 4xx is an answer; only a 409 (or a ticket's 404) to a confirm is a definite refusal.
 */
export function ticketClient(options: {
  baseUrl: string;
  internalToken: string;
  timeoutMs: number;
  resetTimeoutMs: number;
  redis: Redis;
  logger: { warn(obj: object, msg?: string): void };
  metrics?: ResilientClientOptions['metrics'];
}): TicketPort & { shutdown(): void } {
  const client = new ResilientClient({
    peer: 'ticket',
    baseUrl: options.baseUrl,
    redis: options.redis,
    timeoutMs: options.timeoutMs,
    resetTimeoutMs: options.resetTimeoutMs,
    logger: options.logger,
    metrics: options.metrics,
  });
  const headers = { 'x-internal-token': options.internalToken };
  return {
    async find(ticketId: string): Promise<TicketInfo | undefined> {
      let answer: { status: number; body: unknown };
      try {
        answer = await client.call({
          method: 'GET',
          path: `/internal/tickets/${encodeURIComponent(ticketId)}`,
          headers,
        });
      } catch {
        throw unavailable('The ticket service is unavailable; nothing was charged. Retry shortly.');
      }
      if (answer.status === 404) return undefined;
      if (answer.status !== 200) {
        options.logger.warn({ status: answer.status }, 'ticket service refused an internal read');
        throw unavailable('The ticket service could not be asked; nothing was charged.');
      }
      return answer.body as TicketInfo;
    },

    async confirm(ticketIds: string[], paymentId: string, userId: number): Promise<ConfirmOutcome> {
      // One ticket keeps the route every ticket service version has (a rolling deploy may still run an old one);
      // several need the all-or-none sale of the payment.
      const single = ticketIds.length === 1;
      try {
        const answer = await client.call<(TicketInfo | { tickets: TicketInfo[] }) & ErrorAnswer>({
          method: 'POST',
          path: single
            ? `/internal/tickets/${encodeURIComponent(ticketIds[0]!)}/confirm`
            : `/internal/payments/${encodeURIComponent(paymentId)}/confirm`,
          headers,
          body: single ? { paymentId, userId } : { userId, ticketIds },
        });
        if (answer.status === 200) {
          // CANCELLED: sold to this payment, then cancelled by its buyer (refunded through ticket.changed)
          const sold = 'tickets' in answer.body ? answer.body.tickets : [answer.body as TicketInfo];
          const all = ticketIds.every((id) =>
            sold.some(
              (ticket) =>
                ticket.id === id &&
                (ticket.status === 'SOLD' || ticket.status === 'CANCELLED') &&
                ticket.paymentId === paymentId,
            ),
          );
          if (all) return { kind: 'sold' };
        }
        if (answer.status === 409)
          return {
            kind: 'refused',
            code: answer.body.errors?.code ?? 'CONFLICT',
            message: answer.body.errors?.message ?? 'The tickets could not be sold.',
          };
        // a ticket that is not there; ROUTE_NOT_FOUND (a ticket service older than multi-seat) settles nothing
        if (answer.status === 404 && answer.body.errors?.code === 'NOT_FOUND')
          return { kind: 'refused', code: 'TICKET_NOT_FOUND', message: 'A ticket of this payment no longer exists.' };
        options.logger.warn(
          { status: answer.status, paymentId },
          'ticket service gave an answer that settles nothing; will retry',
        );
        return { kind: 'unknown', reason: `ticket service answered ${answer.status}` };
      } catch (error) {
        return { kind: 'unknown', reason: error instanceof Error ? error.message : String(error) };
      }
    },

    shutdown: () => client.shutdown(),
  };
}
