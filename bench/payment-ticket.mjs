// Ticket payments per second under 100 concurrent users, beside the baseline (bench/baseline-redis.mjs) in the
// same run. The real queue, ticket and payment services run as processes from dist/ (build first) on fresh
// databases; every request pays a different held ticket of a different user (ACTIVE queue token, enough points),
// so each one does the whole job: ticket lookup, PENDING + debit, confirm, COMPLETED + outbox.
//   node bench/payment-ticket.mjs            (BENCH_PAYMENTS=2000 BENCH_SECONDS=10 to change the sizes)
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { drive, startBaseline, summarize } from './baseline-redis.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PG = process.env.TEST_POSTGRES_SERVER ?? 'postgres://postgres@127.0.0.1:54329';
const KAFKA = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const PAYMENTS = Number(process.env.BENCH_PAYMENTS ?? 2000);
const PRICE = 1000;
const run = randomBytes(4).toString('hex');
const prefix = `bench${run}.`;

const freePort = () =>
  new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

const children = [];
async function startService(name, env) {
  const port = await freePort();
  const nodeArgs = (process.env[`BENCH_NODE_ARGS_${name.toUpperCase()}`] ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, path.join(ROOT, 'services', name, 'dist', 'server.js')], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      DEMO_DATA: 'false',
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_BROKERS: KAFKA,
      DATABASE_URL: `${PG}/t_bench_${name}_${run}`,
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (
      await fetch(`${url}/ready`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return url;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${name} did not become ready`);
}

async function inBatches(items, size, work) {
  const out = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(work))));
  return out;
}

const json = async (url, options = {}) => {
  const response = await fetch(url, {
    ...options,
    headers: { 'content-type': 'application/json', ...options.headers },
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
};

async function main() {
  const queue = await startService('queue', {
    QUEUE_MAX_ACTIVE: '1000000',
    QUEUE_ADMITTER_INTERVAL_MS: '20',
    USER_SERVICE_URL: 'http://127.0.0.1:9',
  });
  const ticket = await startService('ticket', {
    QUEUE_SERVICE_URL: queue,
    USER_SERVICE_URL: 'http://127.0.0.1:9',
    REDIS_KEY_PREFIX: `${prefix}ticket:`,
    SEAT_HOLD_TTL_SECONDS: '3600',
  });
  const payment = await startService('payment', {
    QUEUE_SERVICE_URL: queue,
    TICKET_SERVICE_URL: ticket,
    USER_SERVICE_URL: 'http://127.0.0.1:9',
  });

  // users, announced as the user service would
  const users = Array.from({ length: PAYMENTS + 1 }, (_, i) => ({
    id: i + 1,
    token: randomUUID(),
    role: i === 0 ? 'admin' : 'user',
  }));
  const kafka = new Kafka({ clientId: 'bench', brokers: [KAFKA], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: `${prefix}user.users`, numPartitions: 3 }] }).catch(() => undefined);
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  for (let i = 0; i < users.length; i += 500) {
    await producer.send({
      topic: `${prefix}user.users`,
      messages: users.slice(i, i + 500).map((u) => ({
        key: String(u.id),
        value: JSON.stringify({
          id: randomUUID(),
          type: 'user.changed',
          version: 1,
          occurredAt: new Date().toISOString(),
          source: 'bench',
          aggregateType: 'user',
          aggregateId: String(u.id),
          aggregateVersion: 1,
          payload: {
            id: u.id,
            name: `u${u.id}`,
            role: u.role,
            accessTokenSha256: createHash('sha256').update(u.token).digest('hex'),
            deleted: false,
          },
        }),
      })),
    });
  }
  await producer.disconnect();
  const last = users.at(-1);
  for (const url of [payment, ticket]) {
    for (let i = 0; ; i++) {
      const probe =
        url === payment
          ? await json(`${url}/points`, { headers: { 'user-token': last.token } })
          : await json(`${url}/tickets`, { headers: { 'user-token': last.token } });
      if (probe.status === 200) break;
      if (i > 600) throw new Error('users never reached the replicas');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  // tokens, points, a showtime with one seat per buyer, one hold each
  const tokens = await inBatches(users, 50, async (u) => {
    const joined = await json(`${queue}/tokens`, {
      method: 'POST',
      headers: { 'user-token': u.token },
      body: JSON.stringify({ userId: u.id }),
    });
    for (;;) {
      const polled = await json(`${queue}/tokens`, { headers: { authorization: `Bearer ${joined.body.token}` } });
      if (polled.body?.status === 'ACTIVE') return joined.body.token;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
  const buyers = users.slice(1);
  await inBatches(buyers, 50, (u) =>
    json(`${payment}/points`, {
      method: 'POST',
      headers: { 'user-token': u.token },
      body: JSON.stringify({ point: PRICE, pointType: 'CHARGE' }),
    }),
  );
  const adminHeaders = { 'user-token': users[0].token };
  const concert = await json(`${ticket}/admin/concerts`, {
    method: 'POST',
    headers: adminHeaders,
    body: JSON.stringify({ name: 'Bench', performer: 'Bench' }),
  });
  const showtime = await json(`${ticket}/admin/concerts/${concert.body.id}/showtimes`, {
    method: 'POST',
    headers: adminHeaders,
    body: JSON.stringify({
      starts_at: '2047-10-21T19:00:00+09:00',
      venue: 'Bench Hall',
      seats: buyers.map((_, i) => ({ seat_no: `B${i + 1}`, price: PRICE })),
    }),
  });
  const seats = (
    await json(`${ticket}/concerts/${concert.body.id}/${showtime.body.id}`, {
      headers: { authorization: `Bearer ${tokens[0]}` },
    })
  ).body;
  const work = await inBatches(buyers, 50, async (u) => {
    const index = u.id - 2;
    const held = await json(`${ticket}/tickets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens[u.id - 1]}` },
      body: JSON.stringify({ showtime_id: showtime.body.id, seat_id: seats[index].id }),
    });
    if (held.status !== 201) throw new Error(`hold failed: ${JSON.stringify(held.body)}`);
    return { token: tokens[u.id - 1], ticketId: held.body.id };
  });

  // the same run: baseline, then ticket payments, 100 connections each
  const baseline = await startBaseline();
  const base = summarize(
    'baseline: Fastify + Redis SET NX',
    await drive({ url: baseline.url, duration: Number(process.env.BENCH_SECONDS ?? 10) }),
  );
  await baseline.close();

  let next = 0;
  const started = Date.now();
  const windowStartUs = Number(process.hrtime.bigint() / 1000n); // for bench/cpuprofile-top.mjs --from/--to
  const result = await new Promise((resolve, reject) =>
    autocannon(
      {
        url: `${payment}/payments`,
        connections: 100,
        amount: work.length,
        method: 'POST',
        requests: [
          {
            setupRequest: (request) => {
              const job = work[next++ % work.length];
              return {
                ...request,
                headers: { 'content-type': 'application/json', authorization: `Bearer ${job.token}` },
                body: JSON.stringify({ ticket_id: job.ticketId }),
              };
            },
          },
        ],
      },
      (error, res) => (error ? reject(error) : resolve(res)),
    ),
  );
  const seconds = (Date.now() - started) / 1000;
  const paymentWindowUs = [windowStartUs, Number(process.hrtime.bigint() / 1000n)];
  const pay = summarize('ticket payments (POST /payments, 100 users)', result);
  pay.paymentsPerSecond = Math.round(work.length / seconds);

  const db = new pg.Client({ connectionString: `${PG}/t_bench_payment_${run}` });
  await db.connect();
  const { rows } = await db.query(`SELECT status, count(*)::int AS n FROM payments GROUP BY status`);
  await db.end();
  const report = {
    baseline: base,
    payments: pay,
    paymentStatuses: Object.fromEntries(rows.map((r) => [r.status, r.n])),
    ratio: +(pay.paymentsPerSecond / base.requestsPerSecond).toFixed(4),
    paymentWindowUs,
  };
  mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(
    path.join(ROOT, 'bench', 'results', `payment-ticket-${new Date().toISOString().replace(/[:.]/g, '-')}.json`),
    JSON.stringify(report, null, 2),
  );
  console.log(JSON.stringify(report, null, 2));
}

try {
  await main();
} finally {
  children.forEach((child) => child.kill('SIGTERM'));
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const admin = new pg.Client({ connectionString: `${PG}/postgres` });
  await admin.connect();
  for (const name of ['queue', 'ticket', 'payment'])
    await admin.query(`DROP DATABASE IF EXISTS "t_bench_${name}_${run}" WITH (FORCE)`);
  await admin.end();
}
