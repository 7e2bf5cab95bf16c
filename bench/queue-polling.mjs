// Waiting-room bench: 10,000 joins (POST /tokens), then GET /tokens polling with those tokens, beside the
// Fastify + Redis baseline in the same run. Needs the infrastructure (scripts/infra.sh up) and a build
// (npx tsc -b tsconfig.build.json). Usage: node bench/queue-polling.mjs   (BENCH_SECONDS per round, BENCH_ROUNDS, BENCH_USERS)
import { spawn } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { summarize } from './baseline-redis.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const USERS = Number(process.env.BENCH_USERS ?? 10_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const POSTGRES = process.env.TEST_POSTGRES_SERVER ?? 'postgres://postgres@127.0.0.1:54329';
const KAFKA = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const suffix = randomBytes(4).toString('hex');
const prefix = `bench${suffix}.`;
const databaseUrl = `${POSTGRES}/t_queue_bench_${suffix}`;

function startProcess(script, env, readyLine) {
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk) => {
      output += chunk.toString();
      const match = readyLine(output);
      if (match) resolve({ child, ...match });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`${script} exited ${code}:\n${output.slice(-2000)}`)));
  });
}

async function waitUntil(what, probe, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const run = (options) =>
  new Promise((resolve, reject) =>
    autocannon({ connections: 100, ...options }, (error, result) => (error ? reject(error) : resolve(result))),
  );

// 1. the queue service as a real process, on its own database, topics and Redis keys
const port = 20_000 + Math.floor(Math.random() * 20_000);
const queueUrl = `http://127.0.0.1:${port}`;
const queue = spawn(
  process.execPath,
  [...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean), path.join(ROOT, 'services/queue/dist/server.js')],
  {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      KAFKA_TOPIC_PREFIX: prefix,
      LOG_LEVEL: 'warn', // no per-request log line, as for the baseline
      DEMO_DATA: 'false',
      USER_SERVICE_URL: 'http://127.0.0.1:9',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  },
);
await waitUntil('queue service ready', async () => (await fetch(`${queueUrl}/ready`)).ok);

// 2. the users, announced as the user service does (user.changed on Kafka), until the queue's replica has them
const users = Array.from({ length: USERS }, (_, i) => ({ id: i + 1, accessToken: randomUUID() }));
const kafka = new Kafka({ clientId: 'queue-bench', brokers: KAFKA.split(','), logLevel: logLevel.NOTHING });
const producer = kafka.producer();
await producer.connect();
for (let i = 0; i < users.length; i += 1_000) {
  await producer.send({
    topic: `${prefix}user.users`,
    messages: users.slice(i, i + 1_000).map((user) => ({
      key: String(user.id),
      value: JSON.stringify({
        id: randomUUID(),
        type: 'user.changed',
        version: 1,
        occurredAt: new Date().toISOString(),
        source: 'bench',
        aggregateType: 'user',
        aggregateId: String(user.id),
        aggregateVersion: 1,
        payload: {
          id: user.id,
          name: `bench ${user.id}`,
          role: 'user',
          accessTokenSha256: createHash('sha256').update(user.accessToken).digest('hex'),
          deleted: false,
        },
      }),
    })),
  });
}
await producer.disconnect();
const db = new pg.Client({ connectionString: databaseUrl });
await db.connect();
await waitUntil(
  `${USERS} users in the replica`,
  async () => (await db.query('SELECT count(*)::int AS n FROM users_replica')).rows[0].n === USERS,
  300_000,
);

// 3. joins: every user once
const tokens = new Array(USERS);
let next = 0;
const joinStarted = Date.now();
const joins = await run({
  url: `${queueUrl}/tokens`,
  amount: USERS,
  requests: [
    {
      method: 'POST',
      setupRequest: (request) => {
        const user = users[next++ % USERS];
        return {
          ...request,
          headers: { 'content-type': 'application/json', 'user-token': user.accessToken },
          body: JSON.stringify({ userId: user.id }),
        };
      },
      onResponse: (status, body) => {
        if (status === 201) {
          const issued = JSON.parse(body);
          tokens[Number(JSON.parse(Buffer.from(issued.token.split('.')[1], 'base64url')).sub) - 1] = issued.token;
        }
      },
    },
  ],
});
const joinSeconds = (Date.now() - joinStarted) / 1000;
const issued = tokens.filter(Boolean);

// the joins' records and events are written behind the requests: let that settle so polling is measured alone
await waitUntil('the journal recorded and the outbox published', async () => {
  const { rows } = await db.query(
    "SELECT (SELECT count(*)::int FROM queue_tokens) AS recorded, (SELECT count(*)::int FROM outbox WHERE state = 'pending') AS pending",
  );
  return rows[0].recorded === USERS && rows[0].pending === 0;
});

// 4. polling with all those tokens (round robin) and the baseline, alternating rounds in the same run, so the
// machine's noise (other work on the box) hits both alike; medians are reported
const baseline = await startProcess(path.join(ROOT, 'bench/baseline-server.mjs'), {}, (out) => {
  const line = out.split('\n').find((l) => l.startsWith('{"url"'));
  return line && JSON.parse(line);
});
const pollingRequests = issued
  .slice(0, 1_000)
  .map((token) => ({ method: 'GET', headers: { authorization: `Bearer ${token}` } }));
const rounds = [];
for (let round = 0; round < ROUNDS; round++) {
  const polling = summarize(
    'GET /tokens polling',
    await run({
      url: `${queueUrl}/tokens`,
      duration: SECONDS,
      // fixed requests (autocannon builds each once) cycling over many tokens: a per-request setupRequest would make
      // the single-threaded client, not the server, the bottleneck, and the baseline pays no such cost
      requests: pollingRequests,
    }),
  );
  const base = summarize(
    'baseline: Fastify + Redis SET NX',
    await run({ url: baseline.url, method: 'POST', duration: SECONDS }),
  );
  rounds.push({
    polling,
    baseline: base,
    throughputRatio: +(polling.requestsPerSecond / base.requestsPerSecond).toFixed(2),
  });
  console.error(
    `round ${round + 1}: polling ${polling.requestsPerSecond} req/s p99 ${polling.p99Ms} ms | baseline ${base.requestsPerSecond} req/s p99 ${base.p99Ms} ms`,
  );
}
baseline.child.kill('SIGTERM');
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const recorded = (await db.query('SELECT count(*)::int AS n FROM queue_tokens')).rows[0].n;
await db.end();
queue.kill('SIGTERM');
await new Promise((resolve) => queue.once('exit', resolve));
const admin = new pg.Client({ connectionString: `${POSTGRES}/postgres` });
await admin.connect();
await admin.query(`DROP DATABASE IF EXISTS "t_queue_bench_${suffix}" WITH (FORCE)`);
await admin.end();

const pollSummary = {
  requestsPerSecond: median(rounds.map((r) => r.polling.requestsPerSecond)),
  p99Ms: median(rounds.map((r) => r.polling.p99Ms)),
};
const baseSummary = {
  requestsPerSecond: median(rounds.map((r) => r.baseline.requestsPerSecond)),
  p99Ms: median(rounds.map((r) => r.baseline.p99Ms)),
};
const report = {
  at: new Date().toISOString(),
  users: USERS,
  joins: {
    ...summarize('POST /tokens joins', joins),
    tokensIssued: issued.length,
    recordedInPostgres: recorded,
    joinsPerSecond: Math.round(USERS / joinSeconds),
  },
  pollingMedian: pollSummary,
  baselineMedian: baseSummary,
  rounds,
  ratios: {
    pollingThroughputVsBaseline: +(pollSummary.requestsPerSecond / baseSummary.requestsPerSecond).toFixed(2),
    pollingThroughputVsBaselineMedianOfRounds: median(rounds.map((r) => r.throughputRatio)),
    pollingP99VsBaseline: +(pollSummary.p99Ms / baseSummary.p99Ms).toFixed(2),
    joinsPerSecondVsBaseline: +(USERS / joinSeconds / baseSummary.requestsPerSecond).toFixed(2),
  },
};
console.log(JSON.stringify(report, null, 2));
mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(
  path.join(ROOT, `bench/results/queue-polling-${report.at.replace(/[:.]/g, '-')}.json`),
  `${JSON.stringify(report, null, 2)}\n`,
);
process.exit(0);
