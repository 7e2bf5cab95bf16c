// Ticket payments per second under 100 concurrent users, beside the baseline (bench/baseline-redis.mjs) in the
// same run. The real queue, ticket and payment services run as processes from dist/ (build first) on fresh
// databases; every request pays a different held ticket of a different user (ACTIVE queue token, enough points),
// so each one does the whole job: ticket lookup, PENDING + debit, confirm, COMPLETED + outbox.
//   node bench/payment-ticket.mjs            (BENCH_PAYMENTS=2000 BENCH_SECONDS=10 to change the sizes)
import { randomUUID } from 'node:crypto';
import { startBaseline } from './baseline-redis.mjs';
import {
  CONNECTIONS,
  announceUsers,
  cleanUp,
  connect,
  drive,
  driveInTurn,
  inBatches,
  inTurn,
  json,
  ratios,
  startService,
  summarize,
  topicPrefix,
  waitUntil,
  writeResult,
} from './lib.mjs';

const PAYMENTS = Number(process.env.BENCH_PAYMENTS ?? 2000);
const PRICE = 1000;

async function main() {
  const { url: queue } = await startService('queue', {
    DEMO_DATA: 'false',
    QUEUE_MAX_ACTIVE: '1000000',
    QUEUE_ADMITTER_INTERVAL_MS: '20',
    USER_SERVICE_URL: 'http://127.0.0.1:9',
  });
  const { url: ticket } = await startService('ticket', {
    DEMO_DATA: 'false',
    QUEUE_SERVICE_URL: queue,
    USER_SERVICE_URL: 'http://127.0.0.1:9',
    REDIS_KEY_PREFIX: `${topicPrefix}ticket:`,
    SEAT_HOLD_TTL_SECONDS: '3600',
  });
  const { url: payment } = await startService('payment', {
    DEMO_DATA: 'false',
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
  await announceUsers(users);
  const asLast = { headers: { 'user-token': users.at(-1).token } };
  await waitUntil(
    'users in the payment and ticket replicas',
    async () =>
      (await json(`${payment}/points`, asLast)).status === 200 &&
      (await json(`${ticket}/tickets`, asLast)).status === 200,
    60_000,
  );

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
  const base = summarize('baseline: Fastify + Redis SET NX', await drive({ url: baseline.url, method: 'POST' }));
  await baseline.close();

  const started = Date.now();
  const windowStartUs = Number(process.hrtime.bigint() / 1000n); // for bench/cpuprofile-top.mjs --from/--to
  const result = await driveInTurn({
    url: `${payment}/payments`,
    amount: work.length,
    pick: inTurn(work),
    request: (job) => ({ headers: { authorization: `Bearer ${job.token}` }, body: { ticket_id: job.ticketId } }),
  });
  const seconds = (Date.now() - started) / 1000;
  const paymentWindowUs = [windowStartUs, Number(process.hrtime.bigint() / 1000n)];
  const pay = summarize(`ticket payments (POST /payments, ${CONNECTIONS} users)`, result);
  pay.paymentsPerSecond = Math.round(work.length / seconds);

  const db = await connect('payment');
  const { rows } = await db.query(`SELECT status, count(*)::int AS n FROM payments GROUP BY status`);
  await db.end();
  const report = {
    baseline: base,
    payments: pay,
    paymentStatuses: Object.fromEntries(rows.map((r) => [r.status, r.n])),
    ratio: +(pay.paymentsPerSecond / base.requestsPerSecond).toFixed(4),
    ratios: ratios({ paymentsVsBaseline: +(pay.paymentsPerSecond / base.requestsPerSecond).toFixed(4) }),
    paymentWindowUs,
  };
  writeResult('payment-ticket', report);
}

try {
  await main();
} finally {
  await cleanUp('queue', 'ticket', 'payment');
}
