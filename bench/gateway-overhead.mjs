// Gateway overhead: the same request (GET /users/me with a demo user's token) straight to the user service and
// through the gateway (GET /api/users/users/me), beside the baseline, in one run. Target: ≤ 15% overhead.
import { drive, startBaselineProcess, startService, stopAll, summarize, writeResult } from './lib.mjs';

const TOKEN = '4a49145e-45a8-4845-af45-1af2a59bb044'; // demo user 10

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

  await drive({ url: `${gateway.url}/api/users/users/me`, headers, duration: 2 }); // warm-up both paths
  const baseline = summarize(
    'baseline: Fastify + Redis SET NX',
    await drive({ url: baselineServer.url, method: 'POST' }),
  );
  const direct = summarize('GET /users/me, user service direct', await drive({ url: `${user.url}/users/me`, headers }));
  const viaGateway = summarize(
    'GET /api/users/users/me through the gateway',
    await drive({ url: `${gateway.url}/api/users/users/me`, headers }),
  );

  // Saturated, the two paths above measure which processes win this machine's two cores: through the gateway, a
  // second Node process parses and writes every request again on the same cores. Below saturation, at one fixed
  // rate (half of what the user service managed direct), the difference is the time the hop adds to a request.
  const rate = Math.max(50, Math.round(direct.requestsPerSecond / 2));
  const atRate = async (name, url) => {
    const result = await drive({ url, headers, connections: 10, overallRate: rate });
    return { ...summarize(name, result), meanMs: Number(result.latency.average.toFixed(2)) };
  };
  const directAtRate = await atRate(`GET /users/me direct, fixed ${rate} req/s`, `${user.url}/users/me`);
  const gatewayAtRate = await atRate(`through the gateway, fixed ${rate} req/s`, `${gateway.url}/api/users/users/me`);

  writeResult('gateway-overhead', {
    baseline,
    direct,
    viaGateway,
    directAtRate,
    gatewayAtRate,
    ratios: {
      gatewayThroughputVsDirect: Number((viaGateway.requestsPerSecond / direct.requestsPerSecond).toFixed(3)),
      gatewayOverheadPercent: Number((100 * (1 - viaGateway.requestsPerSecond / direct.requestsPerSecond)).toFixed(1)),
      gatewayP99VsDirect: Number((viaGateway.p99Ms / Math.max(1, direct.p99Ms)).toFixed(2)),
      fixedRatePerSecond: rate,
      gatewayAddedMeanLatencyMs: Number((gatewayAtRate.meanMs - directAtRate.meanMs).toFixed(2)),
      gatewayMeanLatencyOverheadPercent: Number((100 * (gatewayAtRate.meanMs / directAtRate.meanMs - 1)).toFixed(1)),
    },
  });
} finally {
  await stopAll();
}
