import { PaymentCompleted, TOPICS } from '@boxoffice/contracts';
import { EventRecorder, waitFor } from '@boxoffice/testing';
import type { TestUser } from '../support/payment-kit';
import { TicketStack } from '../support/ticket-stack';

const PRICE = 12_000;

describe('ticket payments against the real ticket and queue services', () => {
  const stack = new TicketStack({ ticket: { SEAT_HOLD_TTL_SECONDS: '300' } });
  const kit = stack.payment;
  let admin: TestUser;
  let seats: number[];
  let showtimeId: number;
  let recorder: EventRecorder;
  let nextSeat = 0;

  beforeAll(async () => {
    await stack.start();
    [admin] = (await stack.users(1, 'admin')) as [TestUser];
    ({ showtimeId, seatIds: seats } = await stack.showtime(admin!, 40, PRICE));
    recorder = await new EventRecorder(kit.prefix, [TOPICS.payments]).start();
  });
  afterAll(async () => {
    await recorder?.stop();
    await stack.stop();
  });

  /** A fresh user with `points`, an ACTIVE queue token and a held seat. */
  async function buyer(points: number) {
    const [user] = await stack.users(1);
    if (points > 0) await kit.charge(user!, points);
    const token = await stack.queueToken(user!);
    const ticket = await stack.hold(token, showtimeId, seats[nextSeat++]!);
    return { user: user!, token, ticket, auth: { authorization: `Bearer ${token}` } };
  }

  const balanceOf = async (user: TestUser) => (await kit.call('GET', '/points', { user })).body.balance as number;

  it('when a user pays a held ticket, then 201 with the ticket price, the seat is SOLD, points are taken, the token expires', async () => {
    const { user, token, ticket, auth } = await buyer(20_000);
    const paid = await kit.call('POST', '/payments', { headers: auth, body: { ticket_id: ticket.id } });
    expect(paid.status).toBe(201);
    expect(paid.body).toEqual({
      id: expect.any(String),
      userId: user.id,
      amount: PRICE,
      ticketIds: [ticket.id],
      ticketId: ticket.id,
      paidAt: expect.stringMatching(/\+00:00$/),
    });
    expect(paid.headers.get('location')).toBe(`/payments/${paid.body.id}`);
    expect(await balanceOf(user)).toBe(20_000 - PRICE);
    const sold = await stack.internalTicket(ticket.id);
    expect(sold.body).toMatchObject({ status: 'SOLD', paymentId: paid.body.id });

    const event = await recorder.waitFor(
      'payment.completed',
      (e) => e.type === PaymentCompleted.type && e.aggregateId === paid.body.id,
    );
    expect(event.payload).toEqual({
      paymentId: paid.body.id,
      userId: user.id,
      ticketId: ticket.id,
      ticketIds: [ticket.id],
      amount: PRICE,
      paidAt: expect.any(String),
    });
    await waitFor('the queue token to expire', async () => (await stack.tokenStatus(token)) !== 'ACTIVE');

    const history = await kit.call('GET', '/payment_history', { headers: auth });
    expect(history.status).toBe(200);
    expect(history.body).toEqual([paid.body]);
    const one = await kit.call('GET', `/payments/${paid.body.id}`, { user });
    expect(one.body).toMatchObject({ status: 'COMPLETED', amount: PRICE });
  });

  it('when the user has too few points, then 400 and nothing is held or charged; the seat stays HELD', async () => {
    const { user, ticket, auth } = await buyer(PRICE - 1);
    const refused = await kit.call('POST', '/payments', { headers: auth, body: { ticket_id: ticket.id } });
    expect(refused.status).toBe(400);
    expect(refused.body.errors.code).toBe('NOT_ENOUGH_POINTS');
    expect(await balanceOf(user)).toBe(PRICE - 1);
    expect((await stack.internalTicket(ticket.id)).body.status).toBe('HELD');
    const { rowCount } = await kit.app.pg.query('SELECT 1 FROM payments WHERE ticket_id = $1', [ticket.id]);
    expect(rowCount).toBe(0);
  });

  it('when the same ticket is paid twice at once without a key, then exactly one charge', async () => {
    const { user, ticket, auth } = await buyer(100_000);
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => kit.call('POST', '/payments', { headers: auth, body: { ticket_id: ticket.id } })),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    expect(await balanceOf(user)).toBe(100_000 - PRICE);
    const uses = (await kit.call('GET', '/point_history', { user })).body.filter(
      (row: { pointType: string }) => row.pointType === 'USE',
    );
    expect(uses).toHaveLength(1);
  });

  it('when the same ticket is paid twice at once with the same Idempotency-Key, then one charge and both see the payment', async () => {
    const { user, ticket, auth } = await buyer(100_000);
    const headers = { ...auth, 'idempotency-key': `pay-${ticket.id}` };
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => kit.call('POST', '/payments', { headers, body: { ticket_id: ticket.id } })),
    );
    const ids = new Set(answers.filter((a) => a.status === 201 || a.status === 202).map((a) => a.body.id));
    expect(ids.size).toBe(1);
    expect(answers.every((a) => a.status === 201 || a.status === 202)).toBe(true);
    expect(await balanceOf(user)).toBe(100_000 - PRICE);
    // paying ended the token's ACTIVE life; a retry with the same key must still get the payment back
    await waitFor('the paid token to expire', async () => {
      const polled = await stack.queue!.inject({
        method: 'GET',
        url: '/tokens',
        headers: { authorization: auth.authorization },
      });
      return polled.json().status === 'EXPIRED';
    });
    const replay = await kit.call('POST', '/payments', { headers, body: { ticket_id: ticket.id } });
    expect(replay.status).toBe(201);
    expect(replay.body.id).toBe([...ids][0]);
    const other = await kit.call('POST', '/payments', {
      headers,
      body: { ticket_id: '00000000-0000-4000-8000-000000000000' },
    });
    expect(other.status).toBe(422);
  });

  it('when the hold has already expired, then 409 and nothing is charged', async () => {
    const { user, ticket, auth } = await buyer(50_000);
    // as if its time ran out: the ticket service's own sweeper releases it
    await stack.ticket!.pg.query(`UPDATE tickets SET held_until = now() - interval '1 second' WHERE id = $1`, [
      ticket.id,
    ]);
    await waitFor('the hold to expire', async () => (await stack.internalTicket(ticket.id)).body.status === 'EXPIRED');
    const refused = await kit.call('POST', '/payments', { headers: auth, body: { ticket_id: ticket.id } });
    expect(refused.status).toBe(409);
    expect(refused.body.errors.code).toBe('HOLD_EXPIRED');
    expect(await balanceOf(user)).toBe(50_000);
  });

  it("when someone pays another user's ticket or an unknown one, then 404 either way (same body); without an ACTIVE token, then 401", async () => {
    const { ticket } = await buyer(0);
    const other = await buyer(50_000);
    const missingId = '00000000-0000-4000-8000-000000000000';
    const theirs = await kit.call('POST', '/payments', { headers: other.auth, body: { ticket_id: ticket.id } });
    const missing = await kit.call('POST', '/payments', { headers: other.auth, body: { ticket_id: missingId } });
    expect([theirs.status, missing.status]).toEqual([404, 404]);
    expect(JSON.stringify(theirs.body).replaceAll(ticket.id, 'ID')).toBe(
      JSON.stringify(missing.body).replaceAll(missingId, 'ID'),
    );
    expect((await kit.call('POST', '/payments', { body: { ticket_id: ticket.id } })).status).toBe(401);
    expect(await balanceOf(other.user)).toBe(50_000);
  });

  describe('several tickets in one payment (ticket_ids)', () => {
    /** A fresh user with `points`, an ACTIVE token and `count` held seats. */
    async function buyerOf(count: number, points: number) {
      const first = await buyer(points);
      const more = [];
      for (let i = 1; i < count; i++) more.push(await stack.hold(first.token, showtimeId, seats[nextSeat++]!));
      return { ...first, tickets: [first.ticket, ...more] };
    }
    const ledgerRows = async (user: TestUser) => (await kit.call('GET', '/point_history', { user })).body as unknown[];

    it('when 3 holds are paid at once, then one payment of their total, one USE row, all SOLD to it', async () => {
      const { user, tickets, auth } = await buyerOf(3, 3 * PRICE);
      const ids = tickets.map((ticket) => ticket.id);
      const rowsBefore = (await ledgerRows(user)).length;
      const paid = await kit.call('POST', '/payments', { headers: auth, body: { ticket_ids: ids, price: 3 * PRICE } });
      expect(paid.status).toBe(201);
      expect(paid.body).toMatchObject({ amount: 3 * PRICE, ticketId: expect.any(String) });
      expect([...paid.body.ticketIds].sort()).toEqual([...ids].sort());
      expect(await balanceOf(user)).toBe(0);
      expect((await ledgerRows(user)).length).toBe(rowsBefore + 1);
      for (const id of ids)
        expect((await stack.internalTicket(id)).body).toMatchObject({ status: 'SOLD', paymentId: paid.body.id });
      const event = await recorder.waitFor(
        'payment.completed of the three',
        (e) => e.type === PaymentCompleted.type && e.aggregateId === paid.body.id,
      );
      expect([...(event.payload as { ticketIds: string[] }).ticketIds].sort()).toEqual([...ids].sort());
    });

    it('when one of the tickets is already paid, then 409 and the other is neither charged nor sold', async () => {
      const { user, tickets, token, auth } = await buyerOf(2, 2 * PRICE);
      // the second hold is paid alone first, so the pair cannot be bought whole (and the token stays: one is left)
      const alone = await kit.call('POST', '/payments', { headers: auth, body: { ticket_id: tickets[1]!.id } });
      expect(alone.status).toBe(201);
      const pair = await kit.call('POST', '/payments', {
        headers: { authorization: `Bearer ${token}` },
        body: { ticket_ids: tickets.map((ticket) => ticket.id) },
      });
      expect(pair.status).toBe(409);
      expect(pair.body.errors.code).toBe('ALREADY_PAID');
      expect(await balanceOf(user)).toBe(PRICE);
      expect((await stack.internalTicket(tickets[0]!.id)).body).toMatchObject({ status: 'HELD', paymentId: null });
    });

    it('when the points cover only some of the tickets, then 400 and none is paid', async () => {
      const { user, tickets, auth } = await buyerOf(2, PRICE);
      const paid = await kit.call('POST', '/payments', {
        headers: auth,
        body: { ticket_ids: tickets.map((ticket) => ticket.id) },
      });
      expect(paid.status).toBe(400);
      expect(await balanceOf(user)).toBe(PRICE);
      for (const ticket of tickets) expect((await stack.internalTicket(ticket.id)).body.status).toBe('HELD');
    });

    it('when the body names its tickets both ways or neither, then 422; another user_id is 403; a wrong price is 409', async () => {
      const { user, ticket, auth } = await buyer(2 * PRICE);
      const both = await kit.call('POST', '/payments', {
        headers: auth,
        body: { ticket_id: ticket.id, ticket_ids: [ticket.id] },
      });
      expect(both.status).toBe(422);
      expect((await kit.call('POST', '/payments', { headers: auth, body: {} })).status).toBe(422);
      const other = await kit.call('POST', '/payments', {
        headers: auth,
        body: { ticket_id: ticket.id, user_id: user.id + 1 },
      });
      expect(other.status).toBe(403);
      const wrongPrice = await kit.call('POST', '/payments', {
        headers: auth,
        body: { ticket_id: ticket.id, price: PRICE - 1 },
      });
      expect(wrongPrice.status).toBe(409);
      expect(wrongPrice.body.errors.code).toBe('PRICE_MISMATCH');
      expect(await balanceOf(user)).toBe(2 * PRICE);
      const seedBody = await kit.call('POST', '/payments', {
        headers: auth,
        body: { user_id: user.id, ticket_id: ticket.id, price: PRICE },
      });
      expect(seedBody.status).toBe(201);
      expect(await balanceOf(user)).toBe(PRICE);
    });
  });
});
