import { randomUUID } from 'node:crypto';
import { suiteStack, waitFor } from '@boxoffice/testing';
import { gatewayCall, type Call } from '../journeys/seed-journeys';

/**
 * Buying several seats (issue 14, docs/ticket-holds.md "Checkout for several seats"), through the gateway only,
 * with the queue, ticket and payment services real processes on real PostgreSQL, Redis and Kafka: the queue token
 * ends on the ticket service's ticket.purchase-finished, carried by Kafka, so the timing between payments is real.
 */
const DEMO_TOKEN = (id: number) => `0b8f4c2e-6a55-4a3c-9d4e-2f1f6c0a${String(id).padStart(4, '0')}`;
const ADMIN = { 'user-token': DEMO_TOKEN(1) };
const PRICE = 1_000;

const suite = suiteStack({ env: { ticket: { SEAT_HOLD_TTL_SECONDS: '300' } } });
const call: Call = gatewayCall(() => suite.stack.gatewayUrl);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Buyer {
  id: number;
  user: { 'user-token': string };
  bearer: { authorization: string };
}

/** A fresh concert with one showtime of `seats` seats at PRICE, and the ids of its seats in seat order. */
async function newShowtime(seats: number, buyer: Buyer): Promise<{ showtimeId: number; seatIds: number[] }> {
  const concert = await call('POST', '/admin/concerts', {
    headers: ADMIN,
    body: { name: `multi-seat ${randomUUID()}`, performer: 'e2e' },
  });
  expect(concert.status).toBe(201);
  const showtime = await call('POST', `/admin/concerts/${concert.body.id}/showtimes`, {
    headers: ADMIN,
    body: {
      starts_at: new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString(),
      venue: 'Hall',
      seats: Array.from({ length: seats }, (_, i) => ({ seat_no: `M${i + 1}`, price: PRICE })),
    },
  });
  expect(showtime.status).toBe(201);
  const map = await call('GET', `/concerts/${concert.body.id}/${showtime.body.id}`, { headers: buyer.bearer });
  expect(map.status).toBe(200);
  return { showtimeId: showtime.body.id, seatIds: map.body.map((seat: { id: number }) => seat.id) };
}

/** A demo user queued, admitted (ACTIVE) and charged with `points`. */
async function admittedBuyer(id: number, points: number): Promise<Buyer> {
  const user = { 'user-token': DEMO_TOKEN(id) };
  const joined = await call('POST', '/tokens', { headers: user, body: { userId: id } });
  expect(joined.status).toBe(201);
  const bearer = { authorization: `Bearer ${joined.body.token}` };
  await waitFor('admission', async () => (await call('GET', '/tokens', { headers: bearer })).body.status === 'ACTIVE');
  const charged = await call('POST', '/points', { headers: user, body: { point: points, pointType: 'CHARGE' } });
  expect(charged.status).toBe(200);
  return { id, user, bearer };
}

async function hold(buyer: Buyer, showtimeId: number, seatId: number) {
  return call('POST', '/tickets', { headers: buyer.bearer, body: { showtime_id: showtimeId, seat_id: seatId } });
}

async function heldTickets(buyer: Buyer, showtimeId: number, seatIds: number[]): Promise<string[]> {
  const ids: string[] = [];
  for (const seatId of seatIds) {
    const held = await hold(buyer, showtimeId, seatId);
    expect(held.status).toBe(201);
    ids.push(held.body.id);
  }
  return ids;
}

const statusesOf = async (buyer: Buyer, ticketIds: string[]) => {
  const mine = (await call('GET', '/tickets', { headers: buyer.user })).body as TicketView[];
  return ticketIds.map((id) => mine.find((ticket) => ticket.id === id)?.status);
};

const tokenStatus = async (buyer: Buyer) => (await call('GET', '/tokens', { headers: buyer.bearer })).body.status;

const useRows = async (buyer: Buyer) =>
  (
    (await call('GET', '/point_history', { headers: buyer.user })).body as { pointType: string; amount: number }[]
  ).filter((row) => row.pointType === 'USE');

describe('checkout for several seats', () => {
  it('when a buyer pays 2 held seats in one payment, then both are SOLD for one debit of their total, and the token ends', async () => {
    const buyer = await admittedBuyer(2, 2 * PRICE);
    const { showtimeId, seatIds } = await newShowtime(4, buyer);
    const tickets = await heldTickets(buyer, showtimeId, seatIds.slice(0, 2));
    const usesBefore = (await useRows(buyer)).length;

    const paid = await call('POST', '/payments', { headers: buyer.bearer, body: { ticket_ids: tickets } });
    expect(paid.status).toBe(201);
    expect(paid.body).toMatchObject({ amount: 2 * PRICE, userId: buyer.id });
    expect([...paid.body.ticketIds].sort()).toEqual([...tickets].sort());
    expect(await statusesOf(buyer, tickets)).toEqual(['SOLD', 'SOLD']);
    const uses = await useRows(buyer);
    expect(uses).toHaveLength(usesBefore + 1);
    expect(uses[0]).toMatchObject({ amount: 2 * PRICE });
    await waitFor('the token to end once nothing is left to pay', async () => (await tokenStatus(buyer)) === 'EXPIRED');
  });

  it.each([
    [0, 3],
    [1_000, 4],
    [3_000, 5],
  ])(
    'when a buyer pays 2 held seats one by one, %i ms apart, then both are SOLD and the token ends only after the second',
    async (delayMs, userId) => {
      const buyer = await admittedBuyer(userId, 2 * PRICE);
      const { showtimeId, seatIds } = await newShowtime(2, buyer);
      const [first, second] = await heldTickets(buyer, showtimeId, seatIds);

      expect((await call('POST', '/payments', { headers: buyer.bearer, body: { ticket_id: first } })).status).toBe(201);
      await sleep(delayMs);
      expect(await tokenStatus(buyer)).toBe('ACTIVE');
      const paid = await call('POST', '/payments', { headers: buyer.bearer, body: { ticket_id: second } });
      expect(paid.status).toBe(201);
      expect(await statusesOf(buyer, [first!, second!])).toEqual(['SOLD', 'SOLD']);
      await waitFor('the token to end after the last payment', async () => (await tokenStatus(buyer)) === 'EXPIRED');
    },
  );

  it('when a buyer holds 4 seats and pays them one by one with 0 s, 1 s and 3 s between payments, then all 4 are SOLD', async () => {
    const buyer = await admittedBuyer(2, 4 * PRICE);
    const { showtimeId, seatIds } = await newShowtime(4, buyer);
    const tickets = await heldTickets(buyer, showtimeId, seatIds);
    const gaps = [0, 1_000, 3_000];
    for (const [i, ticketId] of tickets.entries()) {
      if (i > 0) await sleep(gaps[i - 1]!);
      const paid = await call('POST', '/payments', { headers: buyer.bearer, body: { ticket_id: ticketId } });
      expect(paid.status).toBe(201);
    }
    expect(await statusesOf(buyer, tickets)).toEqual(['SOLD', 'SOLD', 'SOLD', 'SOLD']);
    await waitFor('the token to end after the fourth payment', async () => (await tokenStatus(buyer)) === 'EXPIRED');
  });

  it('when two buyers race for overlapping seat sets and each pays what they hold, then no seat is paid twice', async () => {
    const [alice, bob] = await Promise.all([admittedBuyer(3, 4 * PRICE), admittedBuyer(4, 4 * PRICE)]);
    const { showtimeId, seatIds } = await newShowtime(6, alice);
    const wants = { alice: seatIds.slice(0, 4), bob: seatIds.slice(2, 6) };
    // every seat asked for by both at the same moment: the overlap (seats 3 and 4) goes to one of them each
    const [aliceHolds, bobHolds] = await Promise.all([
      Promise.all(wants.alice.map((seatId) => hold(alice, showtimeId, seatId))),
      Promise.all(wants.bob.map((seatId) => hold(bob, showtimeId, seatId))),
    ]);
    for (const answer of [...aliceHolds, ...bobHolds]) expect([201, 409]).toContain(answer.status);
    const aliceTickets = aliceHolds.filter((a) => a.status === 201).map((a) => a.body.id as string);
    const bobTickets = bobHolds.filter((a) => a.status === 201).map((a) => a.body.id as string);
    expect(aliceTickets.length + bobTickets.length).toBe(6); // each of the 6 seats held exactly once

    // Bob tries to slip one of Alice's tickets into his payment: refused whole, nothing charged
    const sneaky = await call('POST', '/payments', {
      headers: bob.bearer,
      body: { ticket_ids: [...bobTickets, aliceTickets[0]] },
    });
    expect(sneaky.status).toBe(404);

    const [alicePaid, bobPaid] = await Promise.all([
      call('POST', '/payments', { headers: alice.bearer, body: { ticket_ids: aliceTickets } }),
      call('POST', '/payments', { headers: bob.bearer, body: { ticket_ids: bobTickets } }),
    ]);
    expect([alicePaid.status, bobPaid.status]).toEqual([201, 201]);
    expect(await statusesOf(alice, aliceTickets)).toEqual(aliceTickets.map(() => 'SOLD'));
    expect(await statusesOf(bob, bobTickets)).toEqual(bobTickets.map(() => 'SOLD'));

    // every seat of the showtime SOLD, each once, to one of the two payments, for the seats' total
    const soldSeats = [];
    for (const buyer of [alice, bob]) {
      const mine = (await call('GET', '/tickets', { headers: buyer.user })).body as TicketView[];
      soldSeats.push(...mine.filter((t) => t.showtimeId === showtimeId && t.status === 'SOLD').map((t) => t.seatId));
    }
    expect([...soldSeats].sort()).toEqual([...seatIds].sort());
    expect(new Set([...alicePaid.body.ticketIds, ...bobPaid.body.ticketIds]).size).toBe(6);
    expect(alicePaid.body.amount + bobPaid.body.amount).toBe(6 * PRICE);
  });
});

interface TicketView {
  id: string;
  status: string;
  showtimeId: number;
  seatId: number;
}
