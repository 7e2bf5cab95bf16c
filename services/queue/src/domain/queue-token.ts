import type { RoomStatus } from './room';

export type TokenStatus = 'WAITING' | 'ACTIVE' | 'EXPIRED';
/** Its ACTIVE time ran out, its user paid, its user stopped showing up while waiting, or its room closed. */
export type EndReason = 'ttl' | 'paid' | 'abandoned' | 'closed';

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
  roomId: string;
  roomStatus: RoomStatus;
  /** The concert the room guards; null for the default room. */
  concertId: number | null;
  /** The room's observed admissions per minute; null while not known yet. */
  observedPerMinute: number | null;
  saleStartsAtMs: number | null;
}

/** One state of a token, as journalled by the line and recorded in the database. */
export interface TokenState {
  tokenId: string;
  userId: number;
  roomId: string;
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

/** The default room's settings (from the service's configuration) and what holds for every token. */
export interface QueuePolicy {
  maxActive: number;
  activeTtlMs: number;
  abandonTtlMs: number;
  /** The JWT's lifetime: the longest anyone may wait and then be ACTIVE. */
  tokenLifetimeMs: number;
  /** The default room's admission rate; null: capacity alone limits it. */
  admissionRatePerMinute: number | null;
}

export interface AdmissionRound {
  expired: number;
  abandoned: number;
  admitted: number;
  /** Waiting users sent away because their room closed. */
  closedOut: number;
  /** The room's line after the round. */
  waiting: number;
  active: number;
}

export type JoinOutcome =
  | { outcome: 'CREATED' | 'EXISTING'; token: TokenView }
  | { outcome: 'NO_ROOM' | 'NOT_OPEN' | 'CLOSED' }
  | { outcome: 'FULL'; waiting: number; observedPerMinute: number | null };

/**
 * The waiting lines, one per room (line order, at most the room's capacity ACTIVE). Every operation is atomic,
 * whichever instance calls it, and every change of a token is journalled for the recorder.
 */
/** A user asking to join a room's line, with the token that would be theirs. */
export interface JoinRequest {
  tokenId: string;
  userId: number;
  roomId: string;
  jwt: string;
  tokenExpiresAtMs: number;
  randomScore: number;
  nowMs: number;
}

export interface QueueLine {
  /**
   * Puts a user in a room's line with a new token, unless the user holds a live one there: then that one is
   * returned. `randomScore` orders a random room's pre-queue (a CSPRNG draw, 0 ≤ score < 2^48).
   */
  join(input: JoinRequest): Promise<JoinOutcome>;
  /** A token's status; polling a WAITING token also keeps its place. Undefined when the line never saw it. */
  poll(tokenId: string, nowMs: number): Promise<TokenView | undefined>;
  /** The status of many tokens at once (their JWTs left out); each WAITING one counts as present. */
  standings(tokenIds: string[], nowMs: number): Promise<(TokenView | undefined)[]>;
  /** The rooms the admitter serves. */
  roomIds(): Promise<string[]>;
  /** One admission round of one room (see ADMIT). */
  admit(input: { roomId: string; nowMs: number; batch: number }): Promise<AdmissionRound>;
  /** Ends the user's ACTIVE token in the room (every room without one) issued before the purchase; their ids. */
  endActiveTokensOfBuyer(input: {
    userId: number;
    boughtAtMs: number;
    roomId?: string;
    nowMs: number;
  }): Promise<string[]>;
}
