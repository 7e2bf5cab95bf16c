import { TicketHarness, type TestUser } from '../harness';

describe('anti-bot cap on live holds per user and showtime (MAX_HOLDS_PER_USER)', () => {
  const harness = new TicketHarness({ ticket: { MAX_HOLDS_PER_USER: '2', SEAT_HOLD_TTL_SECONDS: '300' } });
  let admin: TestUser;

  const hold = (token: string, showtimeId: number, seatId: number) =>
    harness.hold(token, { showtime_id: showtimeId, seat_id: seatId });
  const liveHolds = async (userId: number, showtimeId: number) =>
    (
      await harness.app.pg.query(
        "SELECT count(*)::int AS n FROM tickets WHERE user_id = $1 AND showtime_id = $2 AND status = 'HELD'",
        [userId, showtimeId],
      )
    ).rows[0].n;

  beforeAll(async () => {
    await harness.start();
    [admin] = (await harness.users(1, 'admin')) as [TestUser];
  });
  afterAll(async () => {
    await harness.stop();
  });

  it('when a user already holds the cap in a showtime, then the next hold is 400 HOLD_LIMIT_REACHED and the seat stays free for others', async () => {
    const [user, other] = await harness.users(2);
    const [token, otherToken] = await Promise.all([harness.queueToken(user!), harness.queueToken(other!)]);
    const { showtimeId, seatIds } = await harness.showtime(admin!, 5);
    const second = await harness.showtime(admin!, 1);

    expect((await hold(token, showtimeId, seatIds[0]!)).statusCode).toBe(201);
    expect((await hold(token, showtimeId, seatIds[1]!)).statusCode).toBe(201);
    const refused = await hold(token, showtimeId, seatIds[2]!);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().errors).toMatchObject({
      code: 'HOLD_LIMIT_REACHED',
      detail: [{ location: 'body', param: 'showtime_id', value: showtimeId }],
    });

    // the refused seat was not left locked in Redis: another user takes it at once
    expect((await hold(otherToken, showtimeId, seatIds[2]!)).statusCode).toBe(201);
    // the cap is per showtime
    expect((await hold(token, second.showtimeId, second.seatIds[0]!)).statusCode).toBe(201);
    expect(await liveHolds(user!.id, showtimeId)).toBe(2);
  });

  it('when a hold expires, then it no longer counts against the cap', async () => {
    const [user] = await harness.users(1);
    const token = await harness.queueToken(user!);
    const { showtimeId, seatIds } = await harness.showtime(admin!, 3);
    const first = (await hold(token, showtimeId, seatIds[0]!)).json();
    expect((await hold(token, showtimeId, seatIds[1]!)).statusCode).toBe(201);
    expect((await hold(token, showtimeId, seatIds[2]!)).statusCode).toBe(400);

    await harness.app.pg.query("UPDATE tickets SET held_until = now() - interval '1 second' WHERE id = $1", [first.id]);
    expect((await hold(token, showtimeId, seatIds[2]!)).statusCode).toBe(201);
  });

  it('when one user fires 20 holds on different seats at once, then exactly the cap is held', async () => {
    const [user] = await harness.users(1);
    const token = await harness.queueToken(user!);
    const { showtimeId, seatIds } = await harness.showtime(admin!, 20);
    const codes = (await Promise.all(seatIds.map((seatId) => hold(token, showtimeId, seatId)))).map(
      (answer) => answer.statusCode,
    );
    expect(codes.filter((code) => code === 201)).toHaveLength(2);
    expect(codes.filter((code) => code === 400)).toHaveLength(18);
    expect(await liveHolds(user!.id, showtimeId)).toBe(2);
  });
});
