import { randomUUID } from 'node:crypto';
import {
  PaymentCompleted,
  TOPICS,
  TicketChanged,
  TicketPurchaseFinished,
  TicketSaleRefused,
} from '@boxoffice/contracts';
import { EventRecorder, PeerPublisher, waitFor } from '@boxoffice/testing';
import { INTERNAL, TicketHarness, type TestUser } from '../harness';

describe('selling held tickets: the payment service side', () => {
  const harness = new TicketHarness({ ticket: { SEAT_HOLD_TTL_SECONDS: '2', SEAT_SWEEP_INTERVAL_MS: '200' } });
  let admin: TestUser;
  let users: TestUser[];
  let tokens: string[];
  let recorder: EventRecorder;
  /** The payment service, as it publishes payment.completed: signed with its key (a ticket-signed one is forged). */
  let payments: PeerPublisher;

  const hold = async (userIndex: number, showtimeId: number, seatId: number) => {
    const answer = await harness.hold(tokens[userIndex]!, { showtime_id: showtimeId, seat_id: seatId });
    expect(answer.statusCode).toBe(201);
    return answer.json() as { id: string };
  };
  /** Waits for the sweeper to mark a hold EXPIRED (SEAT_HOLD_TTL_SECONDS is 2). */
  const untilExpired = (what: string, ticketId: string) =>
    waitFor(
      what,
      async () =>
        (await harness.app.pg.query("SELECT 1 FROM tickets WHERE id = $1 AND status = 'EXPIRED'", [ticketId]))
          .rowCount === 1,
      { timeoutMs: 4_000 },
    );

  beforeAll(async () => {
    await harness.start();
    recorder = await new EventRecorder(harness.prefix, [TOPICS.tickets]).start();
    payments = new PeerPublisher({ topicPrefix: harness.prefix, topics: [TOPICS.payments] });
    [admin] = (await harness.users(1, 'admin')) as [TestUser];
  });
  // a sale that leaves its buyer no live hold ends the buyer's queue token (ticket.purchase-finished), later, on
  // Kafka: a token re-issued to the same buyer may still be live and then end under the next test. Every test has
  // buyers of its own.
  beforeEach(async () => {
    ({ users, tokens } = await harness.buyers(4)); // the fourth only for the cancel with a key
  });
  afterAll(async () => {
    await recorder.stop();
    await payments.stop();
    await harness.stop();
  });

  it('when a held ticket is confirmed in time, then SOLD; the same payment again is 200 with the same ticket', async () => {
    const { showtimeId, seatIds } = await harness.showtime(admin!, 1, 70_000);
    const ticket = await hold(0, showtimeId, seatIds[0]!);
    const read = await harness.app.inject({ method: 'GET', url: `/internal/tickets/${ticket.id}`, headers: INTERNAL });
    expect(read.json()).toMatchObject({
      id: ticket.id,
      userId: users[0]!.id,
      showtimeId,
      seatId: seatIds[0],
      seatNo: 'S1',
      price: 70_000,
      status: 'HELD',
      paymentId: null,
    });

    const paymentId = randomUUID();
    const sold = await harness.confirm(ticket.id, paymentId, users[0]!.id);
    expect(sold.statusCode).toBe(200);
    expect(sold.json()).toMatchObject({ id: ticket.id, status: 'SOLD', paymentId });
    const again = await harness.confirm(ticket.id, paymentId, users[0]!.id);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(sold.json());

    const other = await harness.confirm(ticket.id, randomUUID(), users[0]!.id);
    expect(other.statusCode).toBe(409);
    expect(other.json().errors.code).toBe('ALREADY_SOLD');
    expect(await harness.seatStatus(seatIds[0]!)).toBe('SOLD');
  });

  it("when a payment's tickets are confirmed together and one hold has expired, then none is sold; the rest alone sells, and the buyer is done", async () => {
    const { concertId, showtimeId, seatIds } = await harness.showtime(admin!, 3);
    const lapsed = await hold(0, showtimeId, seatIds[0]!);
    await untilExpired('the first hold to expire', lapsed.id);
    const live = [await hold(0, showtimeId, seatIds[1]!), await hold(0, showtimeId, seatIds[2]!)];
    const confirmAll = (paymentId: string, ticketIds: string[]) =>
      harness.app.inject({
        method: 'POST',
        url: `/internal/payments/${paymentId}/confirm`,
        headers: INTERNAL,
        payload: { userId: users[0]!.id, ticketIds },
      });
    const paymentId = randomUUID();
    const refused = await confirmAll(paymentId, [live[0]!.id, lapsed.id, live[1]!.id]);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().errors.code).toBe('HOLD_EXPIRED');
    const { rows: untouched } = await harness.app.pg.query(
      'SELECT status, payment_id FROM tickets WHERE id = ANY($1::uuid[]) ORDER BY id',
      [live.map((ticket) => ticket.id)],
    );
    expect(untouched).toEqual([
      { status: 'HELD', payment_id: null },
      { status: 'HELD', payment_id: null },
    ]);

    const sold = await confirmAll(
      paymentId,
      live.map((ticket) => ticket.id),
    );
    expect(sold.statusCode).toBe(200);
    expect(sold.json().tickets.map((ticket: { status: string }) => ticket.status)).toEqual(['SOLD', 'SOLD']);
    expect(
      (
        await confirmAll(
          paymentId,
          live.map((ticket) => ticket.id),
        )
      ).json(),
    ).toEqual(sold.json()); // idempotent
    const finished = await recorder.waitForEvent(
      TicketPurchaseFinished,
      "the buyer's purchase finished",
      (event) => event.payload.userId === users[0]!.id && event.payload.concertId === concertId,
    );
    const { rows: sales } = await harness.app.pg.query(
      'SELECT max(sold_at) AS at FROM tickets WHERE id = ANY($1::uuid[])',
      [live.map((ticket) => ticket.id)],
    );
    expect(Date.parse(finished.payload.lastSoldAt)).toBe(sales[0].at.getTime());
  });

  it('when the sold hold passes its deadline, then the sweeper leaves it SOLD', async () => {
    const { showtimeId, seatIds } = await harness.showtime(admin!, 1);
    const ticket = await hold(0, showtimeId, seatIds[0]!);
    expect((await harness.confirm(ticket.id, randomUUID(), users[0]!.id)).statusCode).toBe(200);
    const { rows } = await harness.app.pg.query<{ wait: number }>(
      'SELECT GREATEST(0, extract(epoch FROM held_until - now()) * 1000)::int AS wait FROM tickets WHERE id = $1',
      [ticket.id],
    );
    await new Promise((resolve) => setTimeout(resolve, rows[0]!.wait + 600)); // past the deadline plus sweeps
    expect(
      (await harness.app.inject({ method: 'GET', url: `/internal/tickets/${ticket.id}`, headers: INTERNAL })).json()
        .status,
    ).toBe('SOLD');
  });

  it('when the hold expired first, then 409 HOLD_EXPIRED and the seat is never sold', async () => {
    const { showtimeId, seatIds } = await harness.showtime(admin!, 1);
    const ticket = await hold(1, showtimeId, seatIds[0]!);
    await untilExpired('the hold to expire', ticket.id);
    const late = await harness.confirm(ticket.id, randomUUID(), users[1]!.id);
    expect(late.statusCode).toBe(409);
    expect(late.json().errors.code).toBe('HOLD_EXPIRED');
    expect(await harness.seatStatus(seatIds[0]!)).toBe('AVAILABLE');
  });

  it('when another user pays for a hold, then 409; an unknown ticket is 404; no internal token is 401', async () => {
    const { showtimeId, seatIds } = await harness.showtime(admin!, 1);
    const ticket = await hold(2, showtimeId, seatIds[0]!);
    const stranger = await harness.confirm(ticket.id, randomUUID(), users[0]!.id);
    expect(stranger.statusCode).toBe(409);
    expect(stranger.json().errors.code).toBe('HELD_BY_ANOTHER_USER');
    expect((await harness.confirm(randomUUID(), randomUUID(), users[0]!.id)).statusCode).toBe(404);
    expect((await harness.confirm(ticket.id, randomUUID(), users[2]!.id, {})).statusCode).toBe(401);
    expect(
      (
        await harness.app.inject({
          method: 'GET',
          url: `/internal/tickets/${ticket.id}`,
          headers: { 'x-internal-token': 'wrong-token-value' },
        })
      ).statusCode,
    ).toBe(401);
  });

  it('when payment.completed arrives on Kafka, then the ticket is SOLD; a late one is refused with ticket.sale-refused', async () => {
    const { showtimeId, seatIds } = await harness.showtime(admin!, 2);
    const inTime = await hold(0, showtimeId, seatIds[0]!);
    const tooLate = await hold(1, showtimeId, seatIds[1]!);
    await untilExpired('the second hold to expire', tooLate.id);
    // inTime expired too by now (same TTL): hold a fresh one for the in-time payment
    const fresh = await hold(0, showtimeId, seatIds[0]!);
    expect(inTime.id).not.toBe(fresh.id);
    const payment = (ticketId: string, userId: number) => ({
      paymentId: randomUUID(),
      userId,
      ticketId,
      amount: 10_000,
      paidAt: new Date().toISOString(),
    });
    const paid = payment(fresh.id, users[0]!.id);
    const late = payment(tooLate.id, users[1]!.id);
    // published the way the payment service does: on its topic, signed with its key
    await payments.publish(PaymentCompleted, [
      { aggregateId: paid.paymentId, aggregateVersion: 1, payload: paid },
      { aggregateId: late.paymentId, aggregateVersion: 1, payload: late },
    ]);
    await waitFor(
      'the fresh hold to be SOLD',
      async () =>
        (
          await harness.app.pg.query("SELECT 1 FROM tickets WHERE id = $1 AND status = 'SOLD' AND payment_id = $2", [
            fresh.id,
            paid.paymentId,
          ])
        ).rowCount === 1,
      { timeoutMs: 20_000 },
    );
    const refusal = await recorder.waitForEvent(
      TicketSaleRefused,
      'the refusal',
      (e) => e.payload.paymentId === late.paymentId,
    );
    // amount: the ticket's price, what the payment service refunds for this ticket
    expect(refusal.payload).toMatchObject({ ticketId: tooLate.id, reason: 'HOLD_EXPIRED', amount: 10_000 });
  });

  it('when a sold ticket is cancelled with an Idempotency-Key, then 200 CANCELLED, and the retry with that key answers the same', async () => {
    const { showtimeId, seatIds } = await harness.showtime(admin!, 1, 20_000);
    const ticket = await hold(3, showtimeId, seatIds[0]!);
    expect((await harness.confirm(ticket.id, randomUUID(), users[3]!.id)).statusCode).toBe(200);
    const key = randomUUID();
    const cancel = () =>
      harness.app.inject({
        method: 'POST',
        url: `/tickets/${ticket.id}/cancel`,
        headers: { 'user-token': users[3]!.token, 'idempotency-key': key },
      });
    const first = await cancel();
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ id: ticket.id, status: 'CANCELLED', price: 20_000 });
    const again = await cancel();
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());
  });

  it('when a sold ticket is cancelled and its payment.completed arrives late, then it is already handled: no refusal, no resale', async () => {
    const { showtimeId, seatIds } = await harness.showtime(admin!, 1, 30_000);
    const ticket = await hold(2, showtimeId, seatIds[0]!);
    const paymentId = randomUUID();
    expect((await harness.confirm(ticket.id, paymentId, users[2]!.id)).statusCode).toBe(200);
    const cancelled = await harness.app.inject({
      method: 'POST',
      url: `/tickets/${ticket.id}/cancel`,
      headers: { 'user-token': users[2]!.token },
    });
    expect(cancelled.statusCode).toBe(200);
    const changed = await recorder.waitForEvent(
      TicketChanged,
      'the cancellation',
      (e) => e.payload.id === ticket.id && e.payload.status === 'CANCELLED',
    );
    expect(changed.payload).toMatchObject({ paymentId, price: 30_000, userId: users[2]!.id, seatId: seatIds[0] });
    const { rows: seat } = await harness.app.pg.query('SELECT status, ticket_id FROM seats WHERE id = $1', [
      seatIds[0],
    ]);
    expect(seat).toEqual([{ status: 'AVAILABLE', ticket_id: null }]);

    const again = await harness.confirm(ticket.id, paymentId, users[2]!.id);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ status: 'CANCELLED', paymentId });
    const late = {
      paymentId,
      userId: users[2]!.id,
      ticketId: ticket.id,
      amount: 30_000,
      paidAt: new Date().toISOString(),
    };
    const [published] = await payments.publish(PaymentCompleted, [
      { aggregateId: paymentId, aggregateVersion: 1, payload: late },
    ]);
    await waitFor(
      'the late payment.completed to be applied',
      async () =>
        (
          await harness.app.pg.query(
            "SELECT 1 FROM inbox WHERE consumer = 'ticket.payments' AND event_type = $1 AND event_id = $2",
            [PaymentCompleted.type, published!.id],
          )
        ).rowCount === 1,
      { timeoutMs: 20_000 },
    );
    expect(recorder.of(TicketSaleRefused).filter((e) => e.payload.paymentId === paymentId)).toEqual([]);
    const { rows } = await harness.app.pg.query('SELECT status FROM tickets WHERE id = $1', [ticket.id]);
    expect(rows).toEqual([{ status: 'CANCELLED' }]);
    expect(
      (
        await harness.app.pg.query("SELECT 1 FROM outbox WHERE type = 'ticket.sale-refused' AND aggregate_id = $1", [
          ticket.id,
        ])
      ).rowCount,
    ).toBe(0);
  });
});
