import { queueRoomOf, waitFor } from '@boxoffice/testing';
import { TicketHarness, type TestUser } from '../harness';

describe('concert routes take only a token of the waiting room that guards the concert', () => {
  const harness = new TicketHarness();
  let admin: TestUser;
  let roomed: { concertId: number; showtimeId: number; seatIds: number[] };
  let open: { concertId: number; showtimeId: number; seatIds: number[] };
  let roomId: string;
  let roomToken: string;
  let defaultToken: string;

  const call = (method: 'GET' | 'POST', url: string, token: string, payload?: object) =>
    harness.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, payload });
  const roomInReplica = async (state: string) =>
    (await harness.app.pg.query('SELECT 1 FROM queue_rooms_replica WHERE room_id = $1 AND state = $2', [roomId, state]))
      .rowCount === 1;

  beforeAll(async () => {
    await harness.start();
    [admin] = (await harness.users(1, 'admin')) as [TestUser];
    roomed = await harness.showtime(admin!, 3);
    open = await harness.showtime(admin!, 3);
    // the operator gives the first concert a sale of its own
    roomId = await queueRoomOf(harness.queueUrl, admin!, { concertId: roomed.concertId });
    await waitFor('the room in the ticket service', () => roomInReplica('OPEN'), { timeoutMs: 30_000 });
    const [buyer, browser] = await harness.users(2);
    roomToken = await harness.queueToken(buyer!, 'ACTIVE', { concertId: roomed.concertId });
    defaultToken = await harness.queueToken(browser!);
  });
  afterAll(() => harness.stop());

  it("when a room's token is used for its concert, then browsing and holding work", async () => {
    expect((await call('GET', `/concerts/${roomed.concertId}`, roomToken)).statusCode).toBe(200);
    expect((await call('GET', `/concerts/${roomed.concertId}/${roomed.showtimeId}`, roomToken)).statusCode).toBe(200);
    const held = await call('POST', '/tickets', roomToken, {
      showtime_id: roomed.showtimeId,
      seat_id: roomed.seatIds[0],
    });
    expect(held.statusCode).toBe(201);
    expect((await call('GET', '/concerts', roomToken)).statusCode).toBe(200); // the list belongs to no one concert
  });

  it("when a room's token is used for another concert, then 403 WrongRoom and no seat is held", async () => {
    for (const url of [`/concerts/${open.concertId}`, `/concerts/${open.concertId}/${open.showtimeId}`]) {
      const refused = await call('GET', url, roomToken);
      expect(refused.statusCode).toBe(403);
      expect(refused.json().errors.detail).toEqual([
        expect.objectContaining({ error: 'WrongRoom', tokenRoomId: roomId }),
      ]);
    }
    const hold = await call('POST', '/tickets', roomToken, { showtime_id: open.showtimeId, seat_id: open.seatIds[0] });
    expect(hold.statusCode).toBe(403);
    const seat = await harness.app.pg.query('SELECT status FROM seats WHERE id = $1', [open.seatIds[0]]);
    expect(seat.rows[0].status).toBe('AVAILABLE');
  });

  it('when a default-room token is used for a concert with its own room, then 403 naming that room; for the others it works', async () => {
    const refused = await call('GET', `/concerts/${roomed.concertId}`, defaultToken);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().errors.detail).toEqual([expect.objectContaining({ error: 'WrongRoom', roomId })]);
    const hold = await call('POST', '/tickets', defaultToken, {
      showtime_id: roomed.showtimeId,
      seat_id: roomed.seatIds[1],
    });
    expect(hold.statusCode).toBe(403);
    expect((await call('GET', `/concerts/${open.concertId}`, defaultToken)).statusCode).toBe(200);
    const other = await call('POST', '/tickets', defaultToken, {
      showtime_id: open.showtimeId,
      seat_id: open.seatIds[1],
    });
    expect(other.statusCode).toBe(201);
  });

  it("when the concert's room closes, then the default room's tokens are let in again", async () => {
    await harness.queue.inject({
      method: 'POST',
      url: `/admin/rooms/${roomId}/close`,
      headers: { 'user-token': admin!.token },
    });
    await waitFor('the close in the ticket service', () => roomInReplica('CLOSED'), { timeoutMs: 30_000 });
    await waitFor(
      'the default token let in',
      async () => (await call('GET', `/concerts/${roomed.concertId}`, defaultToken)).statusCode === 200,
    );
  });
});
