export type TokenStatus = 'WAITING' | 'ACTIVE' | 'EXPIRED';
export type EndReason = 'ttl' | 'paid' | 'abandoned';

/** A token as the line sees it now. */
export interface TokenView {
  tokenId: string;
  userId: number;
  status: TokenStatus;
  /** Users ahead in the line; 0 unless WAITING. */
  waitingNo: number;
  jwt: string;
  /** When an ACTIVE token stops being ACTIVE. */
  activeExpiresAtMs: number | null;
  expiredAtMs: number | null;
  /** The JWT's `exp`. */
  tokenExpiresAtMs: number;
}

/** One state of a token, as journalled by the line and recorded in the database. */
export interface TokenState {
  tokenId: string;
  userId: number;
  status: TokenStatus;
  reason: EndReason | null;
  joinSeq: number;
  admissionNo: number | null;
  issuedAtMs: number;
  activatedAtMs: number | null;
  activeExpiresAtMs: number | null;
  expiredAtMs: number | null;
  tokenExpiresAtMs: number;
  revision: number;
}

export interface QueuePolicy {
  maxActive: number;
  activeTtlMs: number;
  abandonTtlMs: number;
  tokenLifetimeMs: number;
}

export interface AdmissionRound {
  expired: number;
  abandoned: number;
  admitted: number;
}

/**
 * The waiting line (FIFO by arrival, at most `maxActive` ACTIVE). Every operation is atomic, whichever instance
 * calls it, and every change of a token is journalled for the recorder.
 */
export interface QueueLine {
  /** Puts a user in the line with a new token, unless the user holds a live one: then that one is returned. */
  join(input: {
    tokenId: string;
    userId: number;
    jwt: string;
    tokenExpiresAtMs: number;
    nowMs: number;
  }): Promise<{ created: boolean; token: TokenView }>;
  /** A token's status; polling a WAITING token also keeps its place. Undefined when the line never saw it. */
  poll(tokenId: string, nowMs: number): Promise<TokenView | undefined>;
  /** Expires ACTIVE tokens past their time and abandoned WAITING ones, then admits the head of the line into free slots. */
  admit(input: { nowMs: number; policy: QueuePolicy; batch: number }): Promise<AdmissionRound>;
  /** Ends the user's ACTIVE token if it was issued before the payment; returns its id when it did. */
  endActiveTokenOfPayer(input: { userId: number; paidAtMs: number; nowMs: number }): Promise<string | undefined>;
  /** How many are ACTIVE and WAITING right now. */
  counts(): Promise<{ active: number; waiting: number }>;
}

/**
 * An upper bound: everyone ahead, admitted `maxActive` at a time, each batch using its full ACTIVE time. Users who
 * pay early or leave only make it shorter.
 */
export function estimatedWaitSeconds(view: Pick<TokenView, 'status' | 'waitingNo'>, policy: QueuePolicy): number {
  if (view.status !== 'WAITING') return 0;
  const rounds = Math.ceil((view.waitingNo + 1) / policy.maxActive);
  return Math.round((rounds * policy.activeTtlMs) / 1000);
}
