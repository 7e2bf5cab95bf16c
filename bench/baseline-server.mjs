// The Fastify + Redis SET NX baseline (bench/baseline-redis.mjs) in a process of its own, so it gets a core of its
// own like the service it is compared with. Prints {"url": ...} when listening.
import { startBaseline } from './baseline-redis.mjs';

const baseline = await startBaseline();
console.log(JSON.stringify({ url: baseline.url }));
process.on('SIGTERM', async () => {
  await baseline.close();
  process.exit(0);
});
