// Gateway overhead: the same request (GET /users/me with a demo user's token) straight to the user service and
// through the gateway (GET /api/users/users/me), in one run, beside the baseline. Target: the gateway costs at most
// 10% of the direct throughput (gatewayOverheadPercent ≤ 10) and its p99 is at most 1.2 × the direct one.
//
// The machine is shared, so the two paths are measured in alternating rounds (direct, gateway, gateway, direct, …)
// and each figure is the median of the per-round ratios: load from elsewhere falls on both sides alike. Latencies
// are recorded per response to the microsecond (autocannon's own histogram rounds to whole milliseconds, too coarse
// for a 2 ms request). BENCH_GATEWAY_ROUNDS (default 5) rounds of BENCH_SECONDS (default 10) per path and mode.
import autocannon from 'autocannon';
import { SECONDS, drive, startBaselineProcess, startService, stopAll, summarize, writeResult } from './lib.mjs';

const TOKEN = '4a49145e-45a8-4845-af45-1af2a59bb044'; // demo user 10
const ROUNDS = Number(process.env.BENCH_GATEWAY_ROUNDS ?? 5);

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const round = (value, digits = 2) => Number(value.toFixed(digits));

/** One autocannon run with every 2xx latency kept, so percentiles are exact rather than whole milliseconds. */
function measure(options) {
  const latencies = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon({ connections: 100, duration: SECONDS, ...options }, (error, result) => {
      if (error) return reject(error);
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

/** Rounds of direct and gateway runs in ABBA order, so a drift in the machine's speed hits both sides alike. */
async function alternate(runDirect, runGateway) {
  const rounds = [];
  for (let i = 0; i < ROUNDS; i++) {
    let direct;
    let gateway;
    if (i % 2 === 0) {
      direct = await runDirect();
      gateway = await runGateway();
    } else {
      gateway = await runGateway();
      direct = await runDirect();
    }
    const row = {
      directRps: direct.requestsPerSecond,
      gatewayRps: gateway.requestsPerSecond,
      directP99: direct.p99Ms,
      gatewayP99: gateway.p99Ms,
      directMean: direct.meanMs,
      gatewayMean: gateway.meanMs,
      overheadPercent: round(100 * (1 - gateway.requestsPerSecond / direct.requestsPerSecond), 1),
      p99Ratio: round(gateway.p99Ms / direct.p99Ms),
      meanRatio: round(gateway.meanMs / direct.meanMs),
    };
    rounds.push({ row, direct, gateway });
    console.log(`[bench] gateway round ${i + 1}/${ROUNDS}: ${JSON.stringify(row)}`);
  }
  return rounds;
}

try {
  const user = await startService('user', { DEMO_DATA: 'true' });
  const gateway = await startService('gateway', {
    USER_SERVICE_URLS: user.url,
    RATE_LIMIT_MAX: '1000000000',
    RATE_LIMIT_IP_MAX: '1000000000',
    SIGNUP_RATE_LIMIT_MAX: '1000000000',
  });
  const baselineServer = await startBaselineProcess();
  const headers = { 'user-token': TOKEN };
  const directUrl = `${user.url}/users/me`;
  const gatewayUrl = `${gateway.url}/api/users/users/me`;

  await drive({ url: directUrl, headers, duration: 2 }); // warm-up both paths
  await drive({ url: gatewayUrl, headers, duration: 2 });
  const baseline = summarize(
    'baseline: Fastify + Redis SET NX',
    await drive({ url: baselineServer.url, method: 'POST' }),
  );

  // Saturated, the two paths measure which processes win this machine's two cores: through the gateway, a second
  // Node process parses and writes every request again on the same cores as the user service and autocannon.
  const saturated = await alternate(
    () => measure({ url: directUrl, headers }),
    () => measure({ url: gatewayUrl, headers }),
  );
  // Below saturation, at one fixed rate (half of what the user service managed direct), the difference is the time
  // the hop adds to a request.
  const rate = Math.max(50, Math.round(median(saturated.map((r) => r.direct.requestsPerSecond)) / 2));
  const atRate = (url) => () => measure({ url, headers, connections: 10, overallRate: rate });
  const fixedRate = await alternate(atRate(directUrl), atRate(gatewayUrl));

  const rows = (rounds) => rounds.map((r) => r.row);
  const medianOf = (rounds, key) => median(rounds.map((r) => r.row[key]));
  const direct = combine(
    `GET /users/me, user service direct (median of ${ROUNDS})`,
    saturated.map((r) => r.direct),
  );
  const viaGateway = combine(
    `GET /api/users/users/me through the gateway (median of ${ROUNDS})`,
    saturated.map((r) => r.gateway),
  );
  const directAtRate = combine(
    `GET /users/me direct, fixed ${rate} req/s`,
    fixedRate.map((r) => r.direct),
  );
  const gatewayAtRate = combine(
    `through the gateway, fixed ${rate} req/s`,
    fixedRate.map((r) => r.gateway),
  );
  writeResult('gateway-overhead', {
    rounds: ROUNDS,
    secondsPerRun: SECONDS,
    baseline,
    direct,
    viaGateway,
    directAtRate,
    gatewayAtRate,
    perRound: { saturated: rows(saturated), fixedRate: rows(fixedRate) },
    ratios: {
      // medians of the per-round ratios (each round's two runs back to back)
      gatewayOverheadPercent: round(medianOf(saturated, 'overheadPercent'), 1),
      gatewayP99VsDirect: round(medianOf(saturated, 'p99Ratio')),
      fixedRatePerSecond: rate,
      gatewayP99VsDirectAtFixedRate: round(medianOf(fixedRate, 'p99Ratio')),
      gatewayMeanLatencyVsDirectAtFixedRate: round(medianOf(fixedRate, 'meanRatio')),
      gatewayAddedMeanLatencyMs: round(median(fixedRate.map((r) => r.gateway.meanMs - r.direct.meanMs)), 3),
      gatewayOverheadPercentAtFixedRate: round(medianOf(fixedRate, 'overheadPercent'), 1),
    },
  });
} finally {
  await stopAll();
}
