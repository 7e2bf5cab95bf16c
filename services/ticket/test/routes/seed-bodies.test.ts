import { TicketHarness, type TestUser } from '../harness';

describe("seed 000's hold bodies: user_id and price in POST /tickets", () => {
  const harness = new TicketHarness();
  let admin: TestUser;
  let users: TestUser[];
  let tokens: string[];

  const hold = (userIndex: number, payload: Record<string, unknown>) => harness.hold(tokens[userIndex]!, payload);
  const seatStatus = (seatId: number) => harness.seatStatus(seatId);

  beforeAll(async () => {
    await harness.start();
    [admin] = (await harness.users(1, 'admin')) as [TestUser];
    ({ users, tokens } = await harness.buyers(3));
  });
  afterAll(() => harness.stop());

  it("when user_id is the caller's own (number or string) and price is the seat's, then 201", async () => {
    const { showtimeId, seatIds } = await harness.showtime(admin!, 2, 77_000);
    const asNumber = await hold(0, {
      user_id: users[0]!.id,
      showtime_id: showtimeId,
      seat_id: seatIds[0],
      price: 77_000,
    });
    expect(asNumber.statusCode).toBe(201);
    expect(asNumber.json()).toMatchObject({ status: 'HELD', price: 77_000 });
    const asString = await hold(0, { user_id: String(users[0]!.id), showtime_id: showtimeId, seat_id: seatIds[1] });
    expect(asString.statusCode).toBe(201);
  });

  it('when user_id names another user, then 403 NOT_YOUR_ACCOUNT, no ticket, and the seat is free for its next taker', async () => {
    const { showtimeId, seatIds } = await harness.showtime(admin!, 1);
    const refused = await hold(1, { user_id: users[2]!.id, showtime_id: showtimeId, seat_id: seatIds[0] });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().errors).toMatchObject({
      code: 'NOT_YOUR_ACCOUNT',
      message: "The body's user_id names another user than your credentials do.",
      detail: [{ location: 'body', param: 'user_id', value: users[2]!.id }],
    });
    expect(await seatStatus(seatIds[0]!)).toBe('AVAILABLE');
    expect((await hold(2, { showtime_id: showtimeId, seat_id: seatIds[0] })).statusCode).toBe(201);
  });

  it("when price is not the seat's, then 409 PRICE_MISMATCH giving the price, no hold, and the seat is free at once", async () => {
    const { showtimeId, seatIds } = await harness.showtime(admin!, 1, 10_000);
    const refused = await hold(1, { showtime_id: showtimeId, seat_id: seatIds[0], price: 9_000 });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().errors).toMatchObject({
      code: 'PRICE_MISMATCH',
      message: "The seat's price is 10000, not 9000.",
      detail: [{ location: 'body', param: 'price', value: 9_000, actual: 10_000 }],
    });
    expect(await seatStatus(seatIds[0]!)).toBe('AVAILABLE');
    expect(await harness.app.pg.query('SELECT 1 FROM tickets WHERE seat_id = $1', [seatIds[0]])).toMatchObject({
      rowCount: 0,
    });
    // the Redis lock the refused attempt won was dropped
    expect((await hold(2, { showtime_id: showtimeId, seat_id: seatIds[0], price: 10_000 })).statusCode).toBe(201);
  });

  it('when the body carries an unknown field or a malformed user_id, then 422 as before', async () => {
    const { showtimeId, seatIds } = await harness.showtime(admin!, 1);
    const unknown = await hold(0, { showtime_id: showtimeId, seat_id: seatIds[0], seat_no: 'S1' });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().errors.detail).toEqual([
      expect.objectContaining({ param: 'seat_no', error: 'UnknownField' }),
    ]);
    const malformed = await hold(0, { user_id: 'me', showtime_id: showtimeId, seat_id: seatIds[0] });
    expect(malformed.statusCode).toBe(422);
    expect(await seatStatus(seatIds[0]!)).toBe('AVAILABLE');
  });
});
