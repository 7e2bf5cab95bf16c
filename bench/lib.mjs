// What every scenario needs: service processes on free ports with their own databases, the baseline in a
// process of its own, autocannon, and a results file. Scenarios stay short stories on top of these.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const POSTGRES = process.env.TEST_POSTGRES_SERVER ?? 'postgres://postgres@127.0.0.1:54329';
export const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
export const runId = randomBytes(4).toString('hex');
const children = [];

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

/** A built service as a process of its own, on a fresh database (dropped by nobody: bench databases are t_*). */
export async function startService(name, env = {}) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // e.g. BENCH_NODE_ARGS_GATEWAY='--cpu-prof --cpu-prof-dir=/tmp/prof' profiles one service (NODE_OPTIONS refuses it)
  const nodeArgs = (process.env[`BENCH_NODE_ARGS_${name.toUpperCase()}`] ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, path.join(ROOT, 'services', name, 'dist', 'server.js')], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      DATABASE_URL: `${POSTGRES}/t_${name}_bench_${runId}`,
      KAFKA_TOPIC_PREFIX: `bench${runId}.`,
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

/** The Fastify + Redis SET NX baseline in its own process, so it gets a core like the service it is compared with. */
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
    autocannon({ connections: 100, duration: SECONDS, ...options }, (error, result) =>
      error ? reject(error) : resolve(result),
    ),
  );
}

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
  const dir = path.join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const at = new Date().toISOString();
  const file = path.join(dir, `${prefix}-${at.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify({ at, ...data }, null, 2)}\n`);
  console.log(JSON.stringify(data, null, 2));
  console.log(`[bench] wrote ${path.relative(ROOT, file)}`);
}

export async function stopAll() {
  await Promise.all(children.map((child) => stopChild(child, 'SIGTERM')));
}
