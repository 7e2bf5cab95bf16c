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

/** Signs queue JWTs with the newest key, verifies with any published one. */
export class TokenSigner {
  readonly verifier: QueueTokenVerifier;

  private constructor(
    private readonly signingKey: { kid: string; key: KeyLike | Uint8Array },
    readonly jwks: { keys: JWK[] },
    private readonly issuer: string,
  ) {
    this.verifier = new QueueTokenVerifier(createLocalJWKSet(jwks), { issuer });
  }

  static async from(keys: StoredSigningKey[], issuer: string): Promise<TokenSigner> {
    const newest = keys[0];
    if (!newest) throw new Error('no signing key');
    const key = await importJWK(newest.privateJwk, newest.alg);
    return new TokenSigner({ kid: newest.kid, key }, { keys: keys.map((stored) => stored.publicJwk) }, issuer);
  }

  get kid(): string {
    return this.signingKey.kid;
  }

  /** sub = the user id, jti = the token id. Ed25519 signatures are deterministic: same claims, same JWT. */
  sign(claims: { tokenId: string; userId: number; issuedAtMs: number; expiresAtMs: number }): Promise<string> {
    return new SignJWT({})
      .setProtectedHeader({ alg: QUEUE_TOKEN_ALGORITHM, kid: this.signingKey.kid, typ: 'JWT' })
      .setIssuer(this.issuer)
      .setSubject(String(claims.userId))
      .setJti(claims.tokenId)
      .setIssuedAt(Math.floor(claims.issuedAtMs / 1000))
      .setExpirationTime(Math.floor(claims.expiresAtMs / 1000))
      .sign(this.signingKey.key);
  }
}
