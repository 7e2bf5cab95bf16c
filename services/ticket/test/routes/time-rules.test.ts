import { setTimeout as sleep } from 'node:timers/promises';
import { TicketHarness, type TestUser } from '../harness';

describe('time rules: no holds once a showtime has started or before its sales open', () => {
  const harness = new TicketHarness();
  let admin: TestUser;
  let tokens: string[];

  const hold = (userIndex: number, showtimeId: number, seatId: number) =>
    harness.hold(tokens[userIndex]!, { showtime_id: showtimeId, seat_id: seatId });
  const iso = (ms: number) => new Date(ms).toISOString().replace(/Z$/, '+00:00');
  const seatStatus = (seatId: number) => harness.seatStatus(seatId);

  beforeAll(async () => {
    await harness.start();
    [admin] = (await harness.users(1, 'admin')) as [TestUser];
    ({ tokens } = await harness.buyers(3));
  });
  afterAll(() => harness.stop());

  it('when a showtime has started, then a hold is 409 SHOWTIME_STARTED, the seat stays free, and it is not listed', async () => {
    const startsAt = iso(Date.now() - 60_000);
    const started = await harness.showtime(admin!, 2, 10_000, { startsAt });
    const refused = await hold(0, started.showtimeId, started.seatIds[0]!);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().errors).toMatchObject({
      code: 'SHOWTIME_STARTED',
      message: `This showtime started at ${startsAt}; it is no longer on sale.`,
      detail: [{ location: 'body', param: 'showtime_id', value: started.showtimeId }],
    });
    expect(await seatStatus(started.seatIds[0]!)).toBe('AVAILABLE');
    expect(
      await harness.app.pg.query('SELECT 1 FROM tickets WHERE showtime_id = $1', [started.showtimeId]),
    ).toMatchObject({ rowCount: 0 });

    const auth = { authorization: `Bearer ${tokens[0]}` };
    const listed = await harness.app.inject({ method: 'GET', url: `/concerts/${started.concertId}`, headers: auth });
    expect(listed.statusCode).toBe(200);
    expect(listed.json()).toEqual([]); // a started showtime is off the list
    // its seat map can still be read (who sits where), it just takes no holds
    const seats = await harness.app.inject({
      method: 'GET',
      url: `/concerts/${started.concertId}/${started.showtimeId}`,
      headers: auth,
    });
    expect(seats.statusCode).toBe(200);
    expect(seats.json()).toHaveLength(2);
  });

  it('when sales open later, then the showtime is listed with salesOpenAt and a hold is 409 "Sales open at …"; once open, 201', async () => {
    const opensAtMs = Math.ceil((Date.now() + 2_500) / 1000) * 1000; // whole seconds, as an admin would set it
    const created = await harness.app.inject({
      method: 'POST',
      url: '/admin/concerts',
      headers: { 'user-token': admin!.token },
      payload: { name: 'Later', performer: 'The Testers' },
    });
    const concertId = created.json().id as number;
    const showtime = await harness.app.inject({
      method: 'POST',
      url: `/admin/concerts/${concertId}/showtimes`,
      headers: { 'user-token': admin!.token },
      payload: {
        starts_at: '2047-10-21T19:00:00+09:00',
        venue: 'Test Hall',
        sales_open_at: iso(opensAtMs),
        seats: [{ seat_no: 'A1', price: 5_000 }],
      },
    });
    expect(showtime.statusCode).toBe(201);
    const expectedOpen = iso(opensAtMs);
    expect(showtime.json()).toMatchObject({ salesOpenAt: expectedOpen, availableSeats: 1 });
    const showtimeId = showtime.json().id as number;
    const seatId = (await harness.app.pg.query('SELECT id FROM seats WHERE showtime_id = $1', [showtimeId])).rows[0]
      .id as number;

    const listed = await harness.app.inject({
      method: 'GET',
      url: `/concerts/${concertId}`,
      headers: { authorization: `Bearer ${tokens[1]}` },
    });
    expect(listed.json()).toEqual([expect.objectContaining({ id: showtimeId, salesOpenAt: expectedOpen })]);

    const early = await hold(1, showtimeId, seatId);
    expect(early.statusCode).toBe(409);
    expect(early.json().errors).toMatchObject({
      code: 'SALES_NOT_OPEN',
      message: `Sales open at ${expectedOpen}.`,
      detail: [{ param: 'showtime_id', salesOpenAt: expectedOpen }],
    });
    expect(await seatStatus(seatId)).toBe('AVAILABLE');

    await sleep(Math.max(0, opensAtMs - Date.now()) + 100);
    const onTime = await hold(1, showtimeId, seatId);
    expect(onTime.statusCode).toBe(201);
    expect(onTime.json()).toMatchObject({ status: 'HELD', price: 5_000 });
  });

  it('when sales opened in the past or no opening is set, then a hold is 201; a malformed opening is 422', async () => {
    const opened = await harness.showtime(admin!, 1, 10_000, { salesOpenAt: iso(Date.now() - 60_000) });
    expect((await hold(2, opened.showtimeId, opened.seatIds[0]!)).statusCode).toBe(201);
    const open = await harness.showtime(admin!, 1, 10_000);
    expect((await hold(2, open.showtimeId, open.seatIds[0]!)).statusCode).toBe(201);
    const nulled = (await harness.app.pg.query('SELECT sales_open_at FROM showtimes WHERE id = $1', [open.showtimeId]))
      .rows[0];
    expect(nulled).toEqual({ sales_open_at: null });

    const bad = await harness.app.inject({
      method: 'POST',
      url: `/admin/concerts/${open.concertId}/showtimes`,
      headers: { 'user-token': admin!.token },
      payload: {
        starts_at: '2047-10-21T19:00:00+09:00',
        venue: 'X',
        sales_open_at: 'soon',
        seats: [{ seat_no: 'A', price: 1 }],
      },
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors.detail).toEqual([expect.objectContaining({ param: 'sales_open_at', value: 'soon' })]);
  });
});
