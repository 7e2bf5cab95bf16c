import { randomUUID } from 'node:crypto';
import type { Pool, Queryable } from '@boxoffice/db';
import {
  claimDueSettlements,
  insertAuthorization,
  markDelivered,
  markUndelivered,
  voidAuthorization,
} from '../db/gateway.repo';
import { TEST_CARDS, last4, type Card } from '../domain/card';
import type { CardGateway } from '../domain/card-gateway';
import { signPayload } from '../domain/gateway-signature';

export interface SimulatedGatewayOptions {
  pool: Pool;
  secret: string;
  settleDelayMs: number;
  /** Base URL of the merchant (this payment service) that receives settlements. */
  callbackBaseUrl: () => string;
  logger: { warn(obj: object, msg?: string): void };
}

/** The outcome a real processor would reach; decided at authorization, told only at settlement. */
function decide(card: Card): { outcome: 'approved' | 'declined'; declineCode: string | null } {
  if (card.number === TEST_CARDS.declined) return { outcome: 'declined', declineCode: 'card_declined' };
  if (card.number === TEST_CARDS.insufficientFunds) return { outcome: 'declined', declineCode: 'insufficient_funds' };
  return { outcome: 'approved', declineCode: null };
}

/**
 * A stand-in for an external card processor, living in the payment service so the demo needs no third party.
 * It authorizes at once, keeps only the last 4 digits, and `settleDelayMs` later delivers the settlement to the
 * merchant's callback URL, signed with the shared secret, retrying until the merchant acknowledges it.
 */
export class SimulatedCardGateway implements CardGateway {
  constructor(private readonly options: SimulatedGatewayOptions) {}

  async authorize(db: Queryable, request: { reference: string; amount: number; card: Card }): Promise<string> {
    const id = randomUUID();
    const { outcome, declineCode } = decide(request.card);
    await insertAuthorization(db, {
      id,
      merchantReference: request.reference,
      amount: request.amount,
      cardLast4: last4(request.card),
      outcome,
      declineCode,
      settleDelayMs: this.options.settleDelayMs,
    });
    return id;
  }

  /** A settlement not delivered yet never will be; a delivered one is refunded (the simulation keeps no money). */
  async release(db: Queryable, authorizationId: string): Promise<void> {
    await voidAuthorization(db, authorizationId);
  }

  /** One delivery pass (a background job; N-instance safe through leased claims). */
  async deliverDue(batchSize = 50): Promise<number> {
    const due = await claimDueSettlements(this.options.pool, batchSize, 10_000);
    let delivered = 0;
    for (const auth of due) {
      const body = JSON.stringify({
        authorizationId: auth.id,
        reference: auth.merchantReference,
        status: auth.outcome,
        declineCode: auth.declineCode,
        amount: auth.amount,
      });
      try {
        const response = await fetch(`${this.options.callbackBaseUrl()}/api/payment/callback`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-gateway-signature': signPayload(this.options.secret, body),
          },
          body,
          signal: AbortSignal.timeout(5_000),
        });
        await response.arrayBuffer();
        if (!response.ok) throw new Error(`merchant answered ${response.status}`);
        await markDelivered(this.options.pool, auth.id);
        delivered++;
      } catch (error) {
        const retryInMs = Math.min(30_000, 250 * 2 ** Math.min(auth.attempts, 7));
        this.options.logger.warn(
          { authorizationId: auth.id, reason: (error as Error).message },
          'card gateway: settlement not delivered; will retry',
        );
        await markUndelivered(this.options.pool, auth.id, (error as Error).message, retryInMs);
      }
    }
    return delivered;
  }
}
