import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { createHmac, randomUUID } from 'node:crypto';
import pg from 'pg';
import { SignJWT, generateKeyPair, importJWK, type JWK } from 'jose';
import { startStack, waitFor, type Stack, type StackService } from '@boxoffice/testing';
import { publicPathFor, type ServiceName } from '../../services/gateway/src/domain/route-table';

/**
 * The access matrix (issue 9): every guarded route of every service, against the whole stack as real processes on
 * real PostgreSQL, Redis and Kafka. The list of routes comes from each service's /openapi.json and from the route
 * files (hidden /internal and callback routes are not in the documents); a route found there and missing from ROUTES
 * fails the test, so a new route cannot ship without saying who may call it.
 *
 * - every bad credential (missing, malformed, forged, expired, alg none, HS256 with the public key, a token that has
 *   ended) → 401, on each service's own port, and missing/forged again through the gateway;
 * - admin routes with a valid non-admin USER-TOKEN → 403; concert routes with a WAITING queue token → 403;
 * - another user's reservation, ticket, order, alarm, payment, notification → 404 with the body a missing id gets;
 * - GET / on the user service shows access tokens only on the caller's row (all of them for the admin).
 *
 * Expired queue JWTs: the queue service keeps its Ed25519 key pair in its own database (signing_keys, see
 * docs/waiting-room.md); the test reads it from there and signs a token for a real, ACTIVE token id whose `exp` is
 * in the past. The same key signing the same claims with a future `exp` is accepted (control), so the 401 is the
 * expiry and nothing else. Forged ones are signed with a fresh key of the test's own under the real `kid`.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const DEMO_TOKEN = (id: number) => `0b8f4c2e-6a55-4a3c-9d4e-2f1f6c0a${String(id).padStart(4, '0')}`;
const ADMIN = { id: 1, token: DEMO_TOKEN(1) };
const ALICE = { id: 2, token: DEMO_TOKEN(2) };
const BOB = { id: 3, token: DEMO_TOKEN(3) };
const CAROL = { id: 4, token: DEMO_TOKEN(4) };
const DAVE = { id: 5, token: DEMO_TOKEN(5) };
const INTERNAL_TOKEN = 'dev-internal-token-change-me'; // the stack runs with the defaults
const CARD_GATEWAY_SECRET = 'dev-card-gateway-secret-change-me';
const MISSING_UUID = '00000000-0000-4000-8000-000000000000';

type Guard =
  | 'public'
  | 'user' // USER-TOKEN
  | 'admin' // USER-TOKEN of an admin
  | 'adminOrInternal' // USER-TOKEN of an admin, or the peers' x-internal-token
  | 'userOrInternal' // USER-TOKEN (the use-case then limits what a user may do), or x-internal-token
  | 'activeQueue' // an ACTIVE waiting-room JWT
  | 'userOrQueueHolder' // USER-TOKEN, or any validly signed waiting-room JWT (a paid user's token has ended)
  | 'queueJwt' // the queue service's own GET /tokens: a validly signed JWT in any status
  | 'internal' // x-internal-token only
  | 'signature'; // the card gateway's HMAC

interface Fixture {
  concertId: number;
  showtimeId: number;
  freeSeatId: number;
  eventId: string;
  itemId: number;
  aliceTicketId: string;
  alicePaymentId: string;
  aliceReservationId: string;
  aliceOrderId: string;
  carolHeldTicketId: string;
}

interface RouteSpec {
  guard: Guard;
  /** The concrete path to call (params filled with real ids, so only the credential can be wrong). */
  path: (f: Fixture) => string;
  body?: (f: Fixture) => unknown;
  /** Not registered yet in every tree (being built); checked when present. */
  optional?: boolean;
}

const showtimeBody = {
  starts_at: '2047-10-21T19:00:00+09:00',
  venue: 'Matrix Hall',
  seats: [{ seat_no: 'M1', price: 1_000 }],
};
const eventBody = { name: 'Matrix', description: 'access test', date: '2047-10-21T09:00:00Z', availability: 5 };
const itemBody = { name: 'Matrix item', broadcaster: 'B', category: 'C', price: 100, stock: 1 };

/** Every route of every service (gateway aside: it proxies), keyed as in the OpenAPI documents. */
const ROUTES: Record<Exclude<StackService, 'gateway'>, Record<string, RouteSpec>> = {
  user: {
    'GET /': { guard: 'user', path: () => '/' },
    'GET /visit': { guard: 'user', path: () => '/visit' },
    'GET /users/me': { guard: 'user', path: () => '/users/me' },
    'GET /users/{id}': { guard: 'user', path: () => `/users/${BOB.id}` },
    'POST /users': { guard: 'public', path: () => '/users' },
    'POST /login': { guard: 'public', path: () => '/login' },
    'GET /internal/snapshot/users': { guard: 'internal', path: () => '/internal/snapshot/users?limit=2' },
  },
  item: {
    'GET /': { guard: 'user', path: () => '/' },
    'GET /internal/items': { guard: 'internal', path: (f) => `/internal/items?ids=${f.itemId}` },
    'GET /internal/snapshot/items': { guard: 'internal', path: () => '/internal/snapshot/items?limit=2' },
    'GET /{item_id}': { guard: 'user', path: (f) => `/${f.itemId}` },
    'POST /': { guard: 'admin', path: () => '/', body: () => itemBody },
    'PATCH /{item_id}': { guard: 'admin', path: (f) => `/${f.itemId}`, body: () => ({ price: 100 }) },
    'DELETE /{item_id}': { guard: 'admin', path: (f) => `/${f.itemId}` },
    'GET /{item_id}/broadcasts': { guard: 'user', path: (f) => `/${f.itemId}/broadcasts` },
    'POST /{item_id}/broadcasts': {
      guard: 'admin',
      path: (f) => `/${f.itemId}/broadcasts`,
      body: () => ({ channel: 'cjmall', startsAt: '2047-10-21T09:00:00Z', endsAt: '2047-10-21T10:00:00Z' }),
    },
    'DELETE /{item_id}/broadcasts/{slot_id}': { guard: 'admin', path: (f) => `/${f.itemId}/broadcasts/1` },
    'POST /api/inventory/lock': {
      guard: 'adminOrInternal',
      path: () => '/api/inventory/lock',
      body: (f) => ({ orderId: randomUUID(), items: [{ productId: f.itemId, quantity: 1 }] }),
    },
  },
  alarm: {
    'POST /': { guard: 'user', path: () => '/', body: (f) => ({ item_id: f.itemId }) },
    'GET /': { guard: 'user', path: () => '/' },
    'GET /ids': { guard: 'user', path: () => '/ids' },
    'GET /{item_id}': { guard: 'user', path: (f) => `/${f.itemId}` },
    'DELETE /': { guard: 'user', path: () => '/', body: (f) => ({ item_id: f.itemId }) },
    'POST /api/notification/send': {
      guard: 'userOrInternal',
      optional: true,
      path: () => '/api/notification/send',
      body: () => ({ userId: BOB.id, notificationType: 'email', subject: 'hi', message: 'matrix' }),
    },
    'GET /api/notifications': { guard: 'user', optional: true, path: () => '/api/notifications' },
  },
  queue: {
    'POST /tokens': { guard: 'user', path: () => '/tokens', body: () => ({ userId: BOB.id }) },
    'GET /tokens': { guard: 'queueJwt', path: () => '/tokens' },
    'GET /tokens/stream': { guard: 'queueJwt', path: () => '/tokens/stream' },
    'GET /.well-known/jwks.json': { guard: 'public', path: () => '/.well-known/jwks.json' },
    'GET /rooms': { guard: 'public', path: () => '/rooms' },
    'GET /rooms/{room_id}': { guard: 'public', path: () => '/rooms/default' },
    'POST /admin/rooms': {
      guard: 'admin',
      path: () => '/admin/rooms',
      body: () => ({ name: 'Matrix sale', concertId: 9_999, maxActive: 1 }),
    },
    'GET /admin/rooms': { guard: 'admin', path: () => '/admin/rooms' },
    'GET /admin/rooms/{room_id}': { guard: 'admin', path: () => '/admin/rooms/default' },
    'PATCH /admin/rooms/{room_id}': {
      guard: 'admin',
      path: () => '/admin/rooms/default',
      body: () => ({ maxActive: 1 }),
    },
    'POST /admin/rooms/{room_id}/open': { guard: 'admin', path: () => '/admin/rooms/default/open' },
    'POST /admin/rooms/{room_id}/suspend': { guard: 'admin', path: () => '/admin/rooms/default/suspend' },
    'POST /admin/rooms/{room_id}/close': { guard: 'admin', path: () => '/admin/rooms/default/close' },
  },
  ticket: {
    'POST /admin/concerts': {
      guard: 'admin',
      path: () => '/admin/concerts',
      body: () => ({ name: 'Matrix', performer: 'Nobody' }),
    },
    'POST /admin/concerts/{concert_id}/showtimes': {
      guard: 'admin',
      path: (f) => `/admin/concerts/${f.concertId}/showtimes`,
      body: () => showtimeBody,
    },
    'GET /concerts': { guard: 'activeQueue', path: () => '/concerts' },
    'GET /concerts/{concert_id}': { guard: 'activeQueue', path: (f) => `/concerts/${f.concertId}` },
    'GET /concerts/{concert_id}/{showtime_id}': {
      guard: 'activeQueue',
      path: (f) => `/concerts/${f.concertId}/${f.showtimeId}`,
    },
    'POST /tickets': {
      guard: 'activeQueue',
      path: () => '/tickets',
      body: (f) => ({ showtime_id: f.showtimeId, seat_id: f.freeSeatId }),
    },
    'GET /tickets': { guard: 'userOrQueueHolder', path: () => '/tickets' },
    'GET /tickets/{ticket_id}': { guard: 'userOrQueueHolder', path: (f) => `/tickets/${f.aliceTicketId}` },
    'DELETE /tickets/{ticket_id}': { guard: 'userOrQueueHolder', path: (f) => `/tickets/${f.carolHeldTicketId}` },
    'POST /tickets/{ticket_id}/cancel': { guard: 'user', path: (f) => `/tickets/${f.aliceTicketId}/cancel` },
    'POST /admin/showtimes/{showtime_id}/cancel': {
      guard: 'admin',
      path: (f) => `/admin/showtimes/${f.showtimeId}/cancel`,
    },
    'POST /events': { guard: 'admin', path: () => '/events', body: () => eventBody },
    'GET /events': { guard: 'user', path: () => '/events' },
    'GET /events/{id}': { guard: 'user', path: (f) => `/events/${f.eventId}` },
    'PATCH /events/{id}': {
      guard: 'admin',
      path: (f) => `/events/${f.eventId}`,
      body: () => ({ name: 'Renamed by nobody' }),
    },
    'DELETE /events/{id}': { guard: 'admin', path: (f) => `/events/${f.eventId}` },
    'POST /reservations': {
      guard: 'user',
      path: () => '/reservations',
      body: (f) => ({ event_id: f.eventId, no_of_tickets: 1 }),
    },
    'GET /reservations': { guard: 'user', path: () => '/reservations' },
    'GET /reservations/{id}': { guard: 'user', path: (f) => `/reservations/${f.aliceReservationId}` },
    'PATCH /reservations/{id}': {
      guard: 'user',
      path: (f) => `/reservations/${f.aliceReservationId}`,
      body: () => ({ no_of_tickets: 2 }),
    },
    'DELETE /reservations/{id}': { guard: 'user', path: (f) => `/reservations/${f.aliceReservationId}` },
    'GET /internal/tickets/{ticket_id}': { guard: 'internal', path: (f) => `/internal/tickets/${f.aliceTicketId}` },
    'POST /internal/tickets/{ticket_id}/confirm': {
      guard: 'internal',
      path: (f) => `/internal/tickets/${f.carolHeldTicketId}/confirm`,
      body: () => ({ paymentId: randomUUID(), userId: CAROL.id }),
    },
    'POST /internal/payments/{payment_id}/confirm': {
      guard: 'internal',
      path: () => `/internal/payments/${randomUUID()}/confirm`,
      body: () => ({ userId: CAROL.id, ticketIds: [randomUUID()] }),
    },
  },
  payment: {
    'POST /payments': {
      guard: 'activeQueue',
      path: () => '/payments',
      body: (f) => ({ ticket_id: f.carolHeldTicketId }),
    },
    'GET /payments/{payment_id}': { guard: 'userOrQueueHolder', path: (f) => `/payments/${f.alicePaymentId}` },
    'GET /payment_history': { guard: 'userOrQueueHolder', path: () => '/payment_history' },
    'POST /points': { guard: 'user', path: () => '/points', body: () => ({ point: 1, pointType: 'CHARGE' }) },
    'GET /points': { guard: 'user', path: () => '/points' },
    'GET /point_history': { guard: 'user', path: () => '/point_history' },
    'POST /api/orders/create': {
      guard: 'user',
      path: () => '/api/orders/create',
      body: (f) => ({ orderAmount: 0, items: [{ productId: f.itemId, quantity: 1 }] }),
    },
    'POST /api/payment/process': {
      guard: 'user',
      path: () => '/api/payment/process',
      body: (f) => ({ orderId: f.aliceOrderId, paymentMethod: 'points' }),
    },
    'GET /api/orders/{orderId}': { guard: 'user', path: (f) => `/api/orders/${f.aliceOrderId}` },
    'GET /api/orders': { guard: 'user', path: () => '/api/orders' },
    'POST /api/orders/{orderId}/cancel': { guard: 'user', path: (f) => `/api/orders/${f.aliceOrderId}/cancel` },
    'POST /api/payment/callback': {
      guard: 'signature',
      path: () => '/api/payment/callback',
      body: () => ({
        authorizationId: randomUUID(),
        reference: randomUUID(),
        status: 'approved',
        declineCode: null,
        amount: 100,
      }),
    },
  },
};

/** Routes every service has from the kernel (@boxoffice/http): health, readiness, metrics, its document. */
const KERNEL_ROUTES = new Set(['GET /health', 'GET /ready', 'GET /metrics', 'GET /openapi.json']);

interface Credential {
  name: string;
  headers: () => Record<string, string>;
}

interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of many shapes, checked by the assertions
  body: any;
  text: string;
}

let stack: Stack;
let f: Fixture;
const jwt = {} as Record<
  'aliceEnded' | 'bob' | 'carol' | 'daveWaiting' | 'forged' | 'expired' | 'control' | 'algNone' | 'hs256',
  string
>;

async function call(
  base: string,
  method: string,
  url: string,
  headers: Record<string, string> = {},
  body?: unknown,
): Promise<Answer> {
  const response = await fetch(`${base}${url}`, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  let parsed: Answer['body'] = {};
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch {
    parsed = {};
  }
  return { status: response.status, body: parsed, text };
}
const on = (service: StackService) => (method: string, url: string, headers?: Record<string, string>, body?: unknown) =>
  call(stack.url(service), method, url, headers, body);
const user = (u: { token: string }) => ({ 'user-token': u.token });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The bad credentials each guard must refuse with 401. */
function badCredentials(guard: Guard): Credential[] {
  const userCases: Credential[] = [
    { name: 'no credentials', headers: () => ({}) },
    { name: 'malformed USER-TOKEN', headers: () => ({ 'user-token': 'not-a-token' }) },
    { name: 'forged USER-TOKEN (well-formed, nobody has it)', headers: () => ({ 'user-token': randomUUID() }) },
    { name: 'a queue JWT where a USER-TOKEN is due', headers: () => bearer(jwt.bob) },
  ];
  const jwtCases: Credential[] = [
    { name: 'no credentials', headers: () => ({}) },
    { name: 'malformed JWT', headers: () => bearer('not.a.jwt') },
    { name: 'garbage Authorization', headers: () => ({ authorization: 'Basic Ym9iOmJvYg==' }) },
    { name: 'forged JWT (another key, real kid)', headers: () => bearer(jwt.forged) },
    { name: 'forged JWT in QUEUE-TOKEN', headers: () => ({ 'queue-token': jwt.forged }) },
    { name: 'expired JWT (the queue key, exp in the past)', headers: () => bearer(jwt.expired) },
    { name: 'alg: none', headers: () => bearer(jwt.algNone) },
    { name: 'HS256 keyed with the public key', headers: () => bearer(jwt.hs256) },
  ];
  const internal: Credential[] = [
    { name: 'no x-internal-token', headers: () => ({}) },
    { name: 'wrong x-internal-token', headers: () => ({ 'x-internal-token': 'dev-internal-token-change-mE' }) },
  ];
  switch (guard) {
    case 'user':
    case 'admin':
      return userCases;
    case 'adminOrInternal':
    case 'userOrInternal':
      return [
        ...userCases,
        { name: 'wrong x-internal-token', headers: () => ({ 'x-internal-token': 'not the internal token' }) },
      ];
    case 'activeQueue':
      return [
        ...jwtCases,
        { name: 'a USER-TOKEN where an ACTIVE queue token is due', headers: () => user(BOB) },
        { name: 'a token that has ended (its user paid)', headers: () => bearer(jwt.aliceEnded) },
      ];
    case 'userOrQueueHolder':
      return [...userCases.slice(0, 3), ...jwtCases.slice(1)];
    case 'queueJwt':
      return jwtCases;
    case 'internal':
      return internal;
    case 'signature':
      return [
        { name: 'no signature', headers: () => ({}) },
        {
          name: 'signature with another secret',
          headers: () => ({ 'x-gateway-signature': `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}` }),
        },
      ];
    case 'public':
      return [];
  }
}

function expectErrorBody(answer: Answer, status: number, context: string): void {
  expect({ context, status: answer.status }).toEqual({ context, status });
  expect(answer.body.errors).toEqual(
    expect.objectContaining({ code: expect.any(String), message: expect.any(String), detail: expect.any(Array) }),
  );
  expect(answer.text).not.toMatch(/\bat .+\.(js|ts):\d+/); // never a stack trace
}

/** A body with a given id replaced, to compare "someone else's X" with "missing X". */
const shape = (answer: Answer, id: string | number) => answer.text.split(String(id)).join('<id>');

beforeAll(async () => {
  stack = await startStack({ env: { queue: { QUEUE_MAX_ACTIVE: '2' }, ticket: { SEAT_HOLD_TTL_SECONDS: '600' } } });
  const queue = on('queue');
  const ticket = on('ticket');
  const payment = on('payment');

  // the waiting room: Alice and Bob ACTIVE, Carol and Dave WAITING behind them
  const tokens: Record<number, string> = {};
  for (const who of [ALICE, BOB, CAROL, DAVE]) {
    const joined = await waitFor(
      `user ${who.id} joins`,
      async () => {
        const answer = await queue('POST', '/tokens', user(who), { userId: who.id });
        return answer.status === 201 ? answer : undefined;
      },
      { timeoutMs: 30_000 },
    );
    tokens[who.id] = joined.body.token as string;
  }
  for (const who of [ALICE, BOB])
    await waitFor(
      `user ${who.id} ACTIVE`,
      async () => (await queue('GET', '/tokens', bearer(tokens[who.id]!))).body.status === 'ACTIVE',
    );

  // the queue's own key, from its database, for tokens that only an expiry can make invalid
  const queueDb = new pg.Client({ connectionString: stack.instances.get('queue')![0]!.env.DATABASE_URL });
  await queueDb.connect();
  const { rows } = await queueDb.query<{ kid: string; public_jwk: JWK; private_jwk: JWK }>(
    'SELECT kid, public_jwk, private_jwk FROM signing_keys ORDER BY created_at DESC LIMIT 1',
  );
  await queueDb.end();
  const { kid, public_jwk: publicJwk, private_jwk: privateJwk } = rows[0]!;
  const bobClaims = JSON.parse(Buffer.from(tokens[BOB.id]!.split('.')[1]!, 'base64url').toString()) as {
    sub: string;
    jti: string;
    iss: string;
  };
  const claims = () =>
    new SignJWT({}).setIssuer(bobClaims.iss).setSubject(bobClaims.sub).setJti(bobClaims.jti).setIssuedAt();
  const realKey = await importJWK(privateJwk, 'EdDSA');
  const ownKey = (await generateKeyPair('EdDSA')).privateKey;
  const now = Math.floor(Date.now() / 1000);
  jwt.bob = tokens[BOB.id]!;
  jwt.expired = await claims()
    .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'JWT' })
    .setExpirationTime(now - 60)
    .sign(realKey);
  jwt.control = await claims()
    .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'JWT' })
    .setExpirationTime(now + 3_600)
    .sign(realKey);
  jwt.forged = await claims()
    .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'JWT' })
    .setExpirationTime(now + 3_600)
    .sign(ownKey);
  jwt.hs256 = await claims()
    .setProtectedHeader({ alg: 'HS256', kid, typ: 'JWT' })
    .setExpirationTime(now + 3_600)
    .sign(new TextEncoder().encode(JSON.stringify(publicJwk)));
  jwt.algNone = `${b64({ alg: 'none', typ: 'JWT', kid })}.${b64({ iss: bobClaims.iss, sub: bobClaims.sub, jti: bobClaims.jti, iat: now, exp: now + 3_600 })}.`;
  jwt.daveWaiting = tokens[DAVE.id]!;

  // Alice holds a seat and pays for it: her token ends, which admits Carol; Carol then holds a seat
  const concerts = await ticket('GET', '/concerts', bearer(tokens[ALICE.id]!));
  const concertId = (concerts.body as { id: number }[])[0]!.id;
  const showtimes = (await ticket('GET', `/concerts/${concertId}`, bearer(tokens[ALICE.id]!))).body as { id: number }[];
  const showtimeId = showtimes[0]!.id;
  const seats = (await ticket('GET', `/concerts/${concertId}/${showtimeId}`, bearer(tokens[ALICE.id]!))).body as {
    id: number;
    status: string;
    price: number;
  }[];
  const free = seats.filter((seat) => seat.status === 'AVAILABLE');
  const aliceHold = await ticket('POST', '/tickets', bearer(tokens[ALICE.id]!), {
    showtime_id: showtimeId,
    seat_id: free[0]!.id,
  });
  expect(aliceHold.status).toBe(201);
  expect((await payment('POST', '/points', user(ALICE), { point: free[0]!.price, pointType: 'CHARGE' })).status).toBe(
    200,
  );
  const paid = await payment('POST', '/payments', bearer(tokens[ALICE.id]!), { ticket_id: aliceHold.body.id });
  expect(paid.status).toBe(201);
  jwt.aliceEnded = tokens[ALICE.id]!;
  await waitFor(
    'Carol admitted',
    async () => (await queue('GET', '/tokens', bearer(tokens[CAROL.id]!))).body.status === 'ACTIVE',
  );
  jwt.carol = tokens[CAROL.id]!;
  const carolHold = await waitFor('Carol holds a seat', async () => {
    const answer = await ticket('POST', '/tickets', bearer(jwt.carol), {
      showtime_id: showtimeId,
      seat_id: free[1]!.id,
    });
    return answer.status === 201 ? answer : undefined;
  });

  // Alice's reservation, order and alarm
  const events = (await ticket('GET', '/events', user(ALICE))).body as { id: string }[];
  const eventId = events[0]!.id;
  const reservation = await ticket('POST', '/reservations', user(ALICE), { event_id: eventId, no_of_tickets: 1 });
  expect(reservation.status).toBe(201);
  const item = (await on('item')('GET', '/', user(ALICE))).body.payload as { id: number; price: number }[];
  const itemId = item[0]!.id;
  const order = await waitFor('Alice orders', async () => {
    const answer = await payment('POST', '/api/orders/create', user(ALICE), {
      orderAmount: item[0]!.price,
      items: [{ productId: itemId, quantity: 1 }],
    });
    return answer.status === 201 ? answer : undefined;
  });
  expect((await on('alarm')('POST', '/', user(ALICE), { item_id: itemId })).status).toBe(201);

  f = {
    concertId,
    showtimeId,
    freeSeatId: free[2]!.id,
    eventId,
    itemId,
    aliceTicketId: aliceHold.body.id as string,
    alicePaymentId: paid.body.id as string,
    aliceReservationId: reservation.body.id as string,
    aliceOrderId: order.body.orderId as string,
    carolHeldTicketId: carolHold.body.id as string,
  };
}, 300_000);

afterAll(async () => {
  await stack?.stop();
});

/** METHOD /path of every route registered in a service's route files (hidden ones included), OpenAPI-style. */
function routesInSource(service: string): string[] {
  const dir = path.join(ROOT, 'services', service, 'src', 'routes');
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.ts'))) {
    const source = readFileSync(path.join(dir, file), 'utf8');
    for (const match of source.matchAll(/app\.(get|post|put|patch|delete)\(\s*'([^']+)'/g)) {
      found.push(`${match[1]!.toUpperCase()} ${match[2]!.replace(/:([A-Za-z_]+)/g, '{$1}')}`);
    }
  }
  return found;
}

describe('the access matrix covers every route', () => {
  it('when the services document or register a route, then ROUTES says which guard protects it, and the document agrees', async () => {
    const problems: string[] = [];
    for (const [service, table] of Object.entries(ROUTES) as [
      Exclude<StackService, 'gateway'>,
      Record<string, RouteSpec>,
    ][]) {
      const document = (await on(service)('GET', '/openapi.json')).body as {
        paths: Record<string, Record<string, { security?: Record<string, string[]>[] }>>;
      };
      const documented = new Map<string, string[]>();
      for (const [route, operations] of Object.entries(document.paths)) {
        for (const [method, operation] of Object.entries(operations)) {
          documented.set(
            `${method.toUpperCase()} ${route}`,
            (operation.security ?? []).flatMap((entry) => Object.keys(entry)).sort(),
          );
        }
      }
      for (const key of new Set([...documented.keys(), ...routesInSource(service)])) {
        if (KERNEL_ROUTES.has(key)) continue;
        if (!table[key]) problems.push(`${service} ${key}: not in the access matrix`);
      }
      for (const [key, spec] of Object.entries(table)) {
        const security = documented.get(key);
        if (!security) {
          if (!spec.optional && !['internal', 'signature'].includes(spec.guard))
            problems.push(`${service} ${key}: in the matrix, not in /openapi.json`);
          continue;
        }
        const expected: Record<Guard, string[]> = {
          public: [],
          user: ['userToken'],
          admin: ['userToken'],
          adminOrInternal: ['userToken'],
          userOrInternal: ['userToken'],
          activeQueue: ['queueToken'],
          userOrQueueHolder: ['queueToken', 'userToken'],
          queueJwt: ['queueToken'],
          internal: [],
          signature: [],
        };
        if (JSON.stringify(security) !== JSON.stringify(expected[spec.guard]))
          problems.push(
            `${service} ${key}: documented security ${JSON.stringify(security)}, matrix guard ${spec.guard}`,
          );
      }
    }
    expect(problems).toEqual([]);
  });
});

// One row per route and bad credential, each asserted separately so a failure names its cell.
const cells = (Object.entries(ROUTES) as [Exclude<StackService, 'gateway'>, Record<string, RouteSpec>][]).flatMap(
  ([service, table]) =>
    Object.entries(table).flatMap(([key, spec]) =>
      badCredentials(spec.guard).map((credential) => ({ service, key, spec, credential })),
    ),
);

describe('bad credentials → 401 on every guarded route, on each service', () => {
  it.each(cells.map((cell) => [`${cell.service} ${cell.key}`, cell.credential.name, cell] as const))(
    'when %s is called with %s, then 401 in the SPEC error body',
    async (_route, _credential, { service, key, spec, credential }) => {
      const [method] = key.split(' ');
      const answer = await on(service)(method!, spec.path(f), credential.headers(), spec.body?.(f));
      if (spec.optional && answer.status === 404 && answer.body.errors?.code === 'ROUTE_NOT_FOUND') return; // not built in this tree
      expectErrorBody(answer, 401, `${service} ${key} with ${credential.name}`);
    },
  );
});

describe('through the gateway', () => {
  // the gateway's own route table says what is public; /internal stays private to the network
  const publicPath = (service: string, servicePath: string) => publicPathFor(service as ServiceName, servicePath);
  const routed = cells.filter((cell) =>
    [
      'no credentials',
      'forged USER-TOKEN (well-formed, nobody has it)',
      'forged JWT (another key, real kid)',
      'no signature',
    ].includes(cell.credential.name),
  );

  it.each(routed.map((cell) => [`${cell.service} ${cell.key}`, cell.credential.name, cell] as const))(
    'when %s is called through the gateway with %s, then 401 as well',
    async (_route, _credential, { service, key, spec, credential }) => {
      const url = publicPath(service, spec.path(f));
      if (!url) return;
      const [method] = key.split(' ');
      const answer = await call(stack.gatewayUrl, method!, url, credential.headers(), spec.body?.(f));
      if (spec.optional && answer.status === 404) return;
      expectErrorBody(answer, 401, `gateway ${method} ${url} with ${credential.name}`);
    },
  );

  it("when a client sends the peers' x-internal-token through the gateway, then it is dropped: no admin-or-peer route opens", async () => {
    const headers = { 'x-internal-token': INTERNAL_TOKEN };
    const lock = await call(stack.gatewayUrl, 'POST', '/api/inventory/lock', headers, {
      orderId: randomUUID(),
      items: [{ productId: f.itemId, quantity: 1 }],
    });
    expectErrorBody(lock, 401, 'gateway inventory lock with the internal token');
    const direct = await on('item')('POST', '/api/inventory/lock', headers, {
      orderId: randomUUID(),
      items: [{ productId: f.itemId, quantity: 1 }],
    });
    expect(direct.status).toBe(200); // the token is right: only the gateway refuses to pass it on
    const internal = await call(stack.gatewayUrl, 'GET', `/tickets/../internal/tickets/${f.aliceTicketId}`, headers);
    expect([401, 404]).toContain(internal.status);
  });
});

describe('valid credentials that are not allowed', () => {
  const adminCells = (
    Object.entries(ROUTES) as [Exclude<StackService, 'gateway'>, Record<string, RouteSpec>][]
  ).flatMap(([service, table]) =>
    Object.entries(table)
      .filter(([, spec]) => spec.guard === 'admin' || spec.guard === 'adminOrInternal')
      .map(([key, spec]) => ({ service, key, spec })),
  );

  it.each(adminCells.map((cell) => [`${cell.service} ${cell.key}`, cell] as const))(
    'when a non-admin calls the admin route %s, then 403 and nothing changes',
    async (_route, { service, key, spec }) => {
      const [method] = key.split(' ');
      expectErrorBody(
        await on(service)(method!, spec.path(f), user(BOB), spec.body?.(f)),
        403,
        `${service} ${key} as a user`,
      );
    },
  );

  it('when the admin routes refused a user, then the event and the item are untouched', async () => {
    const event = await on('ticket')('GET', `/events/${f.eventId}`, user(BOB));
    expect(event.status).toBe(200);
    expect(event.body.name).not.toBe('Renamed by nobody');
    expect((await on('item')('GET', `/${f.itemId}`, user(BOB))).status).toBe(200);
  });

  const concertRoutes = Object.entries(ROUTES.ticket)
    .filter(([, spec]) => spec.guard === 'activeQueue')
    .map(([key, spec]) => ({ service: 'ticket' as const, key, spec }));
  const waitingCells = [
    ...concertRoutes,
    { service: 'payment' as const, key: 'POST /payments', spec: ROUTES.payment['POST /payments']! },
  ];
  it.each(waitingCells.map((cell) => [`${cell.service} ${cell.key}`, cell] as const))(
    'when a WAITING queue token calls %s, then 403 WaitingInQueue',
    async (_route, { service, key, spec }) => {
      const [method] = key.split(' ');
      const answer = await on(service)(method!, spec.path(f), bearer(jwt.daveWaiting), spec.body?.(f));
      expectErrorBody(answer, 403, `${service} ${key} while WAITING`);
      expect(answer.body.errors!.detail).toEqual([expect.objectContaining({ error: 'WaitingInQueue' })]);
    },
  );

  it('when a JWT is signed with the queue key and has not expired (control for the expired case), then it is accepted', async () => {
    expect((await on('ticket')('GET', '/concerts', bearer(jwt.control))).status).toBe(200);
    expect((await on('queue')('GET', '/tokens', bearer(jwt.control))).status).toBe(200);
  });

  it("when Bob asks for a queue token in Alice's name, then 403", async () => {
    expectErrorBody(await on('queue')('POST', '/tokens', user(BOB), { userId: ALICE.id }), 403, 'join as someone else');
  });

  it('when a user sends a notification to another user, then 403 (an admin may)', async () => {
    const send = (who: { token: string }) =>
      on('alarm')('POST', '/api/notification/send', user(who), {
        userId: ALICE.id,
        notificationType: 'email',
        subject: 'hi',
        message: 'matrix',
      });
    const asBob = await send(BOB);
    if (asBob.status === 404 && asBob.body.errors?.code === 'ROUTE_NOT_FOUND') return; // not built in this tree
    expectErrorBody(asBob, 403, 'notify another user');
    expect((await send({ token: ADMIN.token })).status).toBe(200);
  });
});

describe("someone else's resource answers exactly like a missing one (404, no existence leak)", () => {
  const expectSameAsMissing = (
    theirs: Answer,
    missing: Answer,
    theirId: string | number,
    missingId: string | number,
    context: string,
  ) => {
    expectErrorBody(theirs, 404, context);
    expectErrorBody(missing, 404, `${context} (missing id)`);
    expect(shape(theirs, theirId)).toBe(shape(missing, missingId));
  };
  /** `method` on `pathOf(theirId)` answers as on `pathOf(MISSING_UUID)`, for the same caller and body. */
  const expectHiddenLikeMissing = async (
    call: ReturnType<typeof on>,
    method: string,
    pathOf: (id: string) => string,
    theirId: string,
    headers: Record<string, string>,
    context: string,
    body?: unknown,
  ) => {
    const theirs = await call(method, pathOf(theirId), headers, body);
    const missing = await call(method, pathOf(MISSING_UUID), headers, body);
    expectSameAsMissing(theirs, missing, theirId, MISSING_UUID, context);
  };

  it("when Bob reads, changes or cancels Alice's reservation, then 404 like a missing one, and it is untouched", async () => {
    const ticket = on('ticket');
    for (const [method, body] of [['GET'], ['PATCH', { no_of_tickets: 3 }], ['DELETE']] as const) {
      const reservation = (id: string) => `/reservations/${id}`;
      await expectHiddenLikeMissing(
        ticket,
        method,
        reservation,
        f.aliceReservationId,
        user(BOB),
        `${method} reservation`,
        body,
      );
    }
    const mine = await ticket('GET', `/reservations/${f.aliceReservationId}`, user(ALICE));
    expect(mine.body).toMatchObject({ no_of_tickets: 1, cancelled: false });
    expect(((await ticket('GET', '/reservations', user(BOB))).body as { id: string }[]).map((r) => r.id)).not.toContain(
      f.aliceReservationId,
    );
  });

  it("when Bob reads Alice's ticket (USER-TOKEN or his queue token), then 404 like a missing one; his list leaves it out", async () => {
    const ticket = on('ticket');
    for (const headers of [user(BOB), bearer(jwt.bob)]) {
      await expectHiddenLikeMissing(ticket, 'GET', (id) => `/tickets/${id}`, f.aliceTicketId, headers, 'GET ticket');
    }
    const cancelPath = (id: string) => `/tickets/${id}/cancel`;
    await expectHiddenLikeMissing(ticket, 'POST', cancelPath, f.aliceTicketId, user(BOB), 'cancel ticket');
    expect(((await ticket('GET', '/tickets', user(BOB))).body as { id: string }[]).map((t) => t.id)).not.toContain(
      f.aliceTicketId,
    );
  });

  it("when Bob releases Carol's held ticket (USER-TOKEN or his queue token), then 404 like a missing one; it stays HELD", async () => {
    const ticket = on('ticket');
    for (const headers of [user(BOB), bearer(jwt.bob)]) {
      const ticketPath = (id: string) => `/tickets/${id}`;
      await expectHiddenLikeMissing(ticket, 'DELETE', ticketPath, f.carolHeldTicketId, headers, 'DELETE ticket');
    }
    expect((await ticket('GET', `/tickets/${f.carolHeldTicketId}`, user(CAROL))).body).toMatchObject({
      status: 'HELD',
    });
  });

  it("when Bob pays Carol's held ticket, then 404 like a missing one, nothing charged, the seat still Carol's", async () => {
    const payment = on('payment');
    expect((await payment('POST', '/points', user(BOB), { point: 100_000, pointType: 'CHARGE' })).status).toBe(200);
    const theirs = await payment('POST', '/payments', bearer(jwt.bob), { ticket_id: f.carolHeldTicketId });
    const missing = await payment('POST', '/payments', bearer(jwt.bob), { ticket_id: MISSING_UUID });
    expectSameAsMissing(theirs, missing, f.carolHeldTicketId, MISSING_UUID, 'pay ticket');
    expect((await payment('GET', '/points', user(BOB))).body.balance).toBe(100_000);
    expect((await on('ticket')('GET', `/tickets/${f.carolHeldTicketId}`, user(CAROL))).body).toMatchObject({
      status: 'HELD',
    });
  });

  it("when Bob reads Alice's payment or history, then 404 like a missing one, and her payment is not in his history", async () => {
    const payment = on('payment');
    for (const headers of [user(BOB), bearer(jwt.bob)]) {
      const paymentPath = (id: string) => `/payments/${id}`;
      await expectHiddenLikeMissing(payment, 'GET', paymentPath, f.alicePaymentId, headers, 'GET payment');
      const history = (await payment('GET', '/payment_history', headers)).body as { id: string }[];
      expect(history.map((p) => p.id)).not.toContain(f.alicePaymentId);
    }
    expect((await payment('GET', `/payments/${f.alicePaymentId}`, user(ALICE))).status).toBe(200);
  });

  it("when Bob reads, pays, cancels or lists Alice's order, then 404 like a missing one (or absent), and it stays hers and unpaid", async () => {
    const payment = on('payment');
    const orderPath = (id: string) => `/api/orders/${id}`;
    await expectHiddenLikeMissing(payment, 'GET', orderPath, f.aliceOrderId, user(BOB), 'GET order');
    const pay = await payment('POST', '/api/payment/process', user(BOB), {
      orderId: f.aliceOrderId,
      paymentMethod: 'points',
    });
    const payMissing = await payment('POST', '/api/payment/process', user(BOB), {
      orderId: MISSING_UUID,
      paymentMethod: 'points',
    });
    expectSameAsMissing(pay, payMissing, f.aliceOrderId, MISSING_UUID, 'pay order');
    const cancelPath = (id: string) => `/api/orders/${id}/cancel`;
    await expectHiddenLikeMissing(payment, 'POST', cancelPath, f.aliceOrderId, user(BOB), 'cancel order');
    const bobsOrders = await payment('GET', '/api/orders', user(BOB));
    expect(bobsOrders.body.payload.map((o: { orderId: string }) => o.orderId)).not.toContain(f.aliceOrderId);
    const mine = await payment('GET', `/api/orders/${f.aliceOrderId}`, user(ALICE));
    expect(mine.status).toBe(200);
    expect(mine.body.userId).toBe(ALICE.id);
    expect(['pending', 'stock_locked']).toContain(mine.body.status);
  });

  it("when Bob reads or clears Alice's alarm, then 404 like an item nobody alarmed, and her alarm stays set", async () => {
    const alarm = on('alarm');
    const items = (await on('item')('GET', '/', user(BOB))).body.payload as { id: number }[];
    const unalarmed = items.find((item) => item.id !== f.itemId)!.id;
    const theirs = await alarm('GET', `/${f.itemId}`, user(BOB));
    const missing = await alarm('GET', `/${unalarmed}`, user(BOB));
    expectSameAsMissing(theirs, missing, f.itemId, unalarmed, 'GET alarm');
    expect((await alarm('DELETE', '/', user(BOB), { item_id: f.itemId })).status).toBe(200);
    expect((await alarm('GET', `/${f.itemId}`, user(ALICE))).status).toBe(200);
    expect(JSON.stringify((await alarm('GET', '/ids', user(BOB))).body)).not.toMatch(new RegExp(`\\b${f.itemId}\\b`));
  });

  it("when Bob lists notifications, then Alice's are not among them", async () => {
    const sent = await on('alarm')('POST', '/api/notification/send', user(ALICE), {
      userId: ALICE.id,
      notificationType: 'sms',
      subject: 'for alice only',
      message: 'private',
    });
    if (sent.status === 404) return; // not built in this tree
    expect(sent.status).toBe(200);
    await waitFor('Alice sees hers', async () =>
      (await on('alarm')('GET', '/api/notifications', user(ALICE))).text.includes('for alice only'),
    );
    expect((await on('alarm')('GET', '/api/notifications', user(BOB))).text).not.toContain('for alice only');
  });
});

describe('access tokens are never listed for other users', () => {
  it('when a user lists users or reads one, then only their own row carries an access token; the admin sees all', async () => {
    const user = on('user');
    const list = await user('GET', '/', { 'user-token': BOB.token });
    const rows = list.body.payload as { id: number; access_token?: string }[];
    expect(rows.length).toBeGreaterThanOrEqual(10);
    expect(rows.filter((row) => row.access_token !== undefined)).toEqual([
      { id: BOB.id, name: expect.any(String), access_token: BOB.token },
    ]);
    for (const other of [ALICE, ADMIN]) {
      expect(list.text).not.toContain(other.token);
      const one = await user('GET', `/users/${other.id}`, { 'user-token': BOB.token });
      expect(one.status).toBe(200);
      expect(one.body.access_token).toBeUndefined();
    }
    const viaGateway = await call(stack.gatewayUrl, 'GET', '/api/users', { 'user-token': BOB.token });
    expect(viaGateway.text).not.toContain(ALICE.token);
    const asAdmin = (await user('GET', '/', { 'user-token': ADMIN.token })).body.payload as { access_token?: string }[];
    expect(asAdmin.every((row) => typeof row.access_token === 'string')).toBe(true);
  });

  it('when a user logs in with a wrong password, then 401 and no token', async () => {
    const answer = await on('user')('POST', '/login', {}, { login_id: 'minjun', password: 'not the password' });
    expectErrorBody(answer, 401, 'bad login');
    expect(answer.text).not.toContain(ALICE.token);
  });
});

describe('the card gateway callback', () => {
  it('when the callback is signed with the right secret, then the signature passes (control for the 401 cells)', async () => {
    const raw = JSON.stringify({
      authorizationId: randomUUID(),
      reference: randomUUID(),
      status: 'approved',
      declineCode: null,
      amount: 100,
    });
    const t = Math.floor(Date.now() / 1000);
    const signature = `t=${t},v1=${createHmac('sha256', CARD_GATEWAY_SECRET).update(`${t}.${raw}`).digest('hex')}`;
    const response = await fetch(`${stack.url('payment')}/api/payment/callback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-gateway-signature': signature },
      body: raw,
    });
    expect(response.status).toBe(404); // signature accepted; the charge is unknown
  });
});
