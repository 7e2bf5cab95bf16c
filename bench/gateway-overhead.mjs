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

  writeResult('gateway-overhead', {
    baseline,
    direct,
    viaGateway,
    ratios: {
      gatewayThroughputVsDirect: Number((viaGateway.requestsPerSecond / direct.requestsPerSecond).toFixed(3)),
      gatewayOverheadPercent: Number((100 * (1 - viaGateway.requestsPerSecond / direct.requestsPerSecond)).toFixed(1)),
      gatewayP99VsDirect: Number((viaGateway.p99Ms / Math.max(1, direct.p99Ms)).toFixed(2)),
    },
  });
} finally {
  await stopAll();
}
