import type { EventEnvelope } from '@boxoffice/contracts';
import type { Queryable } from '@boxoffice/db';

/** Where a message was and what it said: enough to replay it or to read it by hand. */
export interface ReceivedMessage {
  topic: string;
  partition: number;
  offset: string;
  raw: string;
}

/** `unsigned`, `not-owner`, `forged`: not signed by the owner of its topic (signing.ts); never applied. */
export type DeadLetterReason =
  'unreadable' | 'unsigned' | 'not-owner' | 'forged' | 'invalid-payload' | 'handler-failed';

export interface DeadLetter {
  reason: DeadLetterReason;
  error: string;
  event?: EventEnvelope;
  attempts?: number;
}

export async function insertDeadLetter(
  db: Queryable,
  consumer: string,
  message: ReceivedMessage,
  letter: DeadLetter,
): Promise<void> {
  await db.query(
    `INSERT INTO dead_letters (consumer, topic, partition, "offset", raw, reason, error, event_id, event_type, attempts)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      consumer,
      message.topic,
      message.partition,
      message.offset,
      message.raw.slice(0, 1_000_000),
      letter.reason,
      letter.error,
      letter.event?.id ?? null,
      letter.event?.type ?? null,
      letter.attempts ?? 0,
    ],
  );
}

/** Ids of this consumer's dead letters an operator marked for replay (`npm run ops -- replay`), oldest first. */
export async function markedForReplay(db: Queryable, consumer: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT id::text FROM dead_letters WHERE consumer = $1 AND state = 'replay' ORDER BY id LIMIT 50`,
    [consumer],
  );
  return rows.map((row) => row.id);
}

/** Locks one marked letter for this replay (another instance skips it); undefined when it is taken or done. */
export async function claimForReplay(db: Queryable, id: string): Promise<ReceivedMessage | undefined> {
  const { rows } = await db.query<ReceivedMessage>(
    `SELECT topic, partition, "offset", raw FROM dead_letters WHERE id = $1 AND state = 'replay'
     FOR UPDATE SKIP LOCKED`,
    [id],
  );
  return rows[0];
}

export async function markReplayed(db: Queryable, id: string): Promise<void> {
  await db.query(`UPDATE dead_letters SET state = 'replayed', replayed_at = now() WHERE id = $1`, [id]);
}

/** The replay failed too: dead again, with the new error, until an operator asks once more. */
export async function markDeadAgain(db: Queryable, id: string, error: string): Promise<void> {
  await db.query(
    `UPDATE dead_letters SET state = 'dead', error = $2, attempts = attempts + 1 WHERE id = $1 AND state = 'replay'`,
    [id, error],
  );
}
