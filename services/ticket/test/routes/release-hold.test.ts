import { randomUUID } from 'node:crypto';
import { TicketChanged } from '@boxoffice/contracts';
import { INTERNAL, TicketHarness, ticketSuite } from '../harness';

describe('releasing a hold (DELETE /tickets/{id})', () => {
  // a hold lasts 5 min here: a seat free again within the test can only be the release's doing
  const harness = new TicketHarness({ ticket: { SEAT_HOLD_TTL_SECONDS: '300' } });
  const suite = ticketSuite(harness, 6);
  const { users, tokens } = suite;

  const hold = (userIndex: number, showtimeId: number, seatId: number) =>
    harness.hold(tokens[userIndex]!, { showtime_id: showtimeId, seat_id: seatId });
  const release = (ticketId: string, headers: Record<string, string>) =>
    harness.app.inject({ method: 'DELETE', url: `/tickets/${ticketId}`, headers });
  const byQueueToken = (userIndex: number) => ({ authorization: `Bearer ${tokens[userIndex]}` });
  const seatOf = async (seatId: number) =>
    (await harness.app.pg.query('SELECT status, ticket_id FROM seats WHERE id = $1', [seatId])).rows[0];
  const ticketStatus = async (ticketId: string) =>
    (await harness.app.pg.query('SELECT status FROM tickets WHERE id = $1', [ticketId])).rows[0].status;

  it('when the holder releases a hold, then 204, the ticket RELEASED, the seat AVAILABLE and another user holds it at once', async () => {
    const { concertId, showtimeId, seatIds } = await harness.showtime(suite.admin, 1);
    const ticket = (await hold(0, showtimeId, seatIds[0]!)).json();
    expect((await hold(1, showtimeId, seatIds[0]!)).statusCode).toBe(409); // the Redis lock answers for the hold

    const released = await release(ticket.id, byQueueToken(0));
    expect(released.statusCode).toBe(204);
    expect(released.body).toBe('');
    expect(await ticketStatus(ticket.id)).toBe('RELEASED');
    expect(await seatOf(seatIds[0]!)).toEqual({ status: 'AVAILABLE', ticket_id: null });
    const seats = await harness.app.inject({
      method: 'GET',
      url: `/concerts/${concertId}/${showtimeId}`,
      headers: byQueueToken(2),
    });
    expect(seats.json()).toEqual([expect.objectContaining({ id: seatIds[0], status: 'AVAILABLE' })]);

    // no wait: the Redis lock went with the release
    const next = await hold(1, showtimeId, seatIds[0]!);
    expect(next.statusCode).toBe(201);
    expect(await seatOf(seatIds[0]!)).toEqual({ status: 'HELD', ticket_id: next.json().id });

    const mine = await harness.app.inject({ method: 'GET', url: `/tickets/${ticket.id}`, headers: byQueueToken(0) });
    expect(mine.json()).toMatchObject({ id: ticket.id, status: 'RELEASED' });
    expect(Date.parse(mine.json().heldUntil)).toBeLessThanOrEqual(Date.now()); // the hold ended at the release
  });

  it('when a hold is released, then one ticket.changed RELEASED is published through the outbox', async () => {
    const { showtimeId, seatIds } = await harness.showtime(suite.admin, 1, 42_000);
    const ticket = (await hold(2, showtimeId, seatIds[0]!)).json();
    expect((await release(ticket.id, byQueueToken(2))).statusCode).toBe(204);
    const event = await suite.recorder.waitForEvent(
      TicketChanged,
      'ticket RELEASED event',
      (e) => e.aggregateId === ticket.id && e.payload.status === 'RELEASED',
    );
    expect(event.payload).toMatchObject({
      id: ticket.id,
      userId: users[2]!.id,
      showtimeId,
      seatId: seatIds[0],
      price: 42_000,
      status: 'RELEASED',
      paymentId: null,
    });
    expect(event.aggregateVersion).toBe(2); // HELD was 1
    const { rows } = await harness.app.pg.query(
      "SELECT count(*)::int AS n FROM outbox WHERE aggregate_id = $1 AND payload->'payload'->>'status' = 'RELEASED'",
      [ticket.id],
    );
    expect(rows[0].n).toBe(1);
  });

  it('when a hold is released twice, or an unknown ticket is released, then 404 with the error body, never a 500', async () => {
    const { showtimeId, seatIds } = await harness.showtime(suite.admin, 1);
    const ticket = (await hold(3, showtimeId, seatIds[0]!)).json();
    expect((await release(ticket.id, byQueueToken(3))).statusCode).toBe(204);
    const again = await release(ticket.id, byQueueToken(3));
    expect(again.statusCode).toBe(404);
    expect(again.json().errors).toMatchObject({
      code: 'NOT_FOUND',
      message: `Hold with ticket id: ${ticket.id} doesn't exist (the ticket is RELEASED).`,
    });
    const unknown = randomUUID();
    const missing = await release(unknown, byQueueToken(3));
    expect(missing.statusCode).toBe(404);
    expect(missing.json().errors.message).toBe(`Ticket with ticket id: ${unknown} doesn't exist.`);
    // a second release changed nothing: still one RELEASED event's worth of revisions
    expect((await harness.app.pg.query('SELECT revision FROM tickets WHERE id = $1', [ticket.id])).rows[0]).toEqual({
      revision: 2,
    });
  });

  it("when a user releases another user's hold, then 404 as if it did not exist, and the hold stands", async () => {
    const { showtimeId, seatIds } = await harness.showtime(suite.admin, 1);
    const ticket = (await hold(4, showtimeId, seatIds[0]!)).json();
    const other = await release(ticket.id, byQueueToken(5));
    expect(other.statusCode).toBe(404);
    expect(other.json().errors.message).toBe(`Ticket with ticket id: ${ticket.id} doesn't exist.`);
    const byUserToken = await release(ticket.id, { 'user-token': users[5]!.token });
    expect(byUserToken.statusCode).toBe(404);
    expect(await ticketStatus(ticket.id)).toBe('HELD');
    expect(await seatOf(seatIds[0]!)).toEqual({ status: 'HELD', ticket_id: ticket.id });
  });

  it('when the holder comes with USER-TOKEN alone (no queue token), then the release is theirs too; no credentials, 401', async () => {
    const { showtimeId, seatIds } = await harness.showtime(suite.admin, 1);
    const ticket = (await hold(4, showtimeId, seatIds[0]!)).json();
    expect((await release(ticket.id, {})).statusCode).toBe(401);
    expect((await release(ticket.id, { 'user-token': users[4]!.token })).statusCode).toBe(204);
    expect(await seatOf(seatIds[0]!)).toEqual({ status: 'AVAILABLE', ticket_id: null });
  });

  it('when the ticket is sold, then 409 TICKET_SOLD pointing at cancellation, and it stays SOLD', async () => {
    const { showtimeId, seatIds } = await harness.showtime(suite.admin, 1);
    const ticket = (await hold(5, showtimeId, seatIds[0]!)).json();
    const sold = await harness.confirm(ticket.id, randomUUID(), users[5]!.id);
    expect(sold.statusCode).toBe(200);
    const refused = await release(ticket.id, byQueueToken(5));
    expect(refused.statusCode).toBe(409);
    expect(refused.json().errors).toMatchObject({
      code: 'TICKET_SOLD',
      message: `Ticket ${ticket.id} is sold, so there is no hold to release; cancel it with POST /tickets/${ticket.id}/cancel.`,
    });
    expect(await ticketStatus(ticket.id)).toBe('SOLD');
    expect(await seatOf(seatIds[0]!)).toEqual({ status: 'SOLD', ticket_id: ticket.id });
  });

  it('when a released hold is paid afterwards, then the sale is refused HOLD_RELEASED and the seat stays free', async () => {
    const { showtimeId, seatIds } = await harness.showtime(suite.admin, 1);
    const ticket = (await hold(0, showtimeId, seatIds[0]!)).json();
    expect((await release(ticket.id, byQueueToken(0))).statusCode).toBe(204);
    const late = await harness.confirm(ticket.id, randomUUID(), users[0]!.id);
    expect(late.statusCode).toBe(409);
    expect(late.json().errors.code).toBe('HOLD_RELEASED');
    const internal = await harness.app.inject({
      method: 'GET',
      url: `/internal/tickets/${ticket.id}`,
      headers: INTERNAL,
    });
    expect(internal.statusCode).toBe(200);
    expect(internal.json().status).toBe('RELEASED');
    expect(await seatOf(seatIds[0]!)).toEqual({ status: 'AVAILABLE', ticket_id: null });
  });
});
