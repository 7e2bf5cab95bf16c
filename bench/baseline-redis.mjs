// The baseline every scenario is measured against, in the same run: a bare Fastify server whose one route does
// one ioredis `SET key 1 EX 300 NX` — what this machine and stack can do at most for a write that must be unique.
import Fastify from 'fastify';
import Redis from 'ioredis';
import { drive, summarize } from './lib.mjs';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:63799';

/** Starts the baseline server on a free loopback port. */
export async function startBaseline() {
  const redis = new Redis(REDIS_URL);
  const app = Fastify({ logger: false });
  let n = 0;
  const runId = Date.now().toString(36);
  app.post('/hold', async () => {
    const won = await redis.set(`bench:baseline:${runId}:${n++}`, '1', 'EX', 300, 'NX');
    return { ok: won === 'OK' };
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address();
  return {
    url: `http://127.0.0.1:${port}/hold`,
    async close() {
      await app.close();
      redis.disconnect();
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const baseline = await startBaseline();
  const result = summarize('baseline: Fastify + Redis SET NX', await drive({ url: baseline.url, method: 'POST' }));
  console.log(JSON.stringify(result, null, 2));
  await baseline.close();
}
