#!/usr/bin/env node
// Operations on one service's data, for the runbook (docs/operations.md):
//   node scripts/ops.mjs outbox <service>                          pending rows, oldest, last error
//   node scripts/ops.mjs replay <service> <group> <replica-table>    rebuild a replica from its topic (service stopped)
// The service's database defaults to the one `npm start` uses (DATABASE_URL overrides); Kafka from KAFKA_BROKERS.
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';

const [command, service, group, table] = process.argv.slice(2);
const SERVER = process.env.PG_PORT
  ? `postgres://postgres@127.0.0.1:${process.env.PG_PORT}`
  : 'postgres://postgres@127.0.0.1:54329';
const databaseUrl = process.env.DATABASE_URL ?? `${SERVER}/boxoffice_${service}`;
const prefix = process.env.KAFKA_TOPIC_PREFIX ?? '';
const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

function usage() {
  console.error('usage: node scripts/ops.mjs outbox <service> | replay <service> <consumer-group> <replica-table>');
  process.exit(2);
}

async function outbox(db) {
  const { rows } = await db.query(
    `SELECT count(*)::int AS pending, min(created_at) AS oldest, max(attempts) AS attempts,
            (SELECT last_error FROM outbox WHERE state = 'pending' AND last_error IS NOT NULL ORDER BY seq LIMIT 1) AS last_error
       FROM outbox WHERE state = 'pending'`,
  );
  const { pending, oldest, attempts, last_error: lastError } = rows[0];
  console.log(
    pending === 0
      ? `${service}: outbox drained`
      : `${service}: ${pending} pending since ${oldest.toISOString()}, up to ${attempts} attempts; last error: ${lastError ?? 'none'}`,
  );
}

async function replay(db) {
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

if (!service || !['outbox', 'replay'].includes(command)) usage();
const db = new pg.Client({ connectionString: databaseUrl });
try {
  await db.connect();
  await (command === 'outbox' ? outbox(db) : replay(db));
} catch (error) {
  console.error(`ops: ${error.message}`);
  process.exitCode = 1;
} finally {
  await db.end().catch(() => undefined);
}
