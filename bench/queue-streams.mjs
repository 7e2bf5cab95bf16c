// Live waiting-room streams: 10,000 waiters each hold GET /tokens/stream open on ONE queue instance, then the room
// opens and admits them at a steady rate. Measured: the instance's memory per open stream, and the time from a
// user's admission (the admission script's own clock) to their client reading ACTIVE. Needs the infrastructure and
// a build (npx tsc -b tsconfig.build.json). Usage: node bench/queue-streams.mjs
//   BENCH_STREAMS (10,000), BENCH_ADMISSION_RATE (users per minute, 12,000)
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { announceUsers, cleanUp, connect, inBatches, json, startService, waitUntil, writeResult } from './lib.mjs';

const STREAMS = Number(process.env.BENCH_STREAMS ?? 10_000);
const RATE = Number(process.env.BENCH_ADMISSION_RATE ?? 12_000);
const SESSION_SECONDS = 600;

// 1. one queue instance; streams are its presence signal, so nobody is abandoned while the bench sets up
const { url } = await startService('queue', {
  DEMO_DATA: 'false',
  USER_SERVICE_URL: 'http://127.0.0.1:9',
  QUEUE_STREAM_MAX: String(STREAMS + 1_000),
  QUEUE_ABANDON_TTL_SECONDS: '3600',
});

// 2. the waiters and an operator, announced as the user service does
const users = Array.from({ length: STREAMS }, (_, i) => ({ id: i + 1, role: 'user', token: randomUUID() }));
const operator = { id: STREAMS + 1, role: 'admin', token: randomUUID() };
await announceUsers([...users, operator]);
const db = await connect('queue');
await waitUntil(
  'users in the replica',
  async () => (await db.query('SELECT count(*)::int AS n FROM users_replica')).rows[0].n === STREAMS + 1,
  300_000,
);
await db.end();

// 3. a room with room for everyone, admitting RATE a minute; paused while the line forms
const asOperator = { 'user-token': operator.token };
const created = await json(`${url}/admin/rooms`, {
  method: 'POST',
  headers: asOperator,
  body: JSON.stringify({
    name: 'bench sale',
    concertId: 1,
    maxActive: STREAMS,
    admissionRatePerMinute: RATE,
    sessionSeconds: SESSION_SECONDS,
    state: 'OPEN',
  }),
});
if (created.status !== 201) throw new Error(`room: ${created.status} ${JSON.stringify(created.body)}`);
const roomId = created.body.id;
async function roomAction(action) {
  const response = await fetch(`${url}/admin/rooms/${roomId}/${action}`, { method: 'POST', headers: asOperator });
  if (response.status !== 200) throw new Error(`${action}: ${response.status} ${await response.text()}`);
}
await roomAction('suspend');
const tokens = await inBatches(users, 100, async (user) => {
  const joined = await json(`${url}/tokens`, {
    method: 'POST',
    headers: { 'user-token': user.token },
    body: JSON.stringify({ userId: user.id, roomId }),
  });
  if (joined.status !== 201) throw new Error(`join: ${joined.status}`);
  return joined.body.token;
});

async function memory() {
  const text = await (await fetch(`${url}/metrics`)).text();
  const read = (name) => Number(new RegExp(`^${name}\\{[^}]*\\} ([0-9.e+]+)$`, 'm').exec(text)?.[1]);
  return { rss: read('process_resident_memory_bytes'), heap: read('nodejs_heap_size_used_bytes') };
}
const settle = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
await settle(3_000);
const before = await memory();

// 4. every waiter opens a stream, as EventSource would (one socket each)
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
const streams = [];
let errors = 0;
function openStream(token) {
  return new Promise((resolve) => {
    const stream = { events: 0, first: undefined, activeAt: undefined, activatedAt: undefined };
    streams.push(stream);
    const request = http.get(
      `${url}/tokens/stream`,
      { agent, headers: { accept: 'text/event-stream', authorization: `Bearer ${token}` } },
      (response) => {
        if (response.statusCode !== 200) {
          errors++;
          response.resume();
          resolve();
          return;
        }
        let buffer = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => {
          buffer += chunk;
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            if (!block.startsWith('data: ')) continue;
            stream.events++;
            // the client parses only what it needs, so its own work does not delay when it reads ACTIVE
            const active = block.includes('"status":"ACTIVE"');
            if (stream.first && !active) continue;
            const readAt = Date.now();
            const standing = JSON.parse(block.slice(6));
            if (!stream.first) {
              stream.first = standing;
              resolve();
            }
            if (active && stream.activeAt === undefined) {
              stream.activeAt = readAt;
              // the admission script set ACTIVE's end to its own now + the session: its admission instant
              stream.activatedAt = Date.parse(standing.expiresAt) - SESSION_SECONDS * 1000;
            }
          }
        });
        response.on('error', () => undefined);
      },
    );
    request.on('error', () => {
      errors++;
      resolve();
    });
  });
}
const openStarted = Date.now();
await inBatches(tokens, 500, openStream);
const openSeconds = (Date.now() - openStarted) / 1000;
await settle(5_000);
const withStreams = await memory();
const open = streams.filter((stream) => stream.first).length;

// 5. the sale opens: RATE admissions a minute while every other waiter's place is pushed as it moves
const admittedFrom = Date.now();
await roomAction('open');
await waitUntil(
  'every stream ACTIVE',
  async () => streams.every((stream) => stream.activeAt !== undefined || !stream.first),
  ((STREAMS / RATE) * 60 + 120) * 1000,
);
const admissionSeconds = (Date.now() - admittedFrom) / 1000;
const latencies = streams
  .filter((stream) => stream.activeAt !== undefined)
  .map((stream) => stream.activeAt - stream.activatedAt)
  .sort((a, b) => a - b);
const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
const events = streams.reduce((sum, stream) => sum + stream.events, 0);

agent.destroy();
await cleanUp('queue');

const mb = (bytes) => +(bytes / 1024 / 1024).toFixed(1);
writeResult('queue-streams', {
  streams: { asked: STREAMS, open, errors, openedInSeconds: +openSeconds.toFixed(1) },
  memory: {
    rssBeforeMb: mb(before.rss),
    rssWithStreamsMb: mb(withStreams.rss),
    heapBeforeMb: mb(before.heap),
    heapWithStreamsMb: mb(withStreams.heap),
    rssPerWaiterKb: +((withStreams.rss - before.rss) / open / 1024).toFixed(1),
    heapPerWaiterKb: +((withStreams.heap - before.heap) / open / 1024).toFixed(1),
  },
  admission: {
    ratePerMinute: RATE,
    admitted: latencies.length,
    seconds: +admissionSeconds.toFixed(1),
    eventsReceived: events,
    eventsPerStream: +(events / open).toFixed(1),
  },
  admissionToActiveMs: { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: latencies.at(-1) },
});
process.exit(errors > 0 || latencies.length !== open ? 1 : 0);
