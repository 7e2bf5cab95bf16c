import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { redisReady } from '@boxoffice/resilience';
import { withTransaction, type Pool } from '@boxoffice/db';
import type { PoolClient } from 'pg';
import { insertHistory, storedRevisions, upsertTokenStates } from '../db/tokens.repo';
import { storedRoomRevisions, upsertRoom } from '../db/rooms.repo';
import type { TokenState } from '../domain/queue-token';
import type { Room } from '../domain/room';
import type { JournalEntry, RedisQueueLine } from '../db/queue-line.redis';
import { publishRoomChanged } from './room-events';
import { publishTokensChanged } from './token-events';

interface Log {
  warn(obj: object, msg?: string): void;
}

/**
 * Moves the line's journal (a Redis stream written by the same scripts that change tokens and rooms) into
 * PostgreSQL: each state is stored (a token's transition also added to its history) and its event put in the
 * outbox, in one transaction per batch. Entries are acknowledged only after the commit, so a crash re-records them (idempotently: revisions),
 * and entries a dead instance left pending are claimed by the others after `claimIdleMs`.
 */
export class LifecycleRecorder {
  private stopped = false;
  private running: Promise<void> | undefined;
  private readonly consumer = `recorder-${randomUUID()}`;

  constructor(
    private readonly line: RedisQueueLine,
    private readonly blockingClient: Redis,
    private readonly pool: Pool,
    private readonly log: Log,
    private readonly options = { count: 500, blockMs: 500, claimIdleMs: 30_000 },
  ) {}

  start(): void {
    this.running ??= this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  /**
   * Every state newer than what is stored is published, in journal order (a token admitted and expired within one
   * batch still has its ACTIVE event); the table gets only each token's newest state.
   */
  private async record(tx: PoolClient, entries: JournalEntry[]): Promise<void> {
    const rooms = entries.flatMap((entry) => (entry.kind === 'room' ? [entry.room] : []));
    if (rooms.length > 0) await this.recordRooms(tx, rooms);
    const states = entries.flatMap((entry) => (entry.kind === 'token' ? [entry.state] : []));
    if (states.length > 0) await this.recordTokens(tx, states);
  }

  private async recordRooms(tx: PoolClient, rooms: Room[]): Promise<void> {
    const stored = await storedRoomRevisions(tx, [...new Set(rooms.map((room) => room.id))]);
    for (const room of rooms) {
      if (room.revision <= (stored.get(room.id) ?? 0)) continue; // recorded before (a redelivery)
      await publishRoomChanged(tx, room);
      await upsertRoom(tx, room);
      stored.set(room.id, room.revision);
    }
  }

  private async recordTokens(tx: PoolClient, states: TokenState[]): Promise<void> {
    const stored = await storedRevisions(tx, [...new Set(states.map((state) => state.tokenId))]);
    const newest = new Map<string, TokenState>();
    const news: TokenState[] = [];
    for (const state of states) {
      if (state.revision <= (stored.get(state.tokenId) ?? 0)) continue; // recorded before (a redelivery)
      if (state.revision > (newest.get(state.tokenId)?.revision ?? 0)) newest.set(state.tokenId, state);
      news.push(state);
    }
    await publishTokensChanged(tx, news);
    await insertHistory(tx, states);
    await upsertTokenStates(tx, [...newest.values()]);
  }

  private async loop(): Promise<void> {
    let failures = 0;
    let groupReady = false;
    while (!this.stopped) {
      try {
        if (!groupReady) {
          await redisReady(this.blockingClient, 5_000);
          await this.line.ensureJournalGroup();
          groupReady = true;
        }
        const entries = await this.line.readJournal(this.blockingClient, this.consumer, this.options);
        if (entries.length > 0) {
          await withTransaction(this.pool, (tx) => this.record(tx, entries));
          await this.line.ackJournal(entries.map((entry) => entry.entryId));
        }
        failures = 0;
      } catch (error) {
        failures++;
        const backoff = Math.min(5_000, 100 * 2 ** Math.min(failures, 6));
        if (!this.stopped)
          this.log.warn({ err: error, retryInMs: backoff }, 'lifecycle recorder: recording failed, will retry');
        await new Promise((resolve) => setTimeout(resolve, backoff));
      }
    }
  }
}
