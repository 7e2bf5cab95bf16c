import { startStack, uniqueSuffix, waitFor, type Stack } from '@boxoffice/testing';

/**
 * Scale-out: two instances of every service behind the gateway. The concert journey and a seat-hold race pass,
 * then the first instance of every service is SIGKILLed and both pass again on the survivors.
 */
let stack: Stack;

async function call(method: string, path: string, options: { headers?: Record<string, string>; body?: unknown } = {}) {
  const response = await fetch(`${stack.gatewayUrl}${path}`, {
    method,
    headers: { ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers },
    body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

interface Fan {
  id: number;
  userToken: string;
  bearer: string;
}

/** Registers a user through the gateway and lets them into the waiting room. */
async function fan(): Promise<Fan> {
  const loginId = `fan${uniqueSuffix()}`;
  const created = await call('POST', '/api/users/users', {
    body: { name: 'Fan', login_id: loginId, password: 'password123' },
  });
  expect(created.status).toBe(201);
  const userToken = created.body.access_token;
  // other services learn the user from its event; until then they ask the user service (either instance)
  const joined = await waitFor('joining the queue', async () => {
    const answer = await call('POST', '/tokens', {
      headers: { 'user-token': userToken },
      body: { userId: created.body.id },
    });
    return answer.status === 201 ? answer : undefined;
  });
  const bearer = `Bearer ${joined.body.token}`;
  await waitFor(
    'admission',
    async () => (await call('GET', '/tokens', { headers: { authorization: bearer } })).body.status === 'ACTIVE',
  );
  return { id: created.body.id, userToken, bearer };
}

async function availableSeats(bearer: string) {
  const concerts = await call('GET', '/concerts', { headers: { authorization: bearer } });
  const concertId = concerts.body[0].id;
  const showtimes = await call('GET', `/concerts/${concertId}`, { headers: { authorization: bearer } });
  const showtimeId = showtimes.body[0].id;
  const seats = await call('GET', `/concerts/${concertId}/${showtimeId}`, { headers: { authorization: bearer } });
  return { showtimeId, seats: seats.body.filter((seat: { status: string }) => seat.status === 'AVAILABLE') };
}

async function concertJourney(buyer: Fan, seatIndex: number) {
  const { showtimeId, seats } = await availableSeats(buyer.bearer);
  const seat = seats[seatIndex];
  const held = await call('POST', '/tickets', {
    headers: { authorization: buyer.bearer },
    body: { showtime_id: showtimeId, seat_id: seat.id },
  });
  expect(held.status).toBe(201);
  expect(
    (
      await call('POST', '/points', {
        headers: { 'user-token': buyer.userToken },
        body: { point: seat.price, pointType: 'CHARGE' },
      })
    ).status,
  ).toBe(200);
  const paid = await call('POST', '/payments', {
    headers: { authorization: buyer.bearer },
    body: { ticket_id: held.body.id },
  });
  expect([201, 202]).toContain(paid.status);
  await waitFor('the seat to be sold', async () => {
    const tickets = await call('GET', '/tickets', { headers: { 'user-token': buyer.userToken } });
    return tickets.body.find((t: { id: unknown }) => t.id === held.body.id)?.status === 'SOLD';
  });
}

async function seatRace(fans: Fan[], seatIndex: number) {
  const { showtimeId, seats } = await availableSeats(fans[0]!.bearer);
  const seat = seats[seatIndex];
  const answers = await Promise.all(
    fans.map((f) =>
      call('POST', '/tickets', {
        headers: { authorization: f.bearer },
        body: { showtime_id: showtimeId, seat_id: seat.id },
      }),
    ),
  );
  const statuses = answers.map((answer) => answer.status);
  expect(statuses.filter((status) => status === 201)).toHaveLength(1);
  expect(statuses.filter((status) => status === 409)).toHaveLength(fans.length - 1);
}

beforeAll(async () => {
  stack = await startStack({ instances: 2 });
}, 240_000);

afterAll(async () => {
  await stack?.stop();
});

describe('two instances of every service', () => {
  it('when a fan buys a seat and twelve race for another, then one sale and exactly one hold', async () => {
    const fans = await Promise.all(Array.from({ length: 12 }, () => fan()));
    await concertJourney(fans[0]!, 0);
    await seatRace(fans.slice(1), 5);
  });

  it('when the first instance of every service is killed, then the journey and the race pass on the survivors', async () => {
    for (const instances of stack.instances.values()) await instances[0]!.stop('SIGKILL');
    // the gateway under test is the second one now
    stack.gatewayUrl = stack.url('gateway', 1);
    const fans = await Promise.all(Array.from({ length: 12 }, () => fan()));
    await concertJourney(fans[0]!, 1);
    await seatRace(fans.slice(1), 7);
  });
});
