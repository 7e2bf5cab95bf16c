#!/usr/bin/env node
// npm run chaos: the whole stack on private PostgreSQL, Redis and Kafka, a mixed load through the gateway, and one
// fault at a time (SIGKILL + restart of each service, Redis, Kafka; an immediate PostgreSQL restart). After each
// fault the load stops, the system is given time to settle, and the owners' databases are audited.
//
//   node scripts/chaos.mjs [--ci] [--seconds N] [--faults user,redis,...] [--json FILE]
//
// --ci: the short form the jest test runs (fewer faults, seconds of load each). Env: CHAOS_PG_PORT (54359),
// CHAOS_REDIS_PORT (63819), CHAOS_KAFKA_PORT (19110; the controller takes the next port), CHAOS_WORKERS.
// Port 0 picks a free one. Needs a build: npx tsc -b tsconfig.build.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { audit, Databases, itemStocks, unsettled } from './chaos/audit.mjs';
import { startPrivateInfra } from './chaos/infra.mjs';
import { Load, newCounters } from './chaos/load.mjs';

const require = createRequire(import.meta.url);
const { startStack, STACK_SERVICES } = require('../packages/testing/dist/index.js');

const { values: args } = parseArgs({
  options: {
    ci: { type: 'boolean', default: false },
    seconds: { type: 'string' },
    faults: { type: 'string' },
    json: { type: 'string' },
  },
});
const ci = args.ci;
const ALL_FAULTS = ['none', ...STACK_SERVICES, 'redis', 'kafka', 'postgres'];
const faults = (args.faults ?? (ci ? 'payment,redis,kafka,postgres' : ALL_FAULTS.join(','))).split(',');
for (const fault of faults)
  if (!ALL_FAULTS.includes(fault)) throw new Error(`unknown fault ${fault}: one of ${ALL_FAULTS.join(', ')}`);
const loadSeconds = Number(args.seconds ?? (ci ? 4 : 20));
const downSeconds = ci ? 1 : 3;
const settleTimeoutMs = ci ? 60_000 : 120_000;
const workers = Number(process.env.CHAOS_WORKERS ?? (ci ? 6 : 12));
const envPort = (name, fallback) => Number(process.env[name] ?? fallback);

const started = Date.now();
const log = (line) => console.log(`[chaos +${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let cleanup = async () => undefined;
let cleaningUp;
const cleanUpOnce = () => (cleaningUp ??= cleanup());
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    log(`${signal}: stopping the stack and removing the private infrastructure`);
    cleanUpOnce().finally(() => process.exit(130));
  });
}

/** The kill and the restart of one fault. Services: SIGKILL, then a start that waits for /ready. */
function faultActions(fault, stack, infra) {
  if (fault === 'redis') return { kill: () => infra.redis.kill(), restart: () => infra.redis.start() };
  if (fault === 'kafka') return { kill: () => infra.kafka.kill(), restart: () => infra.kafka.start() };
  if (fault === 'postgres') return { kill: () => infra.postgres.crash(), restart: () => infra.postgres.start() };
  const instance = stack.instances.get(fault)[0];
  return { kill: () => instance.stop('SIGKILL'), restart: () => instance.start() };
}

/**
 * Consumer groups still behind the end of a topic they read. The replica checksums show a replica behind, but not a
 * saga consumer: after Kafka's restart the ticket-refunds group can take seconds to rejoin, and a cancelled ticket's
 * refund is then still on the topic when everything else looks quiet.
 */
async function consumersBehind(admin) {
  const reasons = [];
  for (const { groupId } of (await admin.listGroups()).groups) {
    for (const { topic, partitions } of await admin.fetchOffsets({ groupId })) {
      const ends = new Map((await admin.fetchTopicOffsets(topic)).map((end) => [end.partition, end]));
      // -1: nothing committed there yet. Every consumer reads from the beginning, so all that is on the log is unread
      // (as the consumers' own catch-up check counts it).
      const behind = partitions.reduce((sum, { partition, offset }) => {
        const end = ends.get(partition);
        return end ? sum + Math.max(0, +end.high - Math.max(+offset, +end.low)) : sum;
      }, 0);
      if (behind > 0) reasons.push(`kafka: group ${groupId} ${behind} behind on ${topic}`);
    }
  }
  return reasons;
}

async function settle(dbs, admin) {
  const deadline = Date.now() + settleTimeoutMs;
  let reasons = [];
  for (;;) {
    try {
      reasons = await unsettled(dbs);
    } catch (error) {
      reasons = [`audit query failed: ${error.message}`];
    }
    try {
      await admin.connect(); // again after a Kafka restart; nothing to do when connected
      reasons.push(...(await consumersBehind(admin)));
    } catch (error) {
      reasons.push(`consumer offsets not readable: ${error.message}`);
    }
    if (reasons.length === 0) return { settled: true, reasons };
    if (Date.now() > deadline) return { settled: false, reasons };
    await sleep(1_000);
  }
}

const formatErrors = (counters) =>
  Object.entries(counters.byStatus)
    .sort(([a], [b]) => String(a).localeCompare(String(b)))
    .map(([status, n]) => `${status}×${n}`)
    .join(' ') || '—';

function printTable(rows) {
  const header = ['fault', 'requests', '2xx', 'errors by status', 'settled in', 'audit'];
  const lines = rows.map((row) => [
    row.fault,
    String(row.requests),
    String(row.ok),
    row.errors,
    row.settledMs === undefined ? 'no' : `${(row.settledMs / 1000).toFixed(1)} s`,
    row.passed
      ? `pass (${row.checks.length} checks)`
      : `FAIL: ${row.checks
          .filter((c) => !c.ok)
          .map((c) => c.name)
          .join(', ')}`,
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => line[i].length)));
  const format = (cells) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  console.log(format(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const line of lines) console.log(format(line));
}

async function main() {
  log(`faults: ${faults.join(', ')}; ${loadSeconds} s of load each, ${workers} workers`);
  const infra = await startPrivateInfra({
    pgPort: envPort('CHAOS_PG_PORT', 54359),
    redisPort: envPort('CHAOS_REDIS_PORT', 63819),
    kafkaPort: envPort('CHAOS_KAFKA_PORT', 19110),
    log,
  });
  let stack;
  let dbs;
  const admin = new Kafka({
    clientId: 'chaos-audit',
    brokers: infra.infra.kafkaBrokers.split(','),
    logLevel: logLevel.NOTHING,
  }).admin();
  cleanup = async () => {
    await admin.disconnect().catch(() => undefined);
    await dbs?.close();
    await stack?.stop().catch((error) => log(`stack stop: ${error.message}`));
    await infra.destroy();
  };
  log('private infrastructure up; starting the stack');
  stack = await startStack({
    infra: infra.infra,
    env: {
      // holds short enough that some expire (and must be released) while the run lasts
      ticket: { SEAT_HOLD_TTL_SECONDS: '15' },
      payment: { CARD_SETTLE_DELAY_MS: '1000' },
    },
  });
  dbs = new Databases(
    Object.fromEntries(
      STACK_SERVICES.filter((s) => s !== 'gateway').map((s) => [s, stack.instances.get(s)[0].env.DATABASE_URL]),
    ),
  );
  log(`stack up, gateway ${stack.gatewayUrl}`);
  const load = new Load({ gatewayUrl: stack.gatewayUrl, log });
  await load.setup({ extraUsers: ci ? 15 : 40 });
  const initialStocks = await itemStocks(dbs);
  log(
    `setup done: ${load.users.length} users, ${load.events.length} events, ${load.showtimes.length} showtimes, ${load.items.length} items`,
  );

  const rows = [];
  for (const fault of faults) {
    load.counters = newCounters();
    let stop = false;
    const running = load.run(workers, () => stop);
    const third = (loadSeconds * 1000) / 3;
    await sleep(third);
    if (fault !== 'none') {
      const actions = faultActions(fault, stack, infra);
      log(`${fault}: kill`);
      await actions.kill();
      await sleep(downSeconds * 1000);
      const restartAt = Date.now();
      await actions.restart();
      log(`${fault}: back after ${((Date.now() - restartAt) / 1000).toFixed(1)} s of restart`);
    }
    await sleep(third * 2);
    stop = true;
    await running;
    const counters = load.counters;
    const settleStart = Date.now();
    const settled = await settle(dbs, admin);
    if (!settled.settled) log(`${fault}: not settled after ${settleTimeoutMs / 1000} s: ${settled.reasons.join('; ')}`);
    let checks;
    try {
      checks = await audit(dbs, load.ledger, initialStocks);
    } catch (error) {
      checks = [{ name: 'audit ran', ok: false, detail: error.message }];
    }
    const row = {
      fault,
      requests: counters.requests,
      ok: counters.ok,
      byStatus: counters.byStatus,
      errors: formatErrors(counters),
      settledMs: settled.settled ? Date.now() - settleStart : undefined,
      passed: checks.every((c) => c.ok),
      checks,
    };
    rows.push(row);
    log(
      `${fault}: ${row.requests} requests, ${row.ok} 2xx, errors ${row.errors}; audit ${row.passed ? 'pass' : 'FAIL'}`,
    );
    for (const failed of checks.filter((c) => !c.ok)) log(`  FAIL ${failed.name}: ${failed.detail}`);
  }

  console.log('');
  printTable(rows);
  const last = rows.at(-1);
  console.log('');
  for (const c of last?.checks ?? []) console.log(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
  const ledger = load.ledger;
  log(
    `acknowledged overall: ${ledger.tickets.size} holds, ${ledger.payments.size} payments, ${ledger.reservations.size} reservations, ` +
      `${ledger.orders.size} orders, ${ledger.idempotentWrites.length} keyed writes, ${ledger.alarms.size} alarm pairs`,
  );
  if (!rows.every((row) => row.passed)) {
    const dir = `/tmp/boxoffice-chaos-logs-${Date.now()}`;
    mkdirSync(dir, { recursive: true });
    for (const [service, instances] of stack.instances)
      writeFileSync(path.join(dir, `${service}.log`), instances[0].keptOutput);
    log(`the services' last output (warn and above) is in ${dir}`);
  }
  if (args.json) writeFileSync(args.json, JSON.stringify({ faults, loadSeconds, workers, rows }, null, 2));
  return rows.every((row) => row.passed);
}

let passed = false;
try {
  passed = await main();
} catch (error) {
  console.error(`[chaos] run failed: ${error.stack ?? error.message}`);
} finally {
  log('cleaning up');
  await cleanUpOnce();
}
log(passed ? 'every audit passed' : 'AUDIT FAILED');
process.exit(passed ? 0 : 1);
