// Ticket bench: 10,000 clients (each with its own ACTIVE waiting-room token) racing for the 1,000 seats of one
// showtime, beside the Fastify + Redis SET NX baseline in the same run; then 10,000 one-ticket reservations on a
// 1,000-ticket event. Needs the infrastructure (scripts/infra.sh up) and a build (npx tsc -b tsconfig.build.json).
// Usage: node bench/ticket-hold-storm.mjs   (BENCH_SECONDS, BENCH_USERS, BENCH_SEATS, BENCH_LOCKS=false,
// BENCH_TWO_INSTANCES=false to change). Also runs the storm again with two ticket instances (1 vs 2, same run).
// Profiling: BENCH_NODE_ARGS_TICKET='--cpu-prof --cpu-prof-dir=/tmp/prof' gives only the (first) ticket process those
// node flags (NODE_OPTIONS refuses --cpu-prof); the report's stormWindowUs (monotonic µs) feeds bench/cpuprofile-top.mjs.
import { randomUUID } from 'node:crypto';
import {
  announceUsers,
  cleanUp,
  codes,
  connect,
  drive,
  driveInTurn,
  inTurn,
  ratios,
  startBaselineProcess,
  startService,
  summarize,
  topicPrefix,
  waitUntil,
  writeResult,
} from './lib.mjs';

const USERS = Number(process.env.BENCH_USERS ?? 10_000);
const SEATS = Number(process.env.BENCH_SEATS ?? 1_000);
const LOCKS = process.env.BENCH_LOCKS ?? 'true';
/** Every ticket instance shares the first one's database, Redis keys and topics. */
const ticketEnv = (queueUrl) => ({
  DEMO_DATA: 'false',
  USER_SERVICE_URL: 'http://127.0.0.1:9',
  QUEUE_SERVICE_URL: queueUrl,
  REDIS_KEY_PREFIX: `${topicPrefix}ticket:`,
  SEAT_HOLD_TTL_SECONDS: '3600',
  SEAT_LOCKS_ENABLED: LOCKS,
});

try {
  // 1. the queue and ticket services as real processes, on their own databases, topics and Redis keys
  const { url: queueUrl } = await startService('queue', {
    DEMO_DATA: 'false',
    USER_SERVICE_URL: 'http://127.0.0.1:9',
    QUEUE_MAX_ACTIVE: String(USERS * 2),
    QUEUE_ACTIVE_TTL_SECONDS: '3600',
  });
  const { url: ticketUrl } = await startService('ticket', ticketEnv(queueUrl));

  // 2. users (id 1 is an admin), announced as the user service does, until both replicas have them
  const users = Array.from({ length: USERS + 1 }, (_, i) => ({
    id: i + 1,
    role: i === 0 ? 'admin' : 'user',
    token: randomUUID(),
  }));
  const [admin, ...clients] = users;
  await announceUsers(users);
  const tdb = await connect('ticket');
  const countOf = async (sql, params) => (await tdb.query(sql, params)).rows[0].n;
  const heldTicketsOf = (showtimeId) =>
    countOf(`SELECT count(*)::int AS n FROM tickets WHERE showtime_id = $1 AND status = 'HELD'`, [showtimeId]);
  /** Seats with more than one HELD or SOLD ticket, over every showtime. */
  const doubleHeldSeats = () =>
    countOf(
      `SELECT count(*)::int AS n FROM (SELECT seat_id FROM tickets WHERE status IN ('HELD', 'SOLD') GROUP BY seat_id HAVING count(*) > 1) d`,
    );
  const qdb = await connect('queue');
  for (const db of [tdb, qdb]) {
    await waitUntil(
      'users in the replicas',
      async () => (await db.query('SELECT count(*)::int AS n FROM users_replica')).rows[0].n === users.length,
    );
  }

  // 3. every client joins the waiting room once (all admitted: QUEUE_MAX_ACTIVE is above the crowd)
  const tokens = [];
  await driveInTurn({
    url: `${queueUrl}/tokens`,
    amount: clients.length,
    pick: inTurn(clients),
    request: (user) => ({ headers: { 'user-token': user.token }, body: { userId: user.id } }),
    onResponse: (status, body) => {
      if (status === 201) tokens.push(JSON.parse(body).token);
    },
  });
  await waitUntil('tokens ACTIVE', async () => {
    const polled = await fetch(`${queueUrl}/tokens`, { headers: { authorization: `Bearer ${tokens.at(-1)}` } });
    return (await polled.json()).status === 'ACTIVE';
  });
  // A real drop admits users a few at a time; here 10,000 admissions arrive at once, so wait until the ticket
  // service's token replica has them all (how long that takes is a figure of its own: consumer throughput).
  const joinedAt = Date.now();
  await waitUntil('token replica caught up in the ticket service', async () => {
    const { rows } = await tdb.query("SELECT count(*)::int AS n FROM queue_tokens_replica WHERE status = 'ACTIVE'");
    return rows[0].n >= tokens.length;
  });
  const tokenReplicaCatchUpSeconds = (Date.now() - joinedAt) / 1000;

  // 4. a showtime of SEATS seats
  const adminHeaders = { 'content-type': 'application/json', 'user-token': admin.token };
  const concert = await (
    await fetch(`${ticketUrl}/admin/concerts`, {
      method: 'POST',
      headers: adminHeaders,
      body: JSON.stringify({ name: 'Bench Live', performer: 'The Crowd' }),
    })
  ).json();
  const showtimeResponse = await fetch(`${ticketUrl}/admin/concerts/${concert.id}/showtimes`, {
    method: 'POST',
    headers: adminHeaders,
    body: JSON.stringify({
      starts_at: '2047-10-21T19:00:00+09:00',
      venue: 'Bench Arena',
      seats: Array.from({ length: SEATS }, (_, i) => ({ seat_no: `B${i + 1}`, price: 50_000 })),
    }),
  });
  const showtime = await showtimeResponse.json();
  if (showtimeResponse.status !== 201) throw new Error(`showtime: ${JSON.stringify(showtime)}`);
  const seatIds = (await tdb.query('SELECT id FROM seats WHERE showtime_id = $1 ORDER BY id', [showtime.id])).rows.map(
    (row) => row.id,
  );

  // 5. every client loads the seat map once before the storm (as a real client must, to pick a seat); this also
  // takes each token's first-sight cost (signature check, status lookup) out of the storm itself
  const warmStarted = Date.now();
  const warmUp = await driveInTurn({
    method: 'GET',
    url: `${ticketUrl}/concerts/${concert.id}/${showtime.id}`,
    amount: tokens.length,
    pick: inTurn(tokens),
    request: (token) => ({ headers: { authorization: `Bearer ${token}` } }),
  });
  const warmSeconds = (Date.now() - warmStarted) / 1000;

  // 6. the baseline, its own process, same run and connections
  const baseline = await startBaselineProcess();
  const baselineResult = await drive({ url: baseline.url, method: 'POST' });
  await baseline.stop();

  // 7. the storm: client i (round robin over all tokens) tries a random seat
  const stormStartUs = Number(process.hrtime.bigint() / 1000n);
  const storm = await driveInTurn({
    url: `${ticketUrl}/tickets`,
    pick: inTurn(tokens),
    request: (token) => ({
      headers: { authorization: `Bearer ${token}` },
      body: { showtime_id: showtime.id, seat_id: seatIds[Math.floor(Math.random() * seatIds.length)] },
    }),
  });
  const stormWindowUs = [stormStartUs, Number(process.hrtime.bigint() / 1000n)];
  const holds = await heldTicketsOf(showtime.id);
  const heldSeats = await countOf(`SELECT count(*)::int AS n FROM seats WHERE showtime_id = $1 AND status = 'HELD'`, [
    showtime.id,
  ]);
  const doubleHolds = await doubleHeldSeats();

  // 7b. the same storm on a fresh showtime with TWO ticket instances (same database, Redis prefix and topics),
  // each driven by half the connections: what a second instance buys on this machine (BENCH_TWO_INSTANCES=false skips)
  let twoInstances;
  if (process.env.BENCH_TWO_INSTANCES !== 'false') {
    // profiled (BENCH_NODE_ARGS_TICKET) is the first instance only
    const { url: secondTicketUrl } = await startService('ticket', ticketEnv(queueUrl), { nodeArgs: [] });
    const second = await (
      await fetch(`${ticketUrl}/admin/concerts/${concert.id}/showtimes`, {
        method: 'POST',
        headers: adminHeaders,
        body: JSON.stringify({
          starts_at: '2047-10-22T19:00:00+09:00',
          venue: 'Bench Arena',
          seats: Array.from({ length: SEATS }, (_, i) => ({ seat_no: `C${i + 1}`, price: 50_000 })),
        }),
      })
    ).json();
    const secondSeats = (
      await tdb.query('SELECT id FROM seats WHERE showtime_id = $1 ORDER BY id', [second.id])
    ).rows.map((row) => row.id);
    // every token meets the second instance once too, as it met the first in the warm-up
    await driveInTurn({
      method: 'GET',
      url: `${secondTicketUrl}/concerts/${concert.id}/${second.id}`,
      amount: tokens.length,
      pick: inTurn(tokens),
      request: (token) => ({ headers: { authorization: `Bearer ${token}` } }),
    });
    const nextToken = inTurn(tokens); // one sequence across both instances
    const stormOn = (url) =>
      driveInTurn({
        url: `${url}/tickets`,
        connections: 50,
        pick: nextToken,
        request: (token) => ({
          headers: { authorization: `Bearer ${token}` },
          body: { showtime_id: second.id, seat_id: secondSeats[Math.floor(Math.random() * secondSeats.length)] },
        }),
      });
    const [one, two] = await Promise.all([stormOn(ticketUrl), stormOn(secondTicketUrl)]);
    const heldTwo = await heldTicketsOf(second.id);
    const doubleTwo = await doubleHeldSeats();
    const combined = summarize('POST /tickets storm, two ticket instances (50 connections each)', one);
    combined.requestsPerSecond = Math.round(one.requests.average + two.requests.average);
    combined.p99Ms = Math.max(one.latency.p99, two.latency.p99);
    combined.p50Ms = Math.max(one.latency.p50, two.latency.p50);
    combined.total = one.requests.total + two.requests.total;
    combined.non2xx = one.non2xx + two.non2xx;
    combined.errors = one.errors + two.errors;
    twoInstances = {
      storm: combined,
      holds: {
        created201: (codes(one)['201'] ?? 0) + (codes(two)['201'] ?? 0),
        heldTicketsInPostgres: heldTwo,
        doubleHolds: doubleTwo,
      },
    };
  }

  // 8. 10,000 one-ticket reservations (USER-TOKEN, round robin over the users) on a 1,000-ticket event
  const event = await (
    await fetch(`${ticketUrl}/events`, {
      method: 'POST',
      headers: adminHeaders,
      body: JSON.stringify({ name: 'Bench GA', description: 'b', date: '2047-01-01T00:00:00Z', availability: SEATS }),
    })
  ).json();
  const reservations = await driveInTurn({
    url: `${ticketUrl}/reservations`,
    amount: clients.length,
    pick: inTurn(clients),
    request: (user) => ({ headers: { 'user-token': user.token }, body: { event_id: event.id, no_of_tickets: 1 } }),
  });
  const stock = (
    await tdb.query(
      `SELECT e.availability, (SELECT COALESCE(sum(no_of_tickets), 0)::int FROM reservations r WHERE r.ga_event_id = e.id AND NOT cancelled) AS reserved FROM ga_events e WHERE id = $1`,
      [event.id],
    )
  ).rows[0];
  await tdb.end();
  await qdb.end();

  const base = summarize('baseline: Fastify + Redis SET NX (own process)', baselineResult);
  const stormSummary = {
    ...summarize(`POST /tickets storm (Redis fast path ${LOCKS === 'false' ? 'off' : 'on'})`, storm),
    statusCodes: codes(storm),
  };
  const report = {
    clients: clients.length,
    tokensIssued: tokens.length,
    seats: SEATS,
    stormWindowUs,
    tokenReplicaCatchUpSeconds,
    seatMapWarmUp: {
      ...summarize('GET seat map, once per client, before the storm', warmUp),
      statusCodes: codes(warmUp),
      seconds: warmSeconds,
    },
    baseline: base,
    storm: stormSummary,
    ...(twoInstances && { twoInstances }),
    holds: {
      created201: codes(storm)['201'] ?? 0,
      heldTicketsInPostgres: holds,
      heldSeatsInPostgres: heldSeats,
      doubleHolds,
    },
    reservations: {
      ...summarize('POST /reservations, 10,000 × 1 ticket on 1,000', reservations),
      statusCodes: codes(reservations),
      availabilityAfter: stock.availability,
      liveReserved: stock.reserved,
    },
    ratios: ratios({
      stormThroughputVsBaseline: +(stormSummary.requestsPerSecond / base.requestsPerSecond).toFixed(2),
      stormP99VsBaseline: +(stormSummary.p99Ms / base.p99Ms).toFixed(2),
      reservationsVsBaseline: +(reservations.requests.average / base.requestsPerSecond).toFixed(3),
      tokenReplicaCatchUpSeconds,
      ...(twoInstances && {
        twoInstancesStormVsBaseline: +(twoInstances.storm.requestsPerSecond / base.requestsPerSecond).toFixed(2),
        twoInstancesVsOne: +(twoInstances.storm.requestsPerSecond / stormSummary.requestsPerSecond).toFixed(2),
      }),
    }),
  };
  writeResult('ticket-hold-storm', report);
} finally {
  await cleanUp('queue', 'ticket');
}
process.exit(0);
