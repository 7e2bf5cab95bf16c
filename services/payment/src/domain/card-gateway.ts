import type { Queryable } from '@boxoffice/db';
import type { Card } from './card';

/** The card processor as the order payment needs it: authorize now, settle later by a signed callback. */
export interface CardGateway {
  /** Returns the gateway's authorization id. The card goes no further than this call. */
  authorize(db: Queryable, request: { reference: string; amount: number; card: Card }): Promise<string>;
  /** Gives an authorization up (nothing is taken), or returns a settled charge's money (a refund). */
  release(db: Queryable, authorizationId: string): Promise<void>;
}
