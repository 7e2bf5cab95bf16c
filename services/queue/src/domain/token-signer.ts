import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  SignJWT,
  type JWK,
  type KeyLike,
} from 'jose';
import { QUEUE_TOKEN_ALGORITHM, QueueTokenVerifier } from '@boxoffice/queue-guard';

export interface StoredSigningKey {
  kid: string;
  alg: string;
  publicJwk: JWK;
  privateJwk: JWK;
  /** When a rotation retired it; null while it signs. */
  retiredAt?: Date | null;
}

/**
 * The keys the JWKS publishes: the signing one, and each retired one while a token it signed may still be live,
 * i.e. for `keepRetiredMs` (the longest token lifetime, plus the time instances take to notice a rotation) after
 * its retirement. After that nothing it signed can verify any more.
 */
export function publishedKeys(keys: StoredSigningKey[], nowMs: number, keepRetiredMs: number): StoredSigningKey[] {
  return keys.filter((key, index) => index === 0 || !key.retiredAt || key.retiredAt.getTime() + keepRetiredMs > nowMs);
}

/** A new Ed25519 key pair; its kid is the public key's RFC 7638 thumbprint. */
export async function newSigningKey(): Promise<StoredSigningKey> {
  const { publicKey, privateKey } = await generateKeyPair(QUEUE_TOKEN_ALGORITHM, { crv: 'Ed25519', extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return {
    kid,
    alg: QUEUE_TOKEN_ALGORITHM,
    publicJwk: { ...publicJwk, kid, alg: QUEUE_TOKEN_ALGORITHM, use: 'sig' },
    privateJwk: await exportJWK(privateKey),
  };
}

interface SignerState {
  signingKey: { kid: string; key: KeyLike | Uint8Array };
  jwks: { keys: JWK[] };
  verifier: QueueTokenVerifier;
}

/** Signs queue JWTs with the newest key, verifies with any published one; `useKeys` takes a rotation in. */
export class TokenSigner {
  private constructor(
    private state: SignerState,
    private readonly issuer: string,
    private readonly keepRetiredMs: number,
  ) {}

  static async from(keys: StoredSigningKey[], issuer: string, keepRetiredMs = Infinity): Promise<TokenSigner> {
    return new TokenSigner(await TokenSigner.stateOf(keys, issuer, keepRetiredMs), issuer, keepRetiredMs);
  }

  private static async stateOf(keys: StoredSigningKey[], issuer: string, keepRetiredMs: number): Promise<SignerState> {
    const newest = keys[0];
    if (!newest) throw new Error('no signing key');
    const key = await importJWK(newest.privateJwk, newest.alg);
    const jwks = { keys: publishedKeys(keys, Date.now(), keepRetiredMs).map((stored) => stored.publicJwk) };
    return {
      signingKey: { kid: newest.kid, key },
      jwks,
      verifier: new QueueTokenVerifier(createLocalJWKSet(jwks), { issuer }),
    };
  }

  /** The stored keys as they are now (newest first): sign with the newest, publish what `publishedKeys` keeps. */
  async useKeys(keys: StoredSigningKey[]): Promise<void> {
    this.state = await TokenSigner.stateOf(keys, this.issuer, this.keepRetiredMs);
  }

  get kid(): string {
    return this.state.signingKey.kid;
  }

  get jwks(): { keys: JWK[] } {
    return this.state.jwks;
  }

  get verifier(): QueueTokenVerifier {
    return this.state.verifier;
  }

  /**
   * sub = the user id, jti = the token id, room = the waiting room's id, concert = the concert that room guards
   * (absent for the default room). Ed25519 signatures are deterministic: same claims, same JWT.
   */
  sign(claims: {
    tokenId: string;
    userId: number;
    roomId: string;
    concertId: number | null;
    issuedAtMs: number;
    expiresAtMs: number;
  }): Promise<string> {
    return new SignJWT(
      claims.concertId === null ? { room: claims.roomId } : { room: claims.roomId, concert: claims.concertId },
    )
      .setProtectedHeader({ alg: QUEUE_TOKEN_ALGORITHM, kid: this.state.signingKey.kid, typ: 'JWT' })
      .setIssuer(this.issuer)
      .setSubject(String(claims.userId))
      .setJti(claims.tokenId)
      .setIssuedAt(Math.floor(claims.issuedAtMs / 1000))
      .setExpirationTime(Math.floor(claims.expiresAtMs / 1000))
      .sign(this.state.signingKey.key);
  }
}
