// What every scenario needs: service processes on free ports with their own databases, the baseline in a
// process of its own, autocannon, and a results file. Scenarios stay short stories on top of these.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { developmentEventKey } from '@boxoffice/config';
import { UserChanged } from '@boxoffice/contracts';
import { EventSigner, newEnvelope } from '@boxoffice/events';

import { postgresProfile } from './run-profiles.mjs';

export { ratios } from './ratios.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const POSTGRES = process.env.TEST_POSTGRES_SERVER ?? 'postgres://postgres@127.0.0.1:54329';
export const KAFKA = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
export const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
/** autocannon's concurrent clients unless a scenario says otherwise; the runner's growth table sets 10 and 1,000. */
export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 100);
export const runId = randomBytes(4).toString('hex');
/** This run's topics and Redis keys start with it, so runs never see each other's data. */
export const topicPrefix = `bench${runId}.`;
/** A service's database in this run (t_*, like the tests'; dropDatabases removes them). */
export const databaseUrl = (service) => `${POSTGRES}/t_${service}_bench_${runId}`;
const children = [];

/**
 * Which durability the PostgreSQL under this run has (`test` or `durable`), read from the server itself so a result
 * never claims a profile it did not run on; the runner picks the server per profile (bench/run-profiles.mjs).
 */
export const PROFILE = await postgresProfile(POSTGRES);

/** The middle value (the mean of the two middle ones for an even count): a figure over rounds that noise moves least. */
export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
export const round = (value, digits = 2) => Number(value.toFixed(digits));

/** CPU time a process has used so far, in µs (Linux: /proc/<pid>/stat, in clock ticks of 10 ms); else undefined. */
export function cpuMicrosOf(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return undefined;
  }
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export async function waitUntil(what, probe, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * A built service as a process of its own, on its database of this run (`env` may point it elsewhere, e.g. a second
 * instance on the first one's database). e.g. BENCH_NODE_ARGS_GATEWAY='--cpu-prof --cpu-prof-dir=/tmp/prof'
 * profiles one service (NODE_OPTIONS refuses --cpu-prof); `options.nodeArgs` overrides it for one instance.
 */
export async function startService(name, env = {}, options = {}) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const nodeArgs =
    options.nodeArgs ?? (process.env[`BENCH_NODE_ARGS_${name.toUpperCase()}`] ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, path.join(ROOT, 'services', name, 'dist', 'server.js')], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      DATABASE_URL: databaseUrl(name),
      KAFKA_TOPIC_PREFIX: topicPrefix,
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.push(child);
  await waitUntil(`${name} ready`, async () => (await fetch(`${url}/ready`)).ok);
  return { url, child, stop: (signal = 'SIGTERM') => stopChild(child, signal) };
}

function stopChild(child, signal) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill(signal);
  });
}

/**
 * The Fastify + Redis SET NX baseline in its own process, so it gets a core like the service it is compared with.
 * Its url takes POST.
 */
export async function startBaselineProcess() {
  const child = spawn(process.execPath, [path.join(ROOT, 'bench', 'baseline-server.mjs')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const url = await new Promise((resolve, reject) => {
    child.stdout.once('data', (chunk) => resolve(JSON.parse(chunk.toString()).url));
    child.once('exit', (code) => reject(new Error(`baseline exited ${code}`)));
  });
  return { url, stop: () => stopChild(child, 'SIGTERM') };
}

export function drive(options) {
  return new Promise((resolve, reject) =>
    autocannon({ connections: CONNECTIONS, duration: SECONDS, ...options }, (error, result) =>
      error ? reject(error) : resolve(result),
    ),
  );
}

/** A function answering `items` in turn, starting over after the last. */
export const inTurn = (items) => {
  let next = 0;
  return () => items[next++ % items.length];
};

/**
 * Drives requests (POST unless `method` says otherwise), each with the headers and JSON body (none for a GET)
 * `request(pick())` gives; `onResponse` and the other options go to autocannon as they are.
 */
export function driveInTurn({ method = 'POST', pick, request, onResponse, ...options }) {
  return drive({
    ...options,
    requests: [
      {
        method,
        setupRequest: (base) => {
          const { headers, body } = request(pick());
          return body === undefined
            ? { ...base, headers }
            : { ...base, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
        },
        ...(onResponse && { onResponse }),
      },
    ],
  });
}

/** How many answers of each status code a run got, e.g. {"201": 1000, "409": 51234}. */
export const codes = (result) =>
  Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, { count }]) => [code, count]));

export function summarize(name, result) {
  return {
    name,
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

export function writeResult(prefix, data) {
  const dir = process.env.BENCH_RESULTS_DIR ?? path.join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const at = new Date().toISOString();
  const file = path.join(dir, `${prefix}-${at.replace(/[:.]/g, '-')}.json`);
  // how busy the machine was with everything else: on a shared 2-core machine it moves every absolute figure
  const machine = { cores: os.availableParallelism(), loadAverage1m: Number(os.loadavg()[0].toFixed(1)) };
  const recorded = { at, profile: PROFILE, connections: CONNECTIONS, machine, ...data };
  writeFileSync(file, `${JSON.stringify(recorded, null, 2)}\n`);
  console.log(JSON.stringify(data, null, 2));
  console.log(`[bench] wrote ${path.relative(ROOT, file)}`);
}

export async function stopAll() {
  await Promise.all(children.map((child) => stopChild(child, 'SIGTERM')));
}

/** Stops every process this run started, then drops this run's databases of these services. */
export async function cleanUp(...services) {
  await stopAll();
  const admin = new pg.Client({ connectionString: `${POSTGRES}/postgres` });
  await admin.connect();
  for (const service of services) {
    await admin.query(`DROP DATABASE IF EXISTS "${new URL(databaseUrl(service)).pathname.slice(1)}" WITH (FORCE)`);
  }
  await admin.end();
}

/** A client on a service's database of this run. A failed run drops the database under it: that must not hide the failure. */
export async function connect(service) {
  const client = new pg.Client({ connectionString: databaseUrl(service) });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** `work` over `items`, `size` at a time. */
export async function inBatches(items, size, work) {
  const out = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(work))));
  return out;
}

/** A JSON request: {status, body}. */
export async function json(url, options = {}) {
  const response = await fetch(url, {
    ...options,
    headers: { 'content-type': 'application/json', ...options.headers },
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** Users {id, role, token} as the user service announces them: user.changed on Kafka, the token only as its SHA-256. */
export async function announceUsers(users) {
  const kafka = new Kafka({ clientId: 'bench', brokers: KAFKA.split(','), logLevel: logLevel.NOTHING });
  const topic = `${topicPrefix}user.users`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] }).catch(() => undefined);
  await admin.disconnect();
  // signed as the user service signs them (its development key: the benched services run without keys set), or
  // every consumer dead-letters them as forged
  const userKey = new EventSigner(developmentEventKey('user'));
  const producer = kafka.producer();
  await producer.connect();
  for (let i = 0; i < users.length; i += 1_000) {
    await producer.send({
      topic,
      messages: users.slice(i, i + 1_000).map((user) => ({
        key: String(user.id),
        value: JSON.stringify(
          userKey.sign(
            newEnvelope('user', UserChanged, {
              aggregateId: user.id,
              aggregateVersion: 1,
              payload: {
                id: user.id,
                name: `bench ${user.id}`,
                role: user.role,
                accessTokenSha256: createHash('sha256').update(user.token).digest('hex'),
                deleted: false,
              },
            }),
          ),
        ),
      })),
    });
  }
  await producer.disconnect();
}
