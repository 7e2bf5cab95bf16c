#!/usr/bin/env node
// Operations on one service's data, for the runbook (docs/operations.md). `npm run ops -- <command> …`:
//   outbox <service>                            pending rows, oldest, last error; dead rows
//   dead-letters <service>                      messages its consumers dead-lettered, and outbox rows set aside
//   replay <service> <id…|all>                  put dead letters back through their consumer's handler
//   republish <service> <seq…|all>              put dead outbox rows back to pending (fix their cause first)
//   rebuild <service> <group> <replica-table>   rebuild a replica from its topic (service stopped)
// The service's database defaults to the one `npm start` uses (DATABASE_URL overrides); Kafka from KAFKA_BROKERS.
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';

const [command, service, ...rest] = process.argv.slice(2);
const SERVER = process.env.PG_PORT
  ? `postgres://postgres@127.0.0.1:${process.env.PG_PORT}`
  : 'postgres://postgres@127.0.0.1:54329';
const databaseUrl = process.env.DATABASE_URL ?? `${SERVER}/boxoffice_${service}`;
const prefix = process.env.KAFKA_TOPIC_PREFIX ?? '';
const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
const COMMANDS = ['outbox', 'dead-letters', 'replay', 'republish', 'rebuild'];

function usage() {
  console.error(
    'usage: npm run ops -- outbox <service> | dead-letters <service> | replay <service> <id…|all> |\n' +
      '                      republish <service> <seq…|all> | rebuild <service> <consumer-group> <replica-table>',
  );
  process.exit(2);
}

/** `all`, or the numbers given: what a replay or a republish applies to. */
function selection() {
  if (rest.length === 1 && rest[0] === 'all') return null;
  if (rest.length === 0 || !rest.every((id) => /^\d+$/.test(id))) usage();
  return rest.map(Number);
}

async function outbox(db) {
  const { rows } = await db.query(
    `SELECT count(*)::int AS pending, min(created_at) AS oldest, max(attempts) AS attempts,
            (SELECT last_error FROM outbox WHERE state = 'pending' AND last_error IS NOT NULL ORDER BY seq LIMIT 1) AS last_error,
            (SELECT count(*)::int FROM outbox WHERE state = 'dead') AS dead
       FROM outbox WHERE state = 'pending'`,
  );
  const { pending, oldest, attempts, last_error: lastError, dead } = rows[0];
  console.log(
    pending === 0
      ? `${service}: outbox drained`
      : `${service}: ${pending} pending since ${oldest.toISOString()}, up to ${attempts} attempts; last error: ${lastError ?? 'none'}`,
  );
  if (dead > 0) console.log(`${service}: ${dead} dead row(s): npm run ops -- dead-letters ${service}`);
}

async function deadLetters(db) {
  const letters = await db.query(
    `SELECT id, consumer, topic, partition, "offset", event_type, event_id, reason, error, attempts, state, received_at
       FROM dead_letters WHERE state <> 'replayed' ORDER BY id`,
  );
  const rows = await db.query(
    `SELECT seq, topic, type, aggregate_id, failed_attempts, last_error, dead_at FROM outbox WHERE state = 'dead' ORDER BY seq`,
  );
  if (letters.rowCount === 0 && rows.rowCount === 0) console.log(`${service}: no dead letters`);
  for (const l of letters.rows) {
    console.log(
      `dead letter ${l.id} [${l.state}] consumer ${l.consumer}, ${l.topic}#${l.partition}@${l.offset}, ` +
        `${l.event_type ?? 'unreadable'} ${l.event_id ?? ''} at ${l.received_at.toISOString()}: ${l.reason} ` +
        `after ${l.attempts} attempt(s): ${l.error}`,
    );
  }
  for (const r of rows.rows) {
    console.log(
      `outbox row ${r.seq} [dead] ${r.type} ${r.aggregate_id} → ${r.topic}, refused ${r.failed_attempts} time(s), ` +
        `dead at ${r.dead_at.toISOString()}: ${r.last_error}`,
    );
  }
}

async function replay(db) {
  const ids = selection();
  const { rowCount } = await db.query(
    `UPDATE dead_letters SET state = 'replay' WHERE state = 'dead' AND ($1::bigint[] IS NULL OR id = ANY($1))`,
    [ids],
  );
  console.log(
    `${service}: ${rowCount} dead letter(s) marked for replay; its consumers put them back through their handlers within seconds (npm run ops -- dead-letters ${service} shows what failed again)`,
  );
}

async function republish(db) {
  const seqs = selection();
  await db.query('BEGIN');
  const { rowCount } = await db.query(
    `UPDATE outbox SET state = 'pending', failed_attempts = 0, dead_at = NULL
      WHERE state = 'dead' AND ($1::bigint[] IS NULL OR seq = ANY($1))`,
    [seqs],
  );
  await db.query(`SELECT pg_notify('boxoffice_outbox', '')`); // wakes the relay (the channel of appendEvent)
  await db.query('COMMIT');
  console.log(`${service}: ${rowCount} outbox row(s) back to pending; the relay publishes them in order`);
}

async function rebuild(db) {
  const [group, table] = rest;
  if (!group || !table || !IDENTIFIER.test(table)) usage();
  const kafka = new Kafka({
    clientId: 'ops',
    brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const groupId = `${prefix}${group}`;
    const [description] = (await admin.describeGroups([groupId])).groups;
    if (description && description.members.length > 0) {
      throw new Error(
        `consumer group ${groupId} still has ${description.members.length} member(s): stop ${service} first (npm run svc -- stop ${service})`,
      );
    }
    const offsets = await admin.fetchOffsets({ groupId });
    // Clear the replica and what the consumer remembers, then move the group back to the start of its topics.
    await db.query('BEGIN');
    await db.query(`TRUNCATE ${table}`);
    const inbox = await db.query('DELETE FROM inbox WHERE consumer = $1', [group]);
    await db.query('DELETE FROM consumer_sync WHERE consumer = $1', [group]);
    await db.query('COMMIT');
    for (const { topic } of offsets) await admin.resetOffsets({ groupId, topic, earliest: true });
    console.log(
      `${service}: ${table} cleared, ${inbox.rowCount} inbox rows of ${group} forgotten, ${offsets.map((o) => o.topic).join(', ')} rewound; start ${service} to rebuild it`,
    );
  } finally {
    await admin.disconnect();
  }
}

if (!service || !COMMANDS.includes(command)) usage();
const run = { outbox, 'dead-letters': deadLetters, replay, republish, rebuild }[command];
const db = new pg.Client({ connectionString: databaseUrl });
try {
  await db.connect();
  await run(db);
} catch (error) {
  console.error(`ops: ${error.message}`);
  process.exitCode = 1;
} finally {
  await db.end().catch(() => undefined);
}
