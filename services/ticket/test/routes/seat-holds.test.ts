import { TicketChanged } from '@boxoffice/contracts';
import { waitFor } from '@boxoffice/testing';
import { TicketHarness, ticketSuite, type TestUser } from '../harness';

describe('seat holds behind the waiting room', () => {
  // the races below let the first of 20 users win seat after seat: no per-user hold cap here (hold-cap.test.ts has it)
  const harness = new TicketHarness({
    ticket: { SEAT_HOLD_TTL_SECONDS: '2', SEAT_SWEEP_INTERVAL_MS: '200', MAX_HOLDS_PER_USER: '1000' },
  });
  const suite = ticketSuite(harness, 20);
  const { users, tokens } = suite;

  const hold = (token: string, showtimeId: number, seatId: number, headers: Record<string, string> = {}) =>
    harness.hold(token, { showtime_id: showtimeId, seat_id: seatId }, headers);

  it('when 200 holds race for one seat, then exactly one 201 and 199 409s, twenty times over', async () => {
    const { showtimeId, seatIds } = await harness.showtime(suite.admin, 20);
    for (const seatId of seatIds) {
      const answers = await Promise.all(
        Array.from({ length: 200 }, (_, index) => hold(tokens[index % tokens.length]!, showtimeId, seatId)),
      );
      const codes = answers.map((answer) => answer.statusCode);
      expect(codes.filter((code) => code === 201)).toHaveLength(1);
      expect(codes.filter((code) => code === 409)).toHaveLength(199);
      const { rows } = await harness.app.pg.query(
        "SELECT count(*)::int AS n FROM tickets WHERE seat_id = $1 AND status IN ('HELD', 'SOLD')",
        [seatId],
      );
      expect(rows[0].n).toBeLessThanOrEqual(1); // 1, or 0 if its 2 s hold already expired
    }
  });

  it('when a seat is held, then 201 with the ticket, Location, and the seat shows HELD to everyone', async () => {
    const { concertId, showtimeId, seatIds } = await harness.showtime(suite.admin, 3, 55_000);
    const answer = await hold(tokens[0]!, showtimeId, seatIds[0]!);
    expect(answer.statusCode).toBe(201);
    const ticket = answer.json();
    expect(ticket).toMatchObject({
      concertName: expect.stringMatching(/^Concert /),
      seatNo: 'S1',
      price: 55_000,
      status: 'HELD',
      venue: 'Test Hall',
    });
    expect(answer.headers.location).toBe(`/tickets/${ticket.id}`);
    expect(Date.parse(ticket.heldUntil) - Date.parse(ticket.reservedAt)).toBeGreaterThan(1_000);
    const seats = await harness.app.inject({
      method: 'GET',
      url: `/concerts/${concertId}/${showtimeId}`,
      headers: { authorization: `Bearer ${tokens[1]}` },
    });
    expect(seats.json().find((seat: { id: number }) => seat.id === seatIds[0])).toMatchObject({
      seatNo: 'S1',
      status: 'HELD',
    });
  });

  it('when a 2 s hold is not paid, then with no request made the seat is AVAILABLE again within 4 s and the ticket EXPIRED', async () => {
    const { showtimeId, seatIds } = await harness.showtime(suite.admin, 1);
    const ticket = (await hold(tokens[2]!, showtimeId, seatIds[0]!)).json();
    await waitFor(
      'the seat to be AVAILABLE again',
      async () =>
        (await harness.app.pg.query("SELECT 1 FROM seats WHERE id = $1 AND status = 'AVAILABLE'", [seatIds[0]]))
          .rowCount === 1,
      { timeoutMs: 4_000, intervalMs: 100 },
    );
    const mine = await harness.app.inject({
      method: 'GET',
      url: `/tickets/${ticket.id}`,
      headers: { authorization: `Bearer ${tokens[2]}` },
    });
    expect(mine.json().status).toBe('EXPIRED');
    // the release is published once, as the ticket's EXPIRED state; the seat is free again, changed twice in all
    await suite.recorder.waitForEvent(
      TicketChanged,
      'ticket EXPIRED event',
      (e) => e.aggregateId === ticket.id && e.payload.status === 'EXPIRED',
    );
    const seat = await harness.app.pg.query('SELECT status, ticket_id, revision FROM seats WHERE id = $1', [
      seatIds[0],
    ]);
    expect(seat.rows).toEqual([{ status: 'AVAILABLE', ticket_id: null, revision: 3 }]);
    expect(
      suite.recorder.of(TicketChanged).filter((e) => e.aggregateId === ticket.id && e.payload.status === 'EXPIRED'),
    ).toHaveLength(1);
    // and someone else can hold it now
    expect((await hold(tokens[3]!, showtimeId, seatIds[0]!)).statusCode).toBe(201);
  });

  it('when the Redis lock is lost (as after a Redis restart), then PostgreSQL still refuses a second hold', async () => {
    const { showtimeId, seatIds } = await harness.showtime(suite.admin, 1);
    expect((await hold(tokens[4]!, showtimeId, seatIds[0]!)).statusCode).toBe(201);
    const key = `${harness.ticketEnv.REDIS_KEY_PREFIX}seat:${showtimeId}:${seatIds[0]}`;
    await harness.app.redis.del(key);
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, index) => hold(tokens[5 + (index % 10)]!, showtimeId, seatIds[0]!)),
    );
    expect(answers.every((answer) => answer.statusCode === 409)).toBe(true);
    expect(await harness.app.redis.get(key)).not.toBeNull(); // re-learned from PostgreSQL
  });

  it('when a hold is retried with the same Idempotency-Key, then the first ticket is replayed', async () => {
    const { showtimeId, seatIds } = await harness.showtime(suite.admin, 2);
    const key = { 'idempotency-key': `hold-${Date.now()}` };
    const first = await hold(tokens[6]!, showtimeId, seatIds[0]!, key);
    const again = await hold(tokens[6]!, showtimeId, seatIds[0]!, key);
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.json().id).toBe(first.json().id);
    expect((await hold(tokens[6]!, showtimeId, seatIds[1]!, key)).statusCode).toBe(422);
  });

  it("when a user asks for another user's ticket, then 404; their list shows only their own", async () => {
    const { showtimeId, seatIds } = await harness.showtime(suite.admin, 1);
    const ticket = (await hold(tokens[7]!, showtimeId, seatIds[0]!)).json();
    const other = await harness.app.inject({
      method: 'GET',
      url: `/tickets/${ticket.id}`,
      headers: { authorization: `Bearer ${tokens[8]}` },
    });
    expect(other.statusCode).toBe(404);
    const byUserToken = await harness.app.inject({
      method: 'GET',
      url: '/tickets',
      headers: { 'user-token': users[7]!.token },
    });
    expect(byUserToken.statusCode).toBe(200);
    expect(byUserToken.json()[0].id).toBe(ticket.id);
    const othersList = await harness.app.inject({
      method: 'GET',
      url: '/tickets',
      headers: { authorization: `Bearer ${tokens[8]}` },
    });
    expect(othersList.json().map((t: { id: string }) => t.id)).not.toContain(ticket.id);
  });

  it('when there is no queue token, or a forged one, then 401 on concert routes', async () => {
    const { concertId, showtimeId, seatIds } = await harness.showtime(suite.admin, 1);
    for (const url of ['/concerts', `/concerts/${concertId}`, `/concerts/${concertId}/${showtimeId}`]) {
      expect((await harness.app.inject({ method: 'GET', url })).statusCode).toBe(401);
    }
    expect(
      (
        await harness.app.inject({
          method: 'POST',
          url: '/tickets',
          payload: { showtime_id: showtimeId, seat_id: seatIds[0] },
        })
      ).statusCode,
    ).toBe(401);
    const forged = `${tokens[0]!.slice(0, -4)}AAAA`;
    expect((await hold(forged, showtimeId, seatIds[0]!)).statusCode).toBe(401);
  });

  it('when browsing with an ACTIVE token, then concerts, showtimes with free seats, and seats are listed', async () => {
    const { concertId, showtimeId } = await harness.showtime(suite.admin, 4);
    const auth = { authorization: `Bearer ${tokens[9]}` };
    const concerts = await harness.app.inject({ method: 'GET', url: '/concerts', headers: auth });
    expect(concerts.json()).toContainEqual({ id: concertId, name: expect.any(String), performer: 'The Testers' });
    const showtimes = await harness.app.inject({ method: 'GET', url: `/concerts/${concertId}`, headers: auth });
    expect(showtimes.json()).toEqual([
      {
        id: showtimeId,
        concertId,
        startsAt: '2047-10-21T10:00:00.000+00:00',
        venue: 'Test Hall',
        salesOpenAt: null,
        availableSeats: 4,
      },
    ]);
    expect((await harness.app.inject({ method: 'GET', url: '/concerts/999999', headers: auth })).statusCode).toBe(404);
  });
});

describe('seat holds with a full waiting room', () => {
  const harness = new TicketHarness({ queue: { QUEUE_MAX_ACTIVE: '1' } });
  afterAll(() => harness.stop());

  it('when the token is still WAITING, then 403 on concert routes', async () => {
    await harness.start();
    const [first, second] = (await harness.users(2)) as [TestUser, TestUser];
    await harness.queueToken(first, 'ACTIVE');
    const waiting = await harness.queueToken(second, 'WAITING');
    const response = await harness.app.inject({
      method: 'GET',
      url: '/concerts',
      headers: { authorization: `Bearer ${waiting}` },
    });
    expect(response.statusCode).toBe(403);
  });
});

describe('seat holds without the Redis fast path', () => {
  const harness = new TicketHarness({ ticket: { SEAT_LOCKS_ENABLED: 'false' } });
  afterAll(() => harness.stop());

  it('when 200 holds race for one seat with PostgreSQL alone deciding, then exactly one 201, five times over', async () => {
    await harness.start();
    const [admin] = await harness.users(1, 'admin');
    const users = await harness.users(10);
    const tokens = await Promise.all(users.map((user) => harness.queueToken(user)));
    const { showtimeId, seatIds } = await harness.showtime(admin!, 5);
    for (const seatId of seatIds) {
      const answers = await Promise.all(
        Array.from({ length: 200 }, (_, index) =>
          harness.app.inject({
            method: 'POST',
            url: '/tickets',
            headers: { authorization: `Bearer ${tokens[index % tokens.length]}` },
            payload: { showtime_id: showtimeId, seat_id: seatId },
          }),
        ),
      );
      const codes = answers.map((answer) => answer.statusCode);
      expect(codes.filter((code) => code === 201)).toHaveLength(1);
      expect(codes.filter((code) => code === 409)).toHaveLength(199);
    }
  });
});
