import { createLocalJWKSet, errors as joseErrors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import type { ResilientClient } from '@boxoffice/resilience';

/**
 * The queue service's public keys, fetched once and kept: tokens are then verified offline. An unknown `kid`
 * refetches (the queue may have rotated its key), at most once per `refetchAfterMs`, so a flood of tokens with
 * made-up kids cannot turn into a flood of JWKS requests. The last good JWKS is also kept in Redis by the client,
 * so a restart while the queue service is down still verifies.
 */
export class JwksCache {
  private keySet: ReturnType<typeof createLocalJWKSet> | undefined;
  private kids = new Set<string>();
  private lastFetch = 0;
  private fetching: Promise<void> | undefined;

  constructor(
    private readonly client: ResilientClient,
    private readonly refetchAfterMs = 30_000,
  ) {}

  readonly getKey: JWTVerifyGetKey = async (header, token) => {
    const kid = header.kid;
    if (
      !this.keySet ||
      (kid !== undefined && !this.kids.has(kid) && Date.now() - this.lastFetch > this.refetchAfterMs)
    ) {
      await this.refresh();
    }
    if (!this.keySet) throw new joseErrors.JWKSNoMatchingKey();
    return this.keySet(header, token);
  };

  private refresh(): Promise<void> {
    this.fetching ??= this.fetch().finally(() => {
      this.fetching = undefined;
    });
    return this.fetching;
  }

  private async fetch(): Promise<void> {
    const answer = await this.client.get<JSONWebKeySet>('/.well-known/jwks.json', { cacheKey: 'jwks' });
    this.lastFetch = Date.now();
    if (answer.status !== 200 || !Array.isArray(answer.body?.keys)) return;
    this.keySet = createLocalJWKSet(answer.body);
    this.kids = new Set(answer.body.keys.map((key) => key.kid).filter((kid): kid is string => typeof kid === 'string'));
  }
}
