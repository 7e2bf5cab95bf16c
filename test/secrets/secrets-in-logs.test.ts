import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { TOPICS } from '@boxoffice/contracts';
import { EventRecorder, startStack, waitFor, type Stack } from '@boxoffice/testing';

/**
 * Secrets never leave where they belong (issue 9), checked on the whole stack as real processes with verbose logs
 * (queue at trace, the rest at debug), every process's whole output kept in files (not the last few kB):
 * - the queue's Ed25519 private key: in no log line of any service and no event on any topic;
 * - card numbers and CVVs of card payments made through the public gateway: in no log line (gateway and payment
 *   included), no event, no payment table;
 * - passwords and access tokens (bearer credentials): in no log line and no event.
 * The payment service's own card test (services/payment/test/routes/card-data.test.ts) covers its tables and events
 * with the service alone; this one adds the gateway in front and the other services' logs.
 */
const CARD = '4242424242424242';
const SPACED_CARD = '5555 5555 5555 4444';
const LUHN_BAD = '4242424242424241';
const CVV = '7319';
const PASSWORD = 'boxoffice-demo';
const USER_TOKEN = '0b8f4c2e-6a55-4a3c-9d4e-2f1f6c0a0006';

let stack: Stack;
let logDir: string;
let recorder: EventRecorder;

async function call(method: string, url: string, headers: Record<string, string> = {}, body?: unknown) {
  const response = await fetch(`${stack.gatewayUrl}${url}`, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: typeof body === 'string' ? body : body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of many shapes
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, body: json, text };
}

const allLogs = () =>
  readdirSync(logDir)
    .map((file) => ({ file, text: readFileSync(path.join(logDir, file), 'utf8') }))
    .filter(({ text }) => text.length > 0);

beforeAll(async () => {
  logDir = mkdtempSync(path.join(tmpdir(), 'boxoffice-secrets-'));
  stack = await startStack({
    logDir,
    env: {
      user: { LOG_LEVEL: 'debug' },
      item: { LOG_LEVEL: 'debug' },
      alarm: { LOG_LEVEL: 'debug' },
      queue: { LOG_LEVEL: 'trace', QUEUE_MAX_ACTIVE: '1', QUEUE_ACTIVE_TTL_SECONDS: '3' },
      ticket: { LOG_LEVEL: 'debug' },
      payment: { LOG_LEVEL: 'debug', CARD_SETTLE_DELAY_MS: '100' },
      gateway: { LOG_LEVEL: 'debug' },
    },
  });
  recorder = await new EventRecorder(
    stack.instances.get('queue')![0]!.env.KAFKA_TOPIC_PREFIX!,
    Object.values(TOPICS),
  ).start();
}, 240_000);

afterAll(async () => {
  await recorder?.stop();
  await stack?.stop();
  if (logDir) rmSync(logDir, { recursive: true, force: true });
});

describe('secrets stay out of logs and events', () => {
  it('when tokens are issued, polled, refused, admitted and expired at trace level, then the queue private key is in no log line and no event', async () => {
    // three users through the gateway: one ACTIVE at a time for 3 s, so tokens are issued, wait, get admitted and expire
    const tokens: string[] = [];
    for (const id of [7, 8, 9]) {
      const token = `0b8f4c2e-6a55-4a3c-9d4e-2f1f6c0a000${id}`;
      const joined = await waitFor(
        `user ${id} joins`,
        async () => {
          const answer = await call('POST', '/tokens', { 'user-token': token }, { userId: id });
          return answer.status === 201 ? answer : undefined;
        },
        { timeoutMs: 30_000 },
      );
      tokens.push(joined.body.token);
    }
    expect((await call('GET', '/tokens', { authorization: 'Bearer not.a.jwt' })).status).toBe(401);
    expect((await call('GET', '/tokens', { authorization: `Bearer ${tokens[0]!.slice(0, -4)}AAAA` })).status).toBe(401);
    await waitFor(
      'the last user admitted after two expiries',
      async () => (await call('GET', '/tokens', { authorization: `Bearer ${tokens[2]}` })).body.status === 'ACTIVE',
      { timeoutMs: 30_000 },
    );
    await waitFor(
      'the queue events',
      () => recorder.events.filter((event) => event.type === 'queue.token.changed').length >= 7,
      { timeoutMs: 30_000 },
    );

    const db = new pg.Client({ connectionString: stack.instances.get('queue')![0]!.env.DATABASE_URL });
    await db.connect();
    const { rows } = await db.query<{ private_jwk: { d: string; x: string } }>('SELECT private_jwk FROM signing_keys');
    await db.end();
    expect(rows.length).toBeGreaterThan(0);
    const secrets = rows.flatMap(({ private_jwk: jwk }) => {
      const d = Buffer.from(jwk.d, 'base64url');
      return [jwk.d, d.toString('base64'), d.toString('hex')];
    });

    const logs = allLogs();
    const queueLog = logs.find(({ file }) => file.startsWith('queue-'))!.text;
    expect(queueLog).toMatch(/"level":20/); // LOG_LEVEL=trace: its debug lines (admission rounds) were really written
    expect(queueLog).toContain('request done');
    const problems: string[] = [];
    for (const { file, text } of logs) {
      for (const secret of secrets) if (text.includes(secret)) problems.push(`${file}: the private key`);
      if (/PRIVATE KEY/.test(text)) problems.push(`${file}: a PEM private key`);
    }
    const events = JSON.stringify(recorder.events);
    for (const secret of secrets) if (events.includes(secret)) problems.push('events: the private key');
    expect(problems).toEqual([]);
  }, 120_000);

  it('when cards are paid and refused through the gateway, then no log line of any service, no event and no payment table holds a card number or CVV', async () => {
    const headers = { 'user-token': USER_TOKEN };
    const item = (await call('GET', '/api/items', headers)).body.payload[0] as { id: number; price: number };
    const orderIds: string[] = [];
    for (const [cardNumber, expected] of [
      [CARD, 'paid'],
      [SPACED_CARD, 'paid'],
    ] as const) {
      const created = await waitFor(
        'an order',
        async () => {
          const answer = await call('POST', '/api/orders/create', headers, {
            orderAmount: item.price,
            items: [{ productId: item.id, quantity: 1 }],
          });
          return answer.status === 201 ? answer : undefined;
        },
        { timeoutMs: 30_000 },
      );
      const orderId = created.body.orderId as string;
      orderIds.push(orderId);
      await waitFor(
        'stock locked',
        async () => (await call('GET', `/api/orders/${orderId}`, headers)).body.status === 'stock_locked',
        { timeoutMs: 30_000 },
      );
      const paid = await call('POST', '/api/payment/process', headers, {
        orderId,
        paymentMethod: 'card',
        paymentDetails: { cardNumber, expiryDate: '11/44', cvv: CVV },
      });
      expect(paid.status).toBe(202);
      await waitFor(
        expected,
        async () => (await call('GET', `/api/orders/${orderId}`, headers)).body.status === expected,
        { timeoutMs: 30_000 },
      );
    }
    const luhn = await call('POST', '/api/payment/process', headers, {
      orderId: orderIds[0],
      paymentMethod: 'card',
      paymentDetails: { cardNumber: LUHN_BAD, expiryDate: '11/44', cvv: CVV },
    });
    expect(luhn.status).toBe(422);
    expect(luhn.text).not.toContain(LUHN_BAD);
    const malformed = await call(
      'POST',
      '/api/payment/process',
      headers,
      `{"orderId": "x", "paymentDetails": {"cardNumber": "${CARD}", "cvv": "${CVV}"`,
    );
    expect(malformed.status).toBe(422);
    expect(malformed.text).not.toContain(CARD);
    await waitFor(
      'the order events',
      () => recorder.events.filter((event) => orderIds.includes(event.aggregateId)).length >= 6,
      { timeoutMs: 30_000 },
    );

    const leaks = (where: string, text: string) => {
      const found: string[] = [];
      for (const card of [CARD, SPACED_CARD, SPACED_CARD.replaceAll(' ', ''), LUHN_BAD])
        if (text.includes(card)) found.push(`${where}: card ${card}`);
      if (new RegExp(`["'=: ]${CVV}["',} ]`).test(text)) found.push(`${where}: CVV`);
      if (/"cvv"\s*:\s*"\d/i.test(text)) found.push(`${where}: a cvv field`);
      return found;
    };
    const problems: string[] = [];
    const logs = allLogs();
    expect(logs.map(({ file }) => file)).toEqual(expect.arrayContaining(['gateway-1.log', 'payment-1.log']));
    expect(logs.find(({ file }) => file === 'gateway-1.log')!.text).toContain('/api/payment/process'); // the gateway saw them
    for (const { file, text } of logs) problems.push(...leaks(file, text));
    problems.push(...leaks('events', JSON.stringify(recorder.events)));
    const db = new pg.Client({ connectionString: stack.instances.get('payment')![0]!.env.DATABASE_URL });
    await db.connect();
    try {
      const { rows: tables } = await db.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
      );
      for (const { table_name: table } of tables) {
        const { rows } = await db.query(`SELECT t::text AS row FROM "${table}" t`);
        problems.push(...leaks(`table ${table}`, rows.map((r) => r.row).join('\n')));
      }
    } finally {
      await db.end();
    }
    expect(problems).toEqual([]);
  }, 180_000);

  it('when users log in and call every service with their tokens, then no password or access token is in any log line or event', async () => {
    const login = await call('POST', '/api/users/login', {}, { login_id: 'doyun', password: PASSWORD });
    expect(login.status).toBe(200);
    expect(
      (await call('POST', '/api/users/login', {}, { login_id: 'doyun', password: `${PASSWORD}-wrong` })).status,
    ).toBe(401);
    const headers = { 'user-token': login.body.access_token as string };
    for (const url of ['/api/users', '/api/items', '/api/alarms', '/events', '/points', '/tickets', '/reservations']) {
      expect((await call('GET', url, headers)).status).toBe(200);
    }
    // a token nobody has: every service's fallback to the user service is exercised too
    const unknown = '11111111-2222-4333-8444-555555555555';
    expect((await call('GET', '/api/items', { 'user-token': unknown })).status).toBe(401);
    const problems: string[] = [];
    for (const { file, text } of allLogs()) {
      for (const secret of [PASSWORD, login.body.access_token as string, unknown])
        if (text.includes(secret)) problems.push(`${file}: ${secret}`);
    }
    const events = JSON.stringify(recorder.events);
    for (const secret of [PASSWORD, login.body.access_token as string])
      if (events.includes(secret)) problems.push(`events: ${secret}`);
    expect(problems).toEqual([]);
  }, 60_000);
});
