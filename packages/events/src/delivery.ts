import type { EachBatchPayload, EachMessagePayload } from 'kafkajs';
import type pg from 'pg';
import type { EventContract, EventEnvelope } from '@boxoffice/contracts';
import { withTransaction } from '@boxoffice/db';
import { payloadProblem, readEnvelope } from './contract-check';
import type { BatchHandler, EventHandler } from './consumer';
import {
  claimForReplay,
  insertDeadLetter,
  markDeadAgain,
  markedForReplay,
  markReplayed,
  type DeadLetter,
  type ReceivedMessage,
} from './dead-letters';
import type { EventMetrics } from './event-metrics';
import { backoff, describeError, isTransient } from './failures';
import type { Logger } from './kafka';
import type { EventVerifier } from './signing';

export interface Subscription {
  contract: EventContract;
  handler: EventHandler<never>;
  /** Set by onBatch: the same handling for several events at once. */
  batchHandler?: BatchHandler<never>;
}

export interface DeliveryOptions {
  /** The consumer (its group): the inbox's and the dead letters' `consumer`. */
  name: string;
  pool: pg.Pool;
  logger: Logger;
  subscriptions: ReadonlyMap<string, Subscription>;
  /** Checks that each event was signed by the owner of its contract's topic, before its payload is looked at. */
  verifier: EventVerifier;
  maxAttempts: number;
  retryBackoffMs: number;
  metrics: EventMetrics;
  /** The consumer is stopping: waits end at once, and a message not applied is left for redelivery. */
  stopping(): boolean;
}

class Stopping extends Error {}
class Refused extends Error {}

/**
 * One consumer's handling of its messages: each payload checked against its contract, applied once (inbox id and
 * changes in one transaction), retried with backoff, dead-lettered when it cannot be applied; and dead letters an
 * operator marked put back through the same handler.
 */
export class Delivery {
  private lastOutageWarning = 0;

  constructor(private readonly options: DeliveryOptions) {}

  /** What to do with a message: apply it with a subscription, skip it (not a type handled here), or dead-letter it. */
  verdict(raw: string): { event: EventEnvelope; subscription: Subscription } | DeadLetter | 'skip' {
    const event = readEnvelope(raw);
    if (!event) return { reason: 'unreadable', error: 'not an event envelope' };
    const subscription = this.options.subscriptions.get(event.type);
    if (!subscription) return 'skip';
    const forged = this.options.verifier.problem(event, subscription.contract.topic);
    if (forged) return { ...forged, event };
    const problem = payloadProblem(subscription.contract, event.payload);
    if (problem) return { reason: 'invalid-payload', error: problem, event };
    return { event, subscription };
  }

  async applyIn(db: pg.PoolClient, event: EventEnvelope, subscription: Subscription): Promise<void> {
    const first = await db.query(
      'INSERT INTO inbox (consumer, event_id, event_type) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
      [this.options.name, event.id, event.type],
    );
    if (first.rowCount === 0) return; // seen before: at-least-once delivery, applied once
    await subscription.handler(event as never, db);
  }

  async handle({ topic, partition, message, heartbeat }: EachMessagePayload): Promise<void> {
    const received: ReceivedMessage = {
      topic,
      partition,
      offset: message.offset,
      raw: message.value?.toString() ?? '',
    };
    const verdict = this.verdict(received.raw);
    if (verdict === 'skip') return;
    if ('reason' in verdict) return this.deadLetter(received, verdict, heartbeat);
    const { event, subscription } = verdict;
    const { maxAttempts, retryBackoffMs } = this.options;
    for (let attempt = 1, outages = 0; ;) {
      try {
        await withTransaction(this.options.pool, (db) => this.applyIn(db, event, subscription));
        return;
      } catch (error) {
        if (this.options.stopping()) throw error; // not applied, not acknowledged: redelivered after the restart
        if (await this.isOutage(error)) {
          this.warnOutage(error, event);
          await this.pause(backoff(++outages, 250), heartbeat);
          continue;
        }
        const failure = { attempts: attempt, error: describeError(error), event };
        if (attempt >= maxAttempts)
          return this.deadLetter(received, { reason: 'handler-failed', ...failure }, heartbeat);
        this.options.logger.warn(
          { err: error, groupId: this.options.name, eventId: event.id, attempt },
          'handler failed',
        );
        await this.pause(backoff(attempt++, retryBackoffMs), heartbeat);
      }
    }
  }

  /**
   * A batch of one partition in one transaction: inbox rows in one statement, then each run of consecutive events
   * of one contract to its batch handler (events of a contract without one, one by one). Anything that stops the
   * batch (a message to dead-letter, a handler that throws, an outage) sends the batch through `handle` one
   * message at a time instead, which keeps every per-message rule (retries, dead letters, outages) as it is.
   */
  async handleBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const { topic, partition, messages } = batch;
    if (messages.length === 0) return;
    const verdicts = messages.map((message) => this.verdict(message.value?.toString() ?? ''));
    const applicable = verdicts.flatMap((verdict) => (verdict !== 'skip' && !('reason' in verdict) ? [verdict] : []));
    const clean = verdicts.every((verdict) => verdict === 'skip' || !('reason' in verdict));
    if (clean) {
      try {
        if (applicable.length > 0) await withTransaction(this.options.pool, (db) => this.applyAllIn(db, applicable));
        resolveOffset(messages.at(-1)!.offset);
        await heartbeat();
        return;
      } catch (error) {
        if (this.options.stopping()) throw error;
        this.options.logger.debug(
          { err: error, groupId: this.options.name, topic, partition },
          'batch not applied; applying its events one at a time',
        );
      }
    }
    for (const message of messages) {
      if (!isRunning() || isStale()) return;
      await this.handle({ topic, partition, message, heartbeat, pause: () => () => undefined });
      resolveOffset(message.offset);
      await heartbeat();
    }
  }

  private async applyAllIn(db: pg.PoolClient, verdicts: { event: EventEnvelope; subscription: Subscription }[]) {
    const { rows } = await db.query<{ event_id: string }>(
      `INSERT INTO inbox (consumer, event_id, event_type)
       SELECT $1, id, type FROM unnest($2::uuid[], $3::text[]) AS e(id, type)
       ON CONFLICT DO NOTHING RETURNING event_id`,
      [this.options.name, verdicts.map(({ event }) => event.id), verdicts.map(({ event }) => event.type)],
    );
    const fresh = new Set(rows.map((row) => row.event_id));
    // each event once, even if the batch holds it twice (a redelivery next to the original)
    const unseen = verdicts.filter(({ event }) => fresh.delete(event.id));
    for (let start = 0; start < unseen.length;) {
      const { subscription } = unseen[start]!;
      let end = start + 1;
      if (subscription.batchHandler) {
        while (end < unseen.length && unseen[end]!.subscription === subscription) end++;
        await subscription.batchHandler(
          unseen.slice(start, end).map(({ event }) => event as never),
          db,
        );
      } else await subscription.handler(unseen[start]!.event as never, db);
      start = end;
    }
  }

  /** An outage is what the error says, or a database that does not answer: PostgreSQL down fails every handler. */
  async isOutage(error: unknown): Promise<boolean> {
    if (isTransient(error)) return true;
    try {
      await this.options.pool.query('SELECT 1');
      return false;
    } catch {
      return true;
    }
  }

  private warnOutage(error: unknown, event: EventEnvelope): void {
    if (Date.now() - this.lastOutageWarning < 10_000) return;
    this.lastOutageWarning = Date.now();
    this.options.logger.warn(
      { err: error, groupId: this.options.name, eventId: event.id },
      'event consumer: a dependency is unreachable; retrying the event until it is back (not counted as a failure)',
    );
  }

  /** Kept for an operator, then acknowledged. Until the dead letter is stored the message is not let go. */
  private async deadLetter(received: ReceivedMessage, letter: DeadLetter, heartbeat: () => Promise<void>) {
    for (let attempt = 1; ; attempt++) {
      try {
        await insertDeadLetter(this.options.pool, this.options.name, received, letter);
        break;
      } catch (error) {
        if (this.options.stopping()) throw error;
        await this.pause(backoff(attempt, 250), heartbeat);
      }
    }
    this.options.metrics.deadLettered({ consumer: this.options.name, reason: letter.reason });
    this.options.logger.error(
      {
        groupId: this.options.name,
        topic: received.topic,
        partition: received.partition,
        offset: received.offset,
        ...letter,
      },
      'event consumer: message dead-lettered; the partition moves on',
    );
  }

  /** Waits between tries, telling the group this member is alive, and gives up at once when the consumer stops. */
  private async pause(ms: number, heartbeat: () => Promise<void>): Promise<void> {
    const until = Date.now() + ms;
    for (;;) {
      if (this.options.stopping()) throw new Stopping(`consumer ${this.options.name} is stopping`);
      const left = until - Date.now();
      if (left <= 0) return;
      await new Promise((resolve) => setTimeout(resolve, Math.min(left, 500)));
      await heartbeat();
    }
  }

  /** Puts dead letters an operator marked back through their handler, each in its own inbox transaction. */
  async replayMarked(): Promise<void> {
    const { pool, logger } = this.options;
    const ids = await markedForReplay(pool, this.options.name).catch(() => []);
    for (const id of ids) {
      if (this.options.stopping()) return;
      try {
        await withTransaction(pool, async (db) => {
          const message = await claimForReplay(db, id);
          if (!message) return;
          const verdict = this.verdict(message.raw);
          if (verdict === 'skip') throw new Refused(`consumer ${this.options.name} does not handle this event type`);
          if ('reason' in verdict) throw new Refused(verdict.error);
          await this.applyIn(db, verdict.event, verdict.subscription);
          await markReplayed(db, id);
        });
        logger.info({ groupId: this.options.name, deadLetter: id }, 'dead letter replayed');
      } catch (error) {
        if (!(error instanceof Refused) && (await this.isOutage(error))) return; // stays marked: next round
        await markDeadAgain(pool, id, describeError(error)).catch(() => undefined);
        logger.warn(
          { err: error, groupId: this.options.name, deadLetter: id },
          'dead letter replay failed; dead again',
        );
      }
    }
  }
}
