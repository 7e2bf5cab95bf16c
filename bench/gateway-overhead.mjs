// Gateway overhead: the same request (GET /users/me with a demo user's token) straight to the user service and
// through the gateway (GET /api/users/users/me), in one run, beside the baseline. Target: the gateway costs at most
// 10% of the direct throughput (gatewayOverheadPercent ≤ 10) and its p99 is at most 1.2 × the direct one.
//
// The machine is shared, so the two paths are measured in alternating rounds (direct, gateway, gateway, direct, …)
// and each figure is the median of the per-round ratios: load from elsewhere falls on both sides alike. Latencies
// are recorded per response to the microsecond (autocannon's own histogram rounds to whole milliseconds, too coarse
// for a 2 ms request). BENCH_GATEWAY_ROUNDS (default 5) rounds of BENCH_SECONDS (default 10) per path and mode.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import {
  cpuMicrosOf,
  drive,
  freePort,
  median,
  ratios,
  round,
  runId,
  SECONDS,
  startBaselineProcess,
  startService,
  stopAll,
  summarize,
  waitUntil,
  writeResult,
} from './lib.mjs';

const TOKEN = '4a49145e-45a8-4845-af45-1af2a59bb044'; // demo user 10
const ROUNDS = Number(process.env.BENCH_GATEWAY_ROUNDS ?? 5);

/** CPU so far of one process, of several summed (those alive throughout), or of this one ('self': autocannon). */
function cpuReading(what) {
  if (what === 'self') {
    const usage = process.cpuUsage();
    return { total: usage.user + usage.system };
  }
  const pids = [what].flat();
  return { pids, each: pids.map(cpuMicrosOf) };
}
function cpuUsedSince(what, before) {
  if (what === 'self') return cpuReading('self').total - before.total;
  let used = 0;
  let counted = 0;
  before.pids.forEach((pid, i) => {
    const now = cpuMicrosOf(pid);
    if (now === undefined || before.each[i] === undefined) return;
    used += now - before.each[i];
    counted++;
  });
  return counted > 0 ? used : undefined;
}

/**
 * Time a process's threads have spent runnable but waiting for a core, in µs (Linux schedstat: on-CPU ns, run-queue
 * ns, slices); undefined where the kernel does not keep it. Per second of a run it says how much the machine's other
 * work held the process back: on a shared 2-core machine that, not the process's own CPU, can bound a run.
 */
function runQueueMicrosOf(pid) {
  if (pid === undefined) return undefined;
  try {
    let waited = 0;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      waited += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[1]) / 1000;
    }
    return waited;
  } catch {
    return undefined;
  }
}

/** The PostgreSQL backends serving a database: processes titled `postgres: <user> <database> …`. */
function backendsOf(database) {
  const pids = [];
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(` ${database} `)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/**
 * One autocannon run with every 2xx latency kept, so percentiles are exact rather than whole milliseconds, and the
 * CPU each of `processes` spent per request: that figure hardly depends on what else the machine is doing.
 */
function measure(options, processes) {
  const latencies = [];
  const cpuBefore = Object.fromEntries(Object.entries(processes).map(([name, what]) => [name, cpuReading(what)]));
  const waited = { user: processes.user, gateway: processes.gateway };
  const waitedBefore = Object.fromEntries(Object.entries(waited).map(([name, pid]) => [name, runQueueMicrosOf(pid)]));
  const startedAt = performance.now();
  return new Promise((resolve, reject) => {
    const instance = autocannon({ connections: 100, duration: SECONDS, ...options }, (error, result) => {
      if (error) return reject(error);
      const cpuMicrosPerRequest = Object.fromEntries(
        Object.entries(processes).map(([name, what]) => {
          const used = cpuUsedSince(what, cpuBefore[name]);
          return [name, Number.isFinite(used) ? Math.round(used / Math.max(1, result.requests.total)) : null];
        }),
      );
      const sorted = Float64Array.from(latencies).sort();
      const at = (share) => sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))] ?? 0;
      const mean = sorted.reduce((sum, value) => sum + value, 0) / Math.max(1, sorted.length);
      resolve({
        requestsPerSecond: Math.round(result.requests.average),
        p50Ms: round(at(0.5)),
        p99Ms: round(at(0.99)),
        meanMs: round(mean, 3),
        total: result.requests.total,
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
        cpuMicrosPerRequest,
        // ms per second of the run that the process was ready to run but had no core
        runQueueMsPerSecond: Object.fromEntries(
          Object.entries(waited).map(([name, pid]) => {
            const now = runQueueMicrosOf(pid);
            const before = waitedBefore[name];
            const seconds = (performance.now() - startedAt) / 1000;
            return [
              name,
              now === undefined || before === undefined ? null : Math.round((now - before) / 1000 / seconds),
            ];
          }),
        ),
      });
    });
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
  });
}

/** The median of each figure over the rounds, and the error counts summed: one row of the report per path. */
function combine(name, runs) {
  const sum = (key) => runs.reduce((total, run) => total + run[key], 0);
  return {
    name,
    requestsPerSecond: Math.round(median(runs.map((run) => run.requestsPerSecond))),
    p50Ms: round(median(runs.map((run) => run.p50Ms))),
    p99Ms: round(median(runs.map((run) => run.p99Ms))),
    meanMs: round(median(runs.map((run) => run.meanMs)), 3),
    total: sum('total'),
    non2xx: sum('non2xx'),
    errors: sum('errors'),
    timeouts: sum('timeouts'),
  };
}

/** How a gateway did against the direct run of the same round. */
function versusDirect(direct, gateway) {
  return {
    directRps: direct.requestsPerSecond,
    gatewayRps: gateway.requestsPerSecond,
    directP99: direct.p99Ms,
    gatewayP99: gateway.p99Ms,
    directMean: direct.meanMs,
    gatewayMean: gateway.meanMs,
    overheadPercent: round(100 * (1 - gateway.requestsPerSecond / direct.requestsPerSecond), 1),
    p99Ratio: round(gateway.p99Ms / direct.p99Ms),
    meanRatio: round(gateway.meanMs / direct.meanMs),
    directUserCpuUs: direct.cpuMicrosPerRequest.user,
    directPostgresCpuUs: direct.cpuMicrosPerRequest.postgres,
    directLoadCpuUs: direct.cpuMicrosPerRequest.load,
    gatewayCpuUs: gateway.cpuMicrosPerRequest.gateway,
    gatewayUserCpuUs: gateway.cpuMicrosPerRequest.user,
    directUserRunQueueMs: direct.runQueueMsPerSecond.user,
    gatewayRunQueueMs: gateway.runQueueMsPerSecond.gateway,
    gatewayUserRunQueueMs: gateway.runQueueMsPerSecond.user,
  };
}

/**
 * Rounds over the targets (direct first, then each gateway), every other round in reverse order (ABBA for two), so
 * a drift in the machine's speed hits every side alike. Each round: the runs and each gateway's row against the
 * round's direct run.
 */
async function alternate(targets, run) {
  const rounds = [];
  for (let i = 0; i < ROUNDS; i++) {
    const runs = {};
    for (const target of i % 2 === 0 ? targets : [...targets].reverse()) runs[target.name] = await run(target);
    const rows = Object.fromEntries(
      targets.slice(1).map((target) => [target.name, versusDirect(runs.direct, runs[target.name])]),
    );
    rounds.push({ runs, rows });
    console.log(`[bench] gateway round ${i + 1}/${ROUNDS}: ${JSON.stringify(rows)}`);
  }
  return rounds;
}

// BENCH_GATEWAY_COMPARE='before=/path/to/another/checkout,…': gateways built in other checkouts (npx tsc -b there)
// measured in the same rounds, e.g. this branch against main; their figures go under `compared`.
const COMPARED = (process.env.BENCH_GATEWAY_COMPARE ?? '')
  .split(',')
  .filter(Boolean)
  .map((entry) => {
    const [name, dir] = entry.split('=');
    return { name, dir };
  });
const comparedChildren = [];

async function startGatewayBuild(dir, env) {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(dir, 'services', 'gateway', 'dist', 'server.js')], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  comparedChildren.push(child);
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(`gateway from ${dir} ready`, async () => (await fetch(`${url}/ready`)).ok);
  return { url, pid: child.pid };
}

try {
  const user = await startService('user', { DEMO_DATA: 'true' });
  const gatewayEnv = {
    USER_SERVICE_URLS: user.url,
    RATE_LIMIT_MAX: '1000000000',
    RATE_LIMIT_IP_MAX: '1000000000',
    SIGNUP_RATE_LIMIT_MAX: '1000000000',
  };
  const gateway = await startService('gateway', gatewayEnv);
  const baselineServer = await startBaselineProcess();
  const headers = { 'user-token': TOKEN };
  const targets = [
    { name: 'direct', url: `${user.url}/users/me`, pid: undefined },
    { name: 'gateway', url: `${gateway.url}/api/users/users/me`, pid: gateway.child.pid },
  ];
  for (const { name, dir } of COMPARED) {
    const other = await startGatewayBuild(dir, { ...gatewayEnv, KAFKA_TOPIC_PREFIX: `bench${runId}${name}.` });
    targets.push({ name, url: `${other.url}/api/users/users/me`, pid: other.pid });
  }

  for (const target of targets) await drive({ url: target.url, headers, duration: 2 }); // warm-up every path
  const baseline = summarize(
    'baseline: Fastify + Redis SET NX',
    await drive({ url: baselineServer.url, method: 'POST' }),
  );

  // Saturated, the paths measure which processes win this machine's two cores: through the gateway, a second Node
  // process parses and writes every request again on the same cores as the user service and autocannon.
  const postgres = backendsOf(`t_user_bench_${runId}`);
  const processesOf = (target) => ({ user: user.child.pid, gateway: target.pid, postgres, load: 'self' });
  const saturated = await alternate(targets, (target) => measure({ url: target.url, headers }, processesOf(target)));
  // Below saturation, at one fixed rate (half of what the user service managed direct), the difference is the time
  // the hop adds to a request.
  const rate = Math.max(50, Math.round(median(saturated.map((r) => r.runs.direct.requestsPerSecond)) / 2));
  const fixedRate = await alternate(targets, (target) =>
    measure({ url: target.url, headers, connections: 10, overallRate: rate }, processesOf(target)),
  );

  const medianOf = (rounds, name, key) => median(rounds.map((r) => r.rows[name][key]));
  const ratiosOf = (name) => ({
    // medians of the per-round ratios (each round's runs back to back)
    gatewayOverheadPercent: round(medianOf(saturated, name, 'overheadPercent'), 1),
    gatewayP99VsDirect: round(medianOf(saturated, name, 'p99Ratio')),
    fixedRatePerSecond: rate,
    gatewayP99VsDirectAtFixedRate: round(medianOf(fixedRate, name, 'p99Ratio')),
    gatewayMeanLatencyVsDirectAtFixedRate: round(medianOf(fixedRate, name, 'meanRatio')),
    gatewayAddedMeanLatencyMs: round(median(fixedRate.map((r) => r.runs[name].meanMs - r.runs.direct.meanMs)), 3),
    gatewayOverheadPercentAtFixedRate: round(medianOf(fixedRate, name, 'overheadPercent'), 1),
    // CPU per request (saturated): what the hop itself costs, next to what the service costs for the same request
    gatewayCpuMicrosPerRequest: medianOf(saturated, name, 'gatewayCpuUs'),
    userServiceCpuMicrosPerRequest: medianOf(saturated, name, 'directUserCpuUs'),
    postgresCpuMicrosPerRequest: medianOf(saturated, name, 'directPostgresCpuUs'),
    loadGeneratorCpuMicrosPerRequest: medianOf(saturated, name, 'directLoadCpuUs'),
    // saturated, per second of a run: how long the gateway, and the user service behind it, waited for a core
    gatewayRunQueueMsPerSecond: medianOf(saturated, name, 'gatewayRunQueueMs'),
    userServiceRunQueueMsPerSecondDirect: medianOf(saturated, name, 'directUserRunQueueMs'),
    // Saturated, every process shares the two cores, so the hop can cost no less than its share of all the CPU a
    // request takes: the overhead the saturated figure would show if nothing else changed.
    saturatedOverheadFloorPercent: round(
      median(
        saturated.map((r) => {
          const row = r.rows[name];
          const direct = row.directUserCpuUs + row.directPostgresCpuUs + row.directLoadCpuUs;
          return (100 * row.gatewayCpuUs) / (direct + row.gatewayCpuUs);
        }),
      ),
      1,
    ),
  });
  const runsOf = (rounds, name) => rounds.map((r) => r.runs[name]);
  writeResult('gateway-overhead', {
    rounds: ROUNDS,
    secondsPerRun: SECONDS,
    baseline,
    direct: combine(`GET /users/me, user service direct (median of ${ROUNDS})`, runsOf(saturated, 'direct')),
    viaGateway: combine(
      `GET /api/users/users/me through the gateway (median of ${ROUNDS})`,
      runsOf(saturated, 'gateway'),
    ),
    directAtRate: combine(`GET /users/me direct, fixed ${rate} req/s`, runsOf(fixedRate, 'direct')),
    gatewayAtRate: combine(`through the gateway, fixed ${rate} req/s`, runsOf(fixedRate, 'gateway')),
    perRound: {
      saturated: saturated.map((r) => r.rows.gateway),
      fixedRate: fixedRate.map((r) => r.rows.gateway),
    },
    ...(COMPARED.length > 0 && {
      compared: Object.fromEntries(COMPARED.map(({ name, dir }) => [name, { dir, ...ratiosOf(name) }])),
      comparedPerRound: Object.fromEntries(
        COMPARED.map(({ name }) => [
          name,
          { saturated: saturated.map((r) => r.rows[name]), fixedRate: fixedRate.map((r) => r.rows[name]) },
        ]),
      ),
    }),
    ratios: ratios(ratiosOf('gateway')),
  });
} finally {
  for (const child of comparedChildren) child.kill('SIGTERM');
  await stopAll();
}
