import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { redisReady } from '@boxoffice/resilience';
import { withTransaction, type Pool } from '@boxoffice/db';
import type { PoolClient } from 'pg';
import { insertHistory, storedRevisions, upsertTokenStates } from '../db/tokens.repo';
import type { TokenState } from '../domain/queue-token';
import type { RedisQueueLine } from '../db/queue-line.redis';
import { publishTokenChanged } from './token-events';

interface Log {
  warn(obj: object, msg?: string): void;
}

/**
 * Moves the line's journal (a Redis stream written by the same scripts that change tokens) into PostgreSQL: each
 * state is stored, its transition added to the history, and its event put in the outbox, in one transaction per
 * batch. Entries are acknowledged only after the commit, so a crash re-records them (idempotently: revisions),
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
  private async record(tx: PoolClient, states: TokenState[]): Promise<void> {
    const stored = await storedRevisions(tx, [...new Set(states.map((state) => state.tokenId))]);
    const newest = new Map<string, TokenState>();
    for (const state of states) {
      if (state.revision <= (stored.get(state.tokenId) ?? 0)) continue; // recorded before (a redelivery)
      if (state.revision > (newest.get(state.tokenId)?.revision ?? 0)) newest.set(state.tokenId, state);
      await publishTokenChanged(tx, state);
    }
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
          await withTransaction(this.pool, (tx) =>
            this.record(
              tx,
              entries.map((entry) => entry.state),
            ),
          );
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
