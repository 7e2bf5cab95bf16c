import { errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';

/** What a verified waiting-room JWT says. */
export interface QueueTokenClaims {
  tokenId: string;
  userId: number;
  /** The JWT's `exp`, in milliseconds. */
  expiresAtMs: number;
  /** The waiting room it was issued in (claim `room`; tokens from before rooms: the default room). */
  roomId: string;
  /** The concert that room guards (claim `concert`); null for the default room, which guards every other concert. */
  concertId: number | null;
}

/** The room of tokens that name none, and the room that guards every concert without a room of its own. */
export const DEFAULT_ROOM = 'default';

export const QUEUE_TOKEN_ISSUER = 'boxoffice-queue';
/** The only algorithm accepted: anything else (`none`, HS256 with the public key as secret, ...) is refused. */
export const QUEUE_TOKEN_ALGORITHM = 'EdDSA';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const USER_ID = /^[1-9][0-9]{0,9}$/;
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const ROOM_ID = /^(default|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
const isConcertId = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= 2_147_483_647;

/** The queue token of a request: `Authorization: Bearer <jwt>`, else the `QUEUE-TOKEN` header. */
export function queueTokenOf(headers: Record<string, string | string[] | undefined>): string | undefined {
  const authorization = headers.authorization;
  if (
    typeof authorization === 'string' &&
    authorization.length > 7 &&
    authorization.slice(0, 7).toLowerCase() === 'bearer '
  ) {
    return authorization.slice(7).trim();
  }
  const header = headers['queue-token'];
  return typeof header === 'string' && header.length > 0 ? header.trim() : undefined;
}

/**
 * Verifies queue JWTs offline and remembers each good one until its `exp`: checking an Ed25519 signature on every
 * poll would cost more than the rest of the request, and a token's claims cannot change. Bad tokens are not
 * remembered (anyone can make endless bad tokens; only the issuer can make good ones).
 */
export class QueueTokenVerifier {
  private readonly verified = new Map<string, QueueTokenClaims>();

  constructor(
    private readonly keys: JWTVerifyGetKey,
    private readonly options: { issuer?: string; maxCachedTokens?: number } = {},
  ) {}

  /** The claims of a valid, unexpired token; undefined for anything else (forged, other key, expired, malformed). */
  async verify(token: string, nowMs = Date.now()): Promise<QueueTokenClaims | undefined> {
    const known = this.verified.get(token);
    if (known) {
      if (known.expiresAtMs > nowMs) return known;
      this.verified.delete(token);
      return undefined;
    }
    if (token.length > 4_096 || !JWT_SHAPE.test(token)) return undefined;
    try {
      const { payload } = await jwtVerify(token, this.keys, {
        algorithms: [QUEUE_TOKEN_ALGORITHM],
        issuer: this.options.issuer ?? QUEUE_TOKEN_ISSUER,
        requiredClaims: ['sub', 'jti', 'exp'],
        currentDate: new Date(nowMs),
      });
      if (!payload.jti || !UUID.test(payload.jti) || !payload.sub || !USER_ID.test(payload.sub)) return undefined;
      const { room = DEFAULT_ROOM, concert } = payload as { room?: unknown; concert?: unknown };
      if (typeof room !== 'string' || !ROOM_ID.test(room)) return undefined;
      if (concert !== undefined && !isConcertId(concert)) return undefined;
      const claims: QueueTokenClaims = {
        tokenId: payload.jti.toLowerCase(),
        userId: Number(payload.sub),
        expiresAtMs: payload.exp! * 1000,
        roomId: room,
        concertId: concert ?? null,
      };
      this.remember(token, claims);
      return claims;
    } catch (error) {
      if (error instanceof joseErrors.JOSEError) return undefined;
      throw error; // the key source failed (e.g. the JWKS could not be fetched): not the caller's fault
    }
  }

  private remember(token: string, claims: QueueTokenClaims): void {
    const max = this.options.maxCachedTokens ?? 100_000;
    if (this.verified.size >= max) {
      // Map keeps insertion order: drop the oldest tenth rather than one per insert
      let drop = Math.ceil(max / 10);
      for (const key of this.verified.keys()) {
        this.verified.delete(key);
        if (--drop === 0) break;
      }
    }
    this.verified.set(token, claims);
  }
}
