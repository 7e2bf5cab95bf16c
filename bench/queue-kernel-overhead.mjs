// How much of the polling gap is the kernel's (createApp: request ids, metrics, hooks) rather than the queue's:
// the baseline's route on a kernel app beside the bare baseline, alternating, all in this one process.
import { createRequire } from 'node:module';
import autocannon from 'autocannon';
import Redis from 'ioredis';
const require = createRequire(new URL('../services/queue/package.json', import.meta.url));
const { createApp } = require('@boxoffice/http');
const { startBaseline } = await import('./baseline-redis.mjs');
const app = await createApp({ name: 'probe', logLevel: 'warn' });
const redis = new Redis('redis://127.0.0.1:63799');
let n = 0;
const run = Date.now().toString(36);
app.post('/hold', async () => ({ ok: (await redis.set(`bench:probe:${run}:${n++}`, '1', 'EX', 300, 'NX')) === 'OK' }));
await app.listen({ host: '127.0.0.1', port: 0 });
const kernelUrl = `http://127.0.0.1:${app.server.address().port}/hold`;
const base = await startBaseline();
const drive = (url) =>
  new Promise((res, rej) =>
    autocannon({ url, method: 'POST', connections: 100, duration: 5 }, (e, r) =>
      e ? rej(e) : res(Math.round(r.requests.average)),
    ),
  );
for (let i = 0; i < 3; i++)
  console.log(`kernel app + SET NX: ${await drive(kernelUrl)} req/s | bare baseline: ${await drive(base.url)} req/s`);
await app.close();
await base.close();
redis.disconnect();
