import type { QueueLine, TokenView } from './queue-token';
import { worthTelling } from './standing-news';

/** Where one open stream's updates go (an SSE response). */
export interface StandingSink {
  send(view: TokenView): void;
  heartbeat(): void;
  close(): void;
  /** The client is gone or too slow to keep up. */
  readonly broken: boolean;
}

interface Watcher {
  sink: StandingSink;
  /** The newest view (without its JWT: the stream never sends it, and 10,000 of them add up). */
  last: TokenView;
  /** What the client was last told, and when. */
  sent: TokenView;
  sentAtMs: number;
}

interface Log {
  warn(obj: object, msg?: string): void;
}

export interface FeedOptions {
  /** How often each room's streams are refreshed (one script per room per tick, whatever the number of streams). */
  refreshMs: number;
  heartbeatMs: number;
  /** Streams this instance holds at most; beyond, a new stream is refused. */
  maxStreams: number;
  /** Streams one token may hold at once (tabs); a new one beyond closes the oldest. */
  maxPerToken: number;
  /** Tokens asked about in one script call, so one call never holds Redis for long. */
  chunk: number;
}

/**
 * The live standings of every stream this instance holds. No Redis call per waiter: one timer refreshes each room's
 * streams with one script call (per chunk of tokens), which also counts them as present, and admissions arrive on
 * one subscription (`admitted`), so a user sees ACTIVE as soon as any instance admits them. Only news is sent
 * (see worthTelling).
 */
export class StandingFeed {
  private readonly rooms = new Map<string, Map<string, Watcher[]>>();
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private dueRooms = new Set<string>();
  private lastHeartbeat = Date.now();
  private count = 0;

  constructor(
    private readonly line: Pick<QueueLine, 'standings'>,
    private readonly options: FeedOptions,
    private readonly log: Log,
  ) {}

  get streams(): number {
    return this.count;
  }

  get full(): boolean {
    return this.count >= this.options.maxStreams;
  }

  start(): void {
    this.timer ??= setInterval(() => void this.tick(), this.options.refreshMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.refreshing;
    for (const tokens of this.rooms.values())
      for (const watchers of tokens.values()) for (const watcher of watchers) watcher.sink.close();
    this.rooms.clear();
    this.count = 0;
  }

  /** Follows a token from its current view (already sent by the caller); returns the function that stops it. */
  watch(view: TokenView, sink: StandingSink): () => void {
    let tokens = this.rooms.get(view.roomId);
    if (!tokens) this.rooms.set(view.roomId, (tokens = new Map()));
    const watchers = tokens.get(view.tokenId) ?? [];
    tokens.set(view.tokenId, watchers);
    const kept = { ...view, jwt: '' };
    const watcher: Watcher = { sink, last: kept, sent: kept, sentAtMs: Date.now() };
    watchers.push(watcher);
    this.count++;
    if (watchers.length > this.options.maxPerToken) this.drop(view.roomId, view.tokenId, watchers[0]!, true);
    return () => this.drop(view.roomId, view.tokenId, watcher, false);
  }

  private drop(roomId: string, tokenId: string, watcher: Watcher, close: boolean): void {
    const tokens = this.rooms.get(roomId);
    const watchers = tokens?.get(tokenId);
    const index = watchers?.indexOf(watcher) ?? -1;
    if (index < 0) return;
    watchers!.splice(index, 1);
    this.count--;
    if (watchers!.length === 0) tokens!.delete(tokenId);
    if (tokens!.size === 0) this.rooms.delete(roomId);
    if (close) watcher.sink.close();
  }

  /** Tokens a room's admission round just made ACTIVE (from the line's channel), with their ACTIVE ends. */
  admitted(roomId: string, tokenIds: string[], activeEnds: number[]): void {
    const tokens = this.rooms.get(roomId);
    if (!tokens) return;
    tokenIds.forEach((tokenId, i) => {
      for (const watcher of [...(tokens.get(tokenId) ?? [])]) {
        const view: TokenView = { ...watcher.last, status: 'ACTIVE', waitingNo: 0, activeExpiresAtMs: activeEnds[i]! };
        this.deliver(roomId, tokenId, watcher, view);
      }
    });
  }

  /** Something changed for a whole room (its state, settings, or users sent away): refresh it on the next tick. */
  roomChanged(roomId: string): void {
    if (!this.rooms.has(roomId)) return;
    this.dueRooms.add(roomId);
    if (!this.refreshing) void this.tick(this.dueRooms);
  }

  private deliver(roomId: string, tokenId: string, watcher: Watcher, view: TokenView): void {
    if (watcher.sink.broken) {
      this.drop(roomId, tokenId, watcher, true);
      return;
    }
    const now = Date.now();
    watcher.last = view;
    if (!worthTelling(watcher.sent, view, watcher.sentAtMs, now)) return;
    watcher.sent = view;
    watcher.sentAtMs = now;
    watcher.sink.send(view);
    if (view.status === 'EXPIRED') this.drop(roomId, tokenId, watcher, true); // nothing more will happen to it
  }

  /** One refresh of every room (or of the given ones): one script call per room and chunk of tokens. */
  private async tick(only?: Set<string>): Promise<void> {
    if (this.refreshing) return;
    const roomIds = only ? [...only] : [...this.rooms.keys()];
    this.dueRooms = new Set();
    this.refreshing = (async () => {
      const now = Date.now();
      for (const roomId of roomIds) await this.refreshRoom(roomId, now);
      if (now - this.lastHeartbeat >= this.options.heartbeatMs) {
        this.lastHeartbeat = now;
        for (const tokens of this.rooms.values())
          for (const watchers of tokens.values()) for (const watcher of watchers) watcher.sink.heartbeat();
      }
    })()
      .catch((error: unknown) => this.log.warn({ err: error }, 'live standings not refreshed; retrying next tick'))
      .finally(() => {
        this.refreshing = undefined;
      });
    await this.refreshing;
  }

  private async refreshRoom(roomId: string, nowMs: number): Promise<void> {
    const tokenIds = [...(this.rooms.get(roomId)?.keys() ?? [])];
    for (let start = 0; start < tokenIds.length; start += this.options.chunk) {
      const ids = tokenIds.slice(start, start + this.options.chunk);
      const views = await this.line.standings(ids, nowMs);
      ids.forEach((tokenId, i) => {
        const watchers = this.rooms.get(roomId)?.get(tokenId);
        if (!watchers) return;
        const fresh = views[i];
        for (const watcher of [...watchers]) {
          // a token Redis no longer knows has ended (its record outlived the JWT by a day)
          const view = fresh ?? { ...watcher.last, status: 'EXPIRED' as const };
          this.deliver(roomId, tokenId, watcher, view);
        }
      });
    }
  }
}
