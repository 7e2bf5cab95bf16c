// Waiting-room bench: 10,000 joins (POST /tokens), then GET /tokens polling with those tokens, beside the
// Fastify + Redis baseline in the same run; and how long the joins' token events take to reach a ticket service's
// queue_tokens_replica (outbox → Kafka → its queue-guard consumer) once the last join is answered. Needs the
// infrastructure (scripts/infra.sh up) and a build (npx tsc -b tsconfig.build.json).
// Usage: node bench/queue-polling.mjs   (BENCH_SECONDS per round, BENCH_ROUNDS, BENCH_USERS)
// Profiling: BENCH_NODE_ARGS_QUEUE='--cpu-prof --cpu-prof-dir=/tmp/prof' (or _TICKET); joinWindowUs feeds
// bench/cpuprofile-top.mjs.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  announceUsers,
  topicPrefix,
  cleanUp,
  connect,
  drive,
  driveInTurn,
  inTurn,
  ratios,
  startBaselineProcess,
  startService,
  summarize,
  waitUntil,
  writeResult,
} from './lib.mjs';

const USERS = Number(process.env.BENCH_USERS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

// 1. the queue service as a real process, on its own database, topics and Redis keys
const { url: queueUrl, child: queueProcess } = await startService('queue', {
  DEMO_DATA: 'false', // and LOG_LEVEL warn: no per-request log line, as for the baseline
  USER_SERVICE_URL: 'http://127.0.0.1:9',
});

// ... and a ticket service, whose queue guard keeps a replica of the tokens from their events
const ticketEnv = {
  DEMO_DATA: 'false',
  USER_SERVICE_URL: 'http://127.0.0.1:9',
  QUEUE_SERVICE_URL: queueUrl,
  REDIS_KEY_PREFIX: `${topicPrefix}ticket:`,
};
let ticket = await startService('ticket', ticketEnv);

// 2. the users, announced as the user service does (user.changed on Kafka), until both replicas have them
const users = Array.from({ length: USERS }, (_, i) => ({ id: i + 1, role: 'user', token: randomUUID() }));
await announceUsers(users);
const db = await connect('queue');
const ticketDb = await connect('ticket');
for (const replica of [db, ticketDb])
  await waitUntil(
    `${USERS} users in the replica`,
    async () => (await replica.query('SELECT count(*)::int AS n FROM users_replica')).rows[0].n === USERS,
    300_000,
  );

// the ticket service is stopped during the joins, so their events wait on the topic for its consumer (its group
// and offsets stay): catching up on 10,000 of them is then timed alone, not bounded by how fast users join
await ticket.stop();

// 3. joins: every user once
const tokens = new Array(USERS);
// the baseline right before and right after the joins: the machine's load changes between minutes, and the joins'
// ratio is to the baseline of their own minutes
const baseline = await startBaselineProcess();
const baselineOnce = async () =>
  summarize('baseline: Fastify + Redis SET NX', await drive({ url: baseline.url, method: 'POST' }));
const baselineBeforeJoins = await baselineOnce();

/** CPU seconds a process has used (user + system), from /proc: who is busy while the joins run. */
const cpuSecondsOf = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100 a second)
};
const cpuBefore = { queue: cpuSecondsOf(queueProcess.pid), client: process.cpuUsage() };
const joinStarted = Date.now();
const joinStartedUs = Number(process.hrtime.bigint() / 1000n);
const joins = await driveInTurn({
  url: `${queueUrl}/tokens`,
  amount: USERS,
  pick: inTurn(users),
  request: (user) => ({ headers: { 'user-token': user.token }, body: { userId: user.id } }),
  onResponse: (status, body) => {
    if (status === 201) {
      const issued = JSON.parse(body);
      tokens[Number(JSON.parse(Buffer.from(issued.token.split('.')[1], 'base64url')).sub) - 1] = issued.token;
    }
  },
});
const joinSeconds = (Date.now() - joinStarted) / 1000;
const clientCpu = process.cpuUsage(cpuBefore.client);
const joinCpuShare = {
  queue: +((cpuSecondsOf(queueProcess.pid) - cpuBefore.queue) / joinSeconds).toFixed(2),
  benchClient: +((clientCpu.user + clientCpu.system) / 1e6 / joinSeconds).toFixed(2),
};
const joinEndedUs = Number(process.hrtime.bigint() / 1000n);
const issued = tokens.filter(Boolean);

// the joins' records and events are written behind the requests: let that settle so polling is measured alone
await waitUntil('the journal recorded and the outbox published', async () => {
  const { rows } = await db.query(
    "SELECT (SELECT count(*)::int FROM queue_tokens) AS recorded, (SELECT count(*)::int FROM outbox WHERE state = 'pending') AS pending",
  );
  return rows[0].recorded === USERS && rows[0].pending === 0;
});
// (after the joins' own writes behind the requests, which would slow it down)
const baselineAfterJoins = await baselineOnce();
const joinsBaselinePerSecond = (baselineBeforeJoins.requestsPerSecond + baselineAfterJoins.requestsPerSecond) / 2;

// every token event is on the topic: the ticket service starts again and its replica catches up. Timed from its
// first token row (its consumer is in its group and reading) to the last, and, for context, from the restart
const tokenEvents = (await db.query("SELECT count(*)::int AS n FROM outbox WHERE type = 'queue.token.changed'")).rows[0]
  .n;
const tokensInTicket = async () =>
  (await ticketDb.query('SELECT count(*)::int AS n FROM queue_tokens_replica')).rows[0].n;
const restartedAt = Date.now();
const restarting = startService('ticket', ticketEnv);
let firstTokenAt;
let firstTokenAtUs;
// polled every 20 ms (the target is seconds)
for (;;) {
  const n = await tokensInTicket().catch(() => 0);
  if (n > 0 && firstTokenAt === undefined) {
    firstTokenAt = Date.now();
    firstTokenAtUs = Number(process.hrtime.bigint() / 1000n);
  }
  if (n >= issued.length) break;
  if (Date.now() - restartedAt > 300_000) throw new Error("timed out waiting for the ticket service's token replica");
  await new Promise((resolve) => setTimeout(resolve, 20));
}
const caughtUpAt = Date.now();
const catchUpWindowUs = [firstTokenAtUs, Number(process.hrtime.bigint() / 1000n)];
ticket = await restarting;
const tokenReplicaCatchUpSeconds = (caughtUpAt - firstTokenAt) / 1000;
const tokenReplicaFromRestartSeconds = (caughtUpAt - restartedAt) / 1000;

// 4. polling with all those tokens (round robin) and the baseline, alternating rounds in the same run, so the
// machine's noise (other work on the box) hits both alike; medians are reported
const pollingRequests = issued
  .slice(0, 1_000)
  .map((token) => ({ method: 'GET', headers: { authorization: `Bearer ${token}` } }));
const rounds = [];
for (let round = 0; round < ROUNDS; round++) {
  const polling = summarize(
    'GET /tokens polling',
    await drive({
      url: `${queueUrl}/tokens`,
      // fixed requests (autocannon builds each once) cycling over many tokens: a per-request setupRequest would make
      // the single-threaded client, not the server, the bottleneck, and the baseline pays no such cost
      requests: pollingRequests,
    }),
  );
  const base = summarize('baseline: Fastify + Redis SET NX', await drive({ url: baseline.url, method: 'POST' }));
  rounds.push({
    polling,
    baseline: base,
    throughputRatio: +(polling.requestsPerSecond / base.requestsPerSecond).toFixed(2),
  });
  console.error(
    `round ${round + 1}: polling ${polling.requestsPerSecond} req/s p99 ${polling.p99Ms} ms | baseline ${base.requestsPerSecond} req/s p99 ${base.p99Ms} ms`,
  );
}
await baseline.stop();
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const recorded = (await db.query('SELECT count(*)::int AS n FROM queue_tokens')).rows[0].n;
await db.end();
await ticketDb.end();
await cleanUp('queue', 'ticket');

const medianOf = (runs) => ({
  requestsPerSecond: median(runs.map((run) => run.requestsPerSecond)),
  p50Ms: median(runs.map((run) => run.p50Ms)),
  p99Ms: median(runs.map((run) => run.p99Ms)),
  non2xx: runs.reduce((sum, run) => sum + run.non2xx, 0),
  errors: runs.reduce((sum, run) => sum + run.errors, 0),
});
const pollSummary = medianOf(rounds.map((r) => r.polling));
const baseSummary = medianOf(rounds.map((r) => r.baseline));
const joinsPerSecond = Math.round(issued.length / joinSeconds);
const report = {
  users: USERS,
  // the report's table: the median baseline round, and the median polling round beside the joins
  baseline: { name: 'baseline: Fastify + Redis SET NX (median round)', ...baseSummary },
  joins: {
    ...summarize('POST /tokens joins', joins),
    tokensIssued: issued.length,
    recordedInPostgres: recorded,
    joinsPerSecond,
    // cores each process kept busy during the joins (1.0 = one core all the time)
    coresBusy: joinCpuShare,
  },
  polling: { name: 'GET /tokens polling (median round)', ...pollSummary },
  tokenReplica: { tokenEvents, tokenReplicaCatchUpSeconds, tokenReplicaFromRestartSeconds },
  baselineAroundJoins: [baselineBeforeJoins.requestsPerSecond, baselineAfterJoins.requestsPerSecond],
  joinWindowUs: [joinStartedUs, joinEndedUs],
  catchUpWindowUs,
  // every round, [polling req/s, p99 ms, baseline req/s, p99 ms] (the table shows the medians above)
  rounds: rounds.map((r) => [
    r.polling.requestsPerSecond,
    r.polling.p99Ms,
    r.baseline.requestsPerSecond,
    r.baseline.p99Ms,
  ]),
  ratios: ratios({
    joinsVsBaseline: +(joinsPerSecond / joinsBaselinePerSecond).toFixed(3),
    tokenReplicaCatchUpSeconds,
    pollingThroughputVsBaseline: +(pollSummary.requestsPerSecond / baseSummary.requestsPerSecond).toFixed(2),
    pollingThroughputVsBaselineMedianOfRounds: median(rounds.map((r) => r.throughputRatio)),
    pollingP99VsBaseline: +(pollSummary.p99Ms / baseSummary.p99Ms).toFixed(2),
  }),
};
writeResult('queue-polling', report);
process.exit(0);
