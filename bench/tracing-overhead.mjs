// Tracing overhead (issue 17): one path, GET /api/users/users/me through the gateway to the user service (a token
// looked up, one answer), on two pairs of processes in the same run: one with tracing off (no OpenTelemetry loaded),
// one exporting over OTLP (http/protobuf, the default) to a receiver in this process with 10% of traces sampled
// (OTEL_TRACES_SAMPLER_ARG=0.1), and for reference a third with every trace sampled. Target: tracing at 10% costs
// at most 5% of the throughput (tracingOverheadPercent ≤ 5).
//
// The machine is shared, so the variants are measured in alternating rounds (off, 10%, all, then the reverse, …)
// and each figure is the median of the per-round ratios. CPU per request of the two processes (from /proc) is the
// steadier figure: it hardly moves with what else the machine is doing. BENCH_TRACING_ROUNDS (default 5) rounds of
// BENCH_SECONDS (default 10) per variant.
import { createServer } from 'node:http';
import {
  cpuMicrosOf,
  drive,
  median,
  ratios,
  round,
  SECONDS,
  startService,
  stopAll,
  summarize,
  writeResult,
} from './lib.mjs';

const TOKEN = '4a49145e-45a8-4845-af45-1af2a59bb044'; // demo user 10
const ROUNDS = Number(process.env.BENCH_TRACING_ROUNDS ?? 5);

/** An OTLP/HTTP endpoint that takes every export and counts it, as a collector would (without storing it). */
async function startReceiver() {
  const received = { exports: 0, bytes: 0 };
  const server = createServer((request, response) => {
    request.on('data', (chunk) => (received.bytes += chunk.length));
    request.on('end', () => {
      received.exports++;
      response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, received, close: () => server.close() };
}

/** The user service and a gateway in front of it, with `env` (tracing settings) for both. */
async function startPair(name, env) {
  const user = await startService('user', { DEMO_DATA: 'true', ...env });
  const gateway = await startService('gateway', {
    USER_SERVICE_URLS: user.url,
    RATE_LIMIT_MAX: '1000000000',
    RATE_LIMIT_IP_MAX: '1000000000',
    SIGNUP_RATE_LIMIT_MAX: '1000000000',
    ...env,
  });
  return { name, url: `${gateway.url}/api/users/users/me`, pids: [user.child.pid, gateway.child.pid] };
}

/** One saturated run of a variant: throughput, latency, and the CPU its two processes spent per request. */
async function run(variant) {
  const before = variant.pids.map(cpuMicrosOf);
  const result = await drive({ url: variant.url, headers: { 'user-token': TOKEN } });
  const used = variant.pids.reduce((sum, pid, i) => sum + (cpuMicrosOf(pid) - before[i]), 0);
  return {
    ...summarize(variant.name, result),
    cpuMicrosPerRequest: Math.round(used / Math.max(1, result.requests.total)),
  };
}

const receiver = await startReceiver();
try {
  const traced = (ratio) => ({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_TRACES_SAMPLER_ARG: String(ratio) });
  const variants = [
    await startPair('off', {}),
    await startPair('sampled10', traced(0.1)),
    await startPair('sampledAll', traced(1)),
  ];
  for (const variant of variants) await drive({ url: variant.url, headers: { 'user-token': TOKEN }, duration: 2 });

  const rounds = [];
  for (let i = 0; i < ROUNDS; i++) {
    const runs = {};
    for (const variant of i % 2 === 0 ? variants : [...variants].reverse()) runs[variant.name] = await run(variant);
    const versusOff = (name) => ({
      overheadPercent: round(100 * (1 - runs[name].requestsPerSecond / runs.off.requestsPerSecond), 1),
      cpuOverheadPercent: round(100 * (runs[name].cpuMicrosPerRequest / runs.off.cpuMicrosPerRequest - 1), 1),
      p99Ratio: round(runs[name].p99Ms / Math.max(1, runs.off.p99Ms)),
    });
    rounds.push({ runs, sampled10: versusOff('sampled10'), sampledAll: versusOff('sampledAll') });
    console.log(`[bench] tracing round ${i + 1}/${ROUNDS}: ${JSON.stringify(rounds.at(-1))}`);
  }

  const medianOf = (variant, key) => round(median(rounds.map((r) => r[variant][key])), key === 'p99Ratio' ? 2 : 1);
  const combined = (name) => ({
    name: `GET /api/users/users/me through the gateway, tracing ${name} (median of ${ROUNDS})`,
    requestsPerSecond: Math.round(median(rounds.map((r) => r.runs[name].requestsPerSecond))),
    p50Ms: median(rounds.map((r) => r.runs[name].p50Ms)),
    p99Ms: median(rounds.map((r) => r.runs[name].p99Ms)),
    cpuMicrosPerRequest: Math.round(median(rounds.map((r) => r.runs[name].cpuMicrosPerRequest))),
    non2xx: rounds.reduce((sum, r) => sum + r.runs[name].non2xx, 0),
    errors: rounds.reduce((sum, r) => sum + r.runs[name].errors, 0),
  });
  writeResult('tracing-overhead', {
    rounds: ROUNDS,
    secondsPerRun: SECONDS,
    tracingOff: combined('off'),
    tracingSampled10: combined('sampled10'),
    tracingSampledAll: combined('sampledAll'),
    exported: { ...receiver.received },
    perRound: rounds.map(({ sampled10, sampledAll }) => ({ sampled10, sampledAll })),
    ratios: ratios({
      tracingOverheadPercent: medianOf('sampled10', 'overheadPercent'),
      tracingCpuOverheadPercent: medianOf('sampled10', 'cpuOverheadPercent'),
      tracingP99VsOff: medianOf('sampled10', 'p99Ratio'),
      tracingAllSampledOverheadPercent: medianOf('sampledAll', 'overheadPercent'),
      tracingAllSampledCpuOverheadPercent: medianOf('sampledAll', 'cpuOverheadPercent'),
    }),
  });
} finally {
  await stopAll();
  receiver.close();
}
