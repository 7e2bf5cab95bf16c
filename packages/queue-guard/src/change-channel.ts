import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { TokenChange } from './token-state';

type Redis = FastifyInstance['redis'];

const BROADCAST_RETRIES = 6; // 0.5 + 1 + 2 + 4 + 8 + 16 s
const HEARTBEAT_MS = 5_000;
const HEARTBEAT = JSON.stringify({ heartbeat: true });

export interface ChangeChannelOptions {
  redis: Redis;
  /** The Redis channel, namespaced like the topics. */
  channel: string;
  log: FastifyBaseLogger;
  /** A change some instance (this one included) applied to the replica. */
  heard(change: TokenChange): void;
  /** Every change is heard from now on, but some may have been missed before. */
  startedHearing(): void;
  /** Changes may be missed from now on. */
  stoppedHearing(): void;
  /** The token's newest state, for a broadcast that is retried later. */
  latest(change: TokenChange): Promise<TokenChange>;
}

/**
 * Every instance must hear every token change to cache ACTIVE for long, but the instances share one consumer
 * group, so each event reaches only one of them: that one broadcasts the new state on this Redis channel. A
 * subscription can also die without its socket closing (a half-open connection hears nothing and says nothing):
 * every instance says it is alive on the channel, and one that hears nobody, not even itself, for a while stops
 * trusting what it heard and reconnects.
 */
export class TokenChangeChannel {
  private readonly subscriber: Redis;
  private readonly heartbeat: NodeJS.Timeout;
  private hearingNow = false;
  private epoch = 0; // a lookup that spans a (re)subscription must not be cached for long
  private closing = false;
  private lastHeardAt = 0;
  private broadcastWarnedAt = 0;

  constructor(private readonly options: ChangeChannelOptions) {
    const { channel, log } = options;
    this.subscriber = options.redis.duplicate({ autoResubscribe: false, enableOfflineQueue: false });
    this.subscriber.on('error', () => undefined);
    this.subscriber.on('ready', () => {
      this.subscriber.subscribe(channel).then(
        () => {
          options.startedHearing();
          this.epoch++;
          this.hearingNow = true;
          this.lastHeardAt = Date.now();
        },
        (error: unknown) => {
          log.warn({ err: error }, 'queue-guard: token changes not heard; statuses are cached briefly');
          if (!this.closing) this.subscriber.disconnect(true);
        },
      );
    });
    this.subscriber.on('close', () => this.stopHearing());
    this.subscriber.on('message', (_channel: string, message: string) => {
      this.lastHeardAt = Date.now();
      try {
        const change = JSON.parse(message) as TokenChange | { heartbeat: true };
        if ('tokenId' in change) options.heard(change);
      } catch {
        // not ours to understand: a newer publisher's format; the replica still has the truth
      }
    });
    this.heartbeat = setInterval(() => {
      void options.redis.publish(channel, HEARTBEAT).catch(() => undefined);
      if (this.hearingNow && Date.now() - this.lastHeardAt > HEARTBEAT_MS * 3) {
        log.warn({ channel }, 'queue-guard: token changes channel silent; reconnecting the subscription');
        this.stopHearing();
        this.subscriber.disconnect(true);
      }
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** Whether every change is heard right now. */
  get hearing(): boolean {
    return this.hearingNow;
  }

  /** A mark for `heardEverythingSince`: take it before a lookup, check it after. */
  mark(): number {
    return this.epoch;
  }

  /** Whether every change was heard from the mark until now. */
  heardEverythingSince(mark: number): boolean {
    return this.hearingNow && mark === this.epoch;
  }

  /**
   * Tells every instance about a token's new state. A lost message would leave a stale ACTIVE status cached on the
   * other instances, so a failed publish is retried in the background (about 30 s in all) before it is given up.
   */
  broadcast(change: TokenChange, attempt = 0): void {
    this.options.redis.publish(this.options.channel, JSON.stringify(change)).catch((error: unknown) => {
      if (this.closing) return;
      const { log } = this.options;
      if (attempt >= BROADCAST_RETRIES) {
        log.error(
          { err: error, tokenId: change.tokenId, status: change.status },
          'queue-guard: token change not broadcast after retries; other instances notice it when their cache ends',
        );
        return;
      }
      if (Date.now() - this.broadcastWarnedAt > 10_000) {
        this.broadcastWarnedAt = Date.now(); // during a Redis outage every token change fails: one line, not thousands
        log.warn({ err: error, tokenId: change.tokenId }, 'queue-guard: token changes not broadcast; retrying');
      }
      setTimeout(() => void this.rebroadcast(change, attempt + 1), 500 * 2 ** attempt).unref();
    });
  }

  close(): void {
    this.closing = true;
    clearInterval(this.heartbeat);
    this.subscriber.disconnect();
  }

  private async rebroadcast(change: TokenChange, attempt: number): Promise<void> {
    let latest = change;
    try {
      latest = await this.options.latest(change);
    } catch {
      // the database is not answering either: send what we have; receivers keep the higher revision
    }
    this.broadcast(latest, attempt);
  }

  private stopHearing(): void {
    this.hearingNow = false;
    this.epoch++;
    this.options.stoppedHearing();
  }
}
