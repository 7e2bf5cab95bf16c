import { activeFor, type CacheTimes, type KnownState, type TokenChange } from './token-state';

const MAX_KNOWN = 100_000;

/** The statuses this instance has looked up or heard of, in memory, each with how long it may be reused. */
export class StatusCache {
  private readonly known = new Map<string, KnownState>();

  constructor(private readonly times: CacheTimes) {}

  /** A state still fit to reuse at `now`; an ACTIVE one whose ACTIVE time is over reads as EXPIRED. */
  get(tokenId: string, now: number): KnownState | undefined {
    const cached = this.known.get(tokenId);
    if (!cached || cached.until <= now) return undefined;
    if (cached.status === 'ACTIVE' && cached.activeUntil <= now) return { ...cached, status: 'EXPIRED' };
    return cached;
  }

  /** Keeps the newer of what is cached and what was just learned (a lookup may finish after a newer change arrived). */
  remember(tokenId: string, state: KnownState): KnownState {
    const existing = this.known.get(tokenId);
    if (existing && existing.revision > state.revision && existing.until > Date.now()) return existing;
    if (this.known.size >= MAX_KNOWN) this.known.clear(); // a crude bound; the replica answers again
    this.known.set(tokenId, state);
    return state;
  }

  /** A change heard on the channel; `hearing` says whether every change is being heard, which earns the long cache. */
  learn(change: TokenChange, hearing: boolean): void {
    const now = Date.now();
    if (change.status === 'WAITING') {
      this.known.delete(change.tokenId); // its place is not in the event; the next request asks
      return;
    }
    const expiresAtMs = Date.parse(change.tokenExpiresAt);
    if (change.status === 'EXPIRED') {
      this.remember(change.tokenId, {
        status: 'EXPIRED',
        waitingNo: 0,
        until: expiresAtMs,
        activeUntil: 0,
        revision: change.revision,
      });
      return;
    }
    const activeUntil = change.activeExpiresAt ? Date.parse(change.activeExpiresAt) : 0;
    this.remember(change.tokenId, {
      status: 'ACTIVE',
      waitingNo: 0,
      until: activeFor(this.times, now, activeUntil, hearing),
      activeUntil,
      revision: change.revision,
    });
  }

  /** Changes may be missed from now on: what is cached as ACTIVE is trusted only briefly. */
  trustActiveBriefly(): void {
    const briefly = Date.now() + this.times.statusCacheMs;
    for (const state of this.known.values())
      if (state.status === 'ACTIVE' && state.until > briefly) state.until = briefly;
  }

  /** Every change is heard again, but some may have been missed before: start afresh. */
  clear(): void {
    this.known.clear();
  }
}
