import { waitFor } from '@boxoffice/testing';

/**
 * The seed journeys, through a gateway and nothing else: test/e2e runs them on the stack as processes,
 * test/compose on the stack in containers. They need the demo data.
 */
export const USER_TOKEN = '4a49145e-45a8-4845-af45-1af2a59bb044'; // demo user 10, from the home-shopping brief
export const ADMIN_TOKEN = '0b8f4c2e-6a55-4a3c-9d4e-2f1f6c0a0001'; // demo admin

export interface Answer {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON body, checked by each assertion
  body: any;
}
export type Call = (
  method: string,
  path: string,
  options?: { headers?: Record<string, string>; body?: unknown },
) => Promise<Answer>;

/** Calls the gateway at `baseUrl()` (a function: a test may move the stack to another gateway). */
export function gatewayCall(baseUrl: () => string): Call {
  return async (method, path, options = {}) => {
    const response = await fetch(`${baseUrl()}${path}`, {
      method,
      headers: { ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers },
      body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  };
}

/** Waits until the waiting-room token behind `bearer` reads `status` (GET /tokens through `call`). */
export const tokenReaches = (call: Call, bearer: Record<string, string>, status: string) =>
  waitFor(
    `the token ${status}`,
    async () => (await call('GET', '/tokens', { headers: bearer })).body.status === status,
  );

/** Demo user 10 joins the waiting room through `call`; answers its token's bearer header once it is let in. */
export async function admittedDemoUser(call: Call): Promise<{ authorization: string }> {
  const joined = await call('POST', '/tokens', { headers: { 'user-token': USER_TOKEN }, body: { userId: 10 } });
  expect(joined.status).toBe(201);
  const bearer = { authorization: `Bearer ${joined.body.token}` };
  await tokenReaches(call, bearer, 'ACTIVE');
  return bearer;
}

export const SEED_JOURNEYS: [string, (call: Call) => Promise<void>][] = [
  [
    'when a shopper logs in, browses, sets an alarm and looks back, then every step answers as SPEC says',
    async (call) => {
      const login = await call('POST', '/api/users/login', {
        body: { login_id: 'gyugyeong', password: 'boxoffice-demo' },
      });
      expect(login.status).toBe(200);
      const token = login.body.access_token;
      expect(token).toBe(USER_TOKEN);
      const headers = { 'user-token': token };

      const list = await call('GET', '/api/items', { headers });
      expect(list.status).toBe(200);
      expect(list.body.count).toBe(50);
      const ids = list.body.payload.map((item: { id: number }) => item.id);
      expect(ids).toEqual([...ids].sort((a, b) => b - a));
      const item = list.body.payload[7];

      const detail = await call('GET', `/api/items/${item.id}`, { headers });
      expect(detail.status).toBe(200);
      expect(detail.body.payload).toMatchObject({ id: item.id, name: item.name, is_alarm_set: false });

      const alarm = await call('POST', '/api/alarms', { headers, body: { item_id: item.id } });
      expect(alarm.status).toBe(201);
      await waitFor('the alarm in the item list', async () => {
        const again = await call('GET', '/api/items', { headers });
        return again.body.payload.find((i: { id: number }) => i.id === item.id)?.is_alarm_set === true;
      });
      const alarms = await call('GET', '/api/alarms', { headers });
      expect(alarms.body.payload.map((i: { id: number }) => i.id)).toContain(item.id);

      const visit = await waitFor('the view in /visit', async () => {
        const seen = await call('GET', '/api/users/visit', { headers });
        return seen.body.payload[0]?.id === item.id ? seen : undefined;
      });
      expect(visit.body.payload[0]).toMatchObject({ id: item.id, name: item.name, is_alarm_set: true });
    },
  ],
  [
    'when a fan queues, is admitted, holds a seat and pays with points, then the seat is sold and the token expired',
    async (call) => {
      const headers = { 'user-token': USER_TOKEN };
      const bearer = await admittedDemoUser(call);

      const concerts = await call('GET', '/concerts', { headers: bearer });
      expect(concerts.status).toBe(200);
      expect(concerts.body.length).toBeGreaterThanOrEqual(3);
      const showtimes = await call('GET', `/concerts/${concerts.body[0].id}`, { headers: bearer });
      expect(showtimes.status).toBe(200);
      const showtime = showtimes.body[0];
      const seats = await call('GET', `/concerts/${concerts.body[0].id}/${showtime.id}`, { headers: bearer });
      const seat = seats.body.find((s: { status: string }) => s.status === 'AVAILABLE');
      expect(seat).toBeDefined();

      const held = await call('POST', '/tickets', {
        headers: bearer,
        body: { showtime_id: showtime.id, seat_id: seat.id },
      });
      expect(held.status).toBe(201);
      expect(held.body).toMatchObject({ seatNo: seat.seatNo, price: seat.price, status: 'HELD' });

      const charged = await call('POST', '/points', { headers, body: { point: seat.price, pointType: 'CHARGE' } });
      expect(charged.status).toBe(200);
      const paid = await call('POST', '/payments', { headers: bearer, body: { ticket_id: held.body.id } });
      expect(paid.status).toBe(201);
      expect(paid.body).toMatchObject({ amount: seat.price, ticketId: String(held.body.id) });

      const tickets = await call('GET', '/tickets', { headers });
      expect(tickets.body.find((t: { id: unknown }) => t.id === held.body.id)).toMatchObject({ status: 'SOLD' });
      await tokenReaches(call, bearer, 'EXPIRED');
      const history = await call('GET', '/payment_history', { headers });
      expect(history.body.map((p: { id: string }) => p.id)).toContain(paid.body.id);
    },
  ],
  [
    'when an admin creates an event and a user reserves, updates and cancels, then availability follows every step',
    async (call) => {
      const admin = { 'user-token': ADMIN_TOKEN };
      const user = { 'user-token': USER_TOKEN };
      const created = await call('POST', '/events', {
        headers: admin,
        body: { name: 'Rocket to Mars', description: 'A journey', date: '2047-10-21T09:00:00Z', availability: 10 },
      });
      expect(created.status).toBe(201);
      expect(created.headers.get('location')).toContain(created.body.id);
      const eventId = created.body.id;
      const availability = async () => (await call('GET', `/events/${eventId}`, { headers: user })).body.availability;

      const reserved = await call('POST', '/reservations', {
        headers: user,
        body: { event_id: eventId, no_of_tickets: 2 },
      });
      expect(reserved.status).toBe(201);
      expect(await availability()).toBe(8);
      const updated = await call('PATCH', `/reservations/${reserved.body.id}`, {
        headers: user,
        body: { no_of_tickets: 3 },
      });
      expect(updated.status).toBe(200);
      expect(updated.body.no_of_tickets).toBe(3);
      expect(await availability()).toBe(7);
      const tooMany = await call('PATCH', `/reservations/${reserved.body.id}`, {
        headers: user,
        body: { no_of_tickets: 11 },
      });
      expect(tooMany.status).toBe(400);
      expect(tooMany.body.errors.message).toBe('Requested number of tickets are not available.');
      const cancelled = await call('DELETE', `/reservations/${reserved.body.id}`, { headers: user });
      expect(cancelled.status).toBe(204);
      expect(await availability()).toBe(10);
    },
  ],
];
