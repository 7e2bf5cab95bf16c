// Waiting-room bench: 10,000 joins (POST /tokens), then GET /tokens polling with those tokens, beside the
// Fastify + Redis baseline in the same run. Needs the infrastructure (scripts/infra.sh up) and a build
// (npx tsc -b tsconfig.build.json). Usage: node bench/queue-polling.mjs   (BENCH_SECONDS per round, BENCH_ROUNDS, BENCH_USERS)
import { randomUUID } from 'node:crypto';
import {
  announceUsers,
  cleanUp,
  connect,
  drive,
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
const { url: queueUrl } = await startService('queue', {
  DEMO_DATA: 'false', // and LOG_LEVEL warn: no per-request log line, as for the baseline
  USER_SERVICE_URL: 'http://127.0.0.1:9',
});

// 2. the users, announced as the user service does (user.changed on Kafka), until the queue's replica has them
const users = Array.from({ length: USERS }, (_, i) => ({ id: i + 1, role: 'user', token: randomUUID() }));
await announceUsers(users);
const db = await connect('queue');
await waitUntil(
  `${USERS} users in the replica`,
  async () => (await db.query('SELECT count(*)::int AS n FROM users_replica')).rows[0].n === USERS,
  300_000,
);

// 3. joins: every user once
const tokens = new Array(USERS);
let next = 0;
const joinStarted = Date.now();
const joins = await drive({
  url: `${queueUrl}/tokens`,
  amount: USERS,
  requests: [
    {
      method: 'POST',
      setupRequest: (request) => {
        const user = users[next++ % USERS];
        return {
          ...request,
          headers: { 'content-type': 'application/json', 'user-token': user.token },
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
const baseline = await startBaselineProcess();
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
await cleanUp('queue');

const pollSummary = {
  requestsPerSecond: median(rounds.map((r) => r.polling.requestsPerSecond)),
  p99Ms: median(rounds.map((r) => r.polling.p99Ms)),
};
const baseSummary = {
  requestsPerSecond: median(rounds.map((r) => r.baseline.requestsPerSecond)),
  p99Ms: median(rounds.map((r) => r.baseline.p99Ms)),
};
const report = {
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
  ratios: ratios({
    pollingThroughputVsBaseline: +(pollSummary.requestsPerSecond / baseSummary.requestsPerSecond).toFixed(2),
    pollingThroughputVsBaselineMedianOfRounds: median(rounds.map((r) => r.throughputRatio)),
    pollingP99VsBaseline: +(pollSummary.p99Ms / baseSummary.p99Ms).toFixed(2),
    joinsVsBaseline: +(USERS / joinSeconds / baseSummary.requestsPerSecond).toFixed(2),
  }),
};
writeResult('queue-polling', report);
process.exit(0);
