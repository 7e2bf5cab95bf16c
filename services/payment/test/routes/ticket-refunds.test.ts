import { randomUUID } from 'node:crypto';
import { TicketSaleRefused } from '@boxoffice/contracts';
import { withTransaction } from '@boxoffice/db';
import { appendEvent } from '@boxoffice/events';
import { waitFor } from '@boxoffice/testing';
import type { TestUser } from '../support/payment-kit';
import { TicketStack } from '../support/ticket-stack';

const PRICE = 9_000;
const SAGA = { timeoutMs: 30_000, intervalMs: 100 };

/**
 * Issue 14 item 3: a sold ticket cancelled (by its buyer or an admin) or refused is refunded once, through the
 * ticket.changed / ticket.sale-refused events, with the real ticket, queue and payment services on real
 * PostgreSQL, Redis and Kafka.
 */
describe('refunds of cancelled tickets and refused sales', () => {
  const stack = new TicketStack({ ticket: { SEAT_HOLD_TTL_SECONDS: '300', TICKET_CANCEL_CUTOFF_HOURS: '24' } });
  const kit = stack.payment;
  let admin: TestUser;
  let showtimeId: number;
  let seats: number[];
  let nextSeat = 0;

  beforeAll(async () => {
    await stack.start();
    [admin] = (await stack.users(1, 'admin')) as [TestUser];
    ({ showtimeId, seatIds: seats } = await stack.showtime(admin!, 30, PRICE));
  });
  afterAll(async () => stack.stop());

  /** A fresh user with `points` who holds and pays a seat of `showtime` (default: the far-future one). */
  async function buyer(points = 20_000, showtime = { showtimeId, seatId: seats[nextSeat++]! }) {
    const [user] = await stack.users(1);
    await kit.charge(user!, points);
    const token = await stack.queueToken(user!);
    const ticket = await stack.hold(token, showtime.showtimeId, showtime.seatId);
    const paid = await kit.call('POST', '/payments', {
      headers: { authorization: `Bearer ${token}` },
      body: { ticket_id: ticket.id },
    });
    expect(paid.status).toBe(201);
    return { user: user!, ticket, paymentId: paid.body.id as string };
  }

  const cancel = (user: TestUser, ticketId: string) =>
    stack.ticketCall('POST', `/tickets/${ticketId}/cancel`, { headers: { 'user-token': user.token } });
  const balanceOf = async (user: TestUser) => (await kit.call('GET', '/points', { user })).body.balance as number;
  const refundsOf = async (userId: number) =>
    (
      await kit.app.pg.query<{ amount: number; ticket_id: string; payment_id: string }>(
        `SELECT amount::int AS amount, ticket_id, payment_id FROM point_transactions
         WHERE user_id = $1 AND point_type = 'REFUND'`,
        [userId],
      )
    ).rows;
  const ledgerTotal = async (userId: number) =>
    (
      await kit.app.pg.query<{ total: number }>(
        `SELECT coalesce(sum(CASE WHEN point_type = 'USE' THEN -amount ELSE amount END), 0)::int AS total
         FROM point_transactions WHERE user_id = $1`,
        [userId],
      )
    ).rows[0]!.total;
  /** Waits until every event of the two types the refund consumer reads, published so far, is applied by it. */
  const refundConsumerCaughtUp = async () => {
    const { rows } = await stack.ticketDb.query<{ id: string }>(
      "SELECT id FROM outbox WHERE type IN ('ticket.changed', 'ticket.sale-refused')",
    );
    const ids = rows.map((row) => row.id);
    await waitFor(
      'the refund consumer to apply every ticket event',
      async () =>
        (
          await kit.app.pg.query(
            "SELECT 1 FROM inbox WHERE consumer = 'payment.ticket-refunds' AND event_id = ANY($1::uuid[])",
            [ids],
          )
        ).rowCount === ids.length,
      SAGA,
    );
  };

  it('when a buyer cancels a sold ticket, then the seat is AVAILABLE and holdable by another user at once, and the price is refunded once, visible in /point_history', async () => {
    const { user, ticket, paymentId } = await buyer(20_000);
    expect(await balanceOf(user)).toBe(20_000 - PRICE);

    const cancelled = await cancel(user, ticket.id);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ id: ticket.id, status: 'CANCELLED', price: PRICE });
    const [other] = await stack.users(1);
    const again = await stack.hold(await stack.queueToken(other!), showtimeId, cancelled.body.seatId);
    expect(again.id).not.toBe(ticket.id);

    await waitFor('the refund', async () => (await balanceOf(user)) === 20_000, SAGA);
    const history = (await kit.call('GET', '/point_history', { user })).body;
    expect(history.filter((row: { pointType: string }) => row.pointType === 'REFUND')).toEqual([
      {
        transactionId: expect.any(String),
        userId: user.id,
        amount: PRICE,
        pointType: 'REFUND',
        createdAt: expect.any(String),
        ticketId: ticket.id,
      },
    ]);
    expect(await refundsOf(user.id)).toEqual([{ amount: PRICE, ticket_id: ticket.id, payment_id: paymentId }]);
    // the payment stays what it was: completed (its ticket's refund is a ledger row of its own)
    expect((await kit.call('GET', `/payments/${paymentId}`, { user })).body.status).toBe('COMPLETED');
  });

  it('when a buyer cancels twice (and the payment is confirmed again late), then the second cancel answers the same ticket and there is one refund', async () => {
    const { user, ticket, paymentId } = await buyer(PRICE);
    const first = await cancel(user, ticket.id);
    const second = await cancel(user, ticket.id);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.body).toEqual(first.body);
    // a late confirm of the same payment (a reconciler whose answer was lost) is answered as already handled
    const late = await stack.ticketCall('POST', `/internal/tickets/${ticket.id}/confirm`, {
      headers: { 'x-internal-token': stack.ticketEnv.INTERNAL_API_TOKEN ?? 'dev-internal-token-change-me' },
      body: { paymentId, userId: user.id },
    });
    expect(late.status).toBe(200);
    expect(late.body).toMatchObject({ status: 'CANCELLED', paymentId });
    await refundConsumerCaughtUp();
    expect(await refundsOf(user.id)).toHaveLength(1);
    expect(await balanceOf(user)).toBe(PRICE);
    expect(await ledgerTotal(user.id)).toBe(PRICE);
    // a cancelled ticket cannot be paid again
    const token = await stack.queueToken(user);
    const repay = await kit.call('POST', '/payments', {
      headers: { authorization: `Bearer ${token}` },
      body: { ticket_id: ticket.id },
    });
    expect(repay.status).toBe(409);
    expect(await balanceOf(user)).toBe(PRICE);
  });

  it('when the show starts within the cut-off, then cancelling is 409 CANCELLATION_CLOSED naming the cut-off, and nothing is refunded', async () => {
    const startsAt = new Date(Date.now() + 3 * 3_600_000);
    const soon = await stack.showtime(admin, 1, PRICE, startsAt.toISOString());
    const { user, ticket } = await buyer(PRICE, { showtimeId: soon.showtimeId, seatId: soon.seatIds[0]! });
    const refused = await cancel(user, ticket.id);
    expect(refused.status).toBe(409);
    expect(refused.body.errors.code).toBe('CANCELLATION_CLOSED');
    const closedAt = new Date(startsAt.getTime() - 24 * 3_600_000).toISOString().slice(0, 16);
    expect(refused.body.errors.message).toContain(closedAt);
    expect((await stack.internalTicket(ticket.id)).body.status).toBe('SOLD');
    await refundConsumerCaughtUp();
    expect(await refundsOf(user.id)).toEqual([]);
    expect(await balanceOf(user)).toBe(0);
  });

  it("when someone cancels another user's ticket, a missing one or a held one, then 404, 404 and 409; without USER-TOKEN 401", async () => {
    const { ticket } = await buyer();
    const [stranger] = await stack.users(1);
    const theirs = await cancel(stranger!, ticket.id);
    const missing = await cancel(stranger!, randomUUID());
    expect([theirs.status, missing.status]).toEqual([404, 404]);
    const token = await stack.queueToken(stranger!);
    const held = await stack.hold(token, showtimeId, seats[nextSeat++]!);
    const notSold = await cancel(stranger!, held.id);
    expect(notSold.status).toBe(409);
    expect(notSold.body.errors).toMatchObject({ code: 'TICKET_NOT_SOLD', message: expect.stringContaining('DELETE') });
    expect((await stack.ticketCall('POST', `/tickets/${ticket.id}/cancel`)).status).toBe(401);
    expect((await stack.internalTicket(ticket.id)).body.status).toBe('SOLD');
  });

  /** Publishes a ticket.sale-refused the way the ticket service does: through its outbox. */
  const refuseSale = (refusal: { ticketId: string; paymentId: string; userId: number; amount: number }) =>
    withTransaction(stack.ticketDb, (tx) =>
      appendEvent(tx, 'ticket', TicketSaleRefused, {
        aggregateId: refusal.ticketId,
        aggregateVersion: 0,
        payload: { ...refusal, reason: 'HOLD_EXPIRED' },
      }),
    );

  it('when a completed payment is refused twice and its ticket is also cancelled, then exactly one refund of the price', async () => {
    const { user, ticket, paymentId } = await buyer(PRICE);
    await refuseSale({ ticketId: ticket.id, paymentId, userId: user.id, amount: PRICE });
    await refuseSale({ ticketId: ticket.id, paymentId, userId: user.id, amount: PRICE });
    await waitFor('the refund', async () => (await balanceOf(user)) === PRICE, SAGA);
    expect((await cancel(user, ticket.id)).status).toBe(200);
    await refundConsumerCaughtUp();
    expect(await refundsOf(user.id)).toEqual([{ amount: PRICE, ticket_id: ticket.id, payment_id: paymentId }]);
    expect(await balanceOf(user)).toBe(PRICE);
    expect(await ledgerTotal(user.id)).toBe(PRICE);
  });

  it('when a FAILED payment (already refunded whole) gets a sale-refused, then no second refund', async () => {
    const [user] = await stack.users(1);
    await kit.charge(user!, PRICE);
    const token = await stack.queueToken(user!);
    const ticket = await stack.hold(token, showtimeId, seats[nextSeat++]!);
    await stack.ticketDb.query(`UPDATE tickets SET held_until = now() - interval '1 second' WHERE id = $1`, [
      ticket.id,
    ]);
    await waitFor('the hold to expire', async () => (await stack.internalTicket(ticket.id)).body.status === 'EXPIRED');
    // a payment that failed the way the confirm's refusal fails one: its debit given back by a whole refund
    const paymentId = randomUUID();
    await withTransaction(kit.app.pg, async (tx) => {
      await tx.query(
        `INSERT INTO payments (id, user_id, ticket_id, amount, status, next_attempt_at, resolved_at)
         VALUES ($1, $2, $3, $4, 'FAILED', now(), now())`,
        [paymentId, user!.id, ticket.id, PRICE],
      );
      await tx.query(
        `INSERT INTO point_transactions (user_id, point_type, amount, payment_id)
         VALUES ($1, 'USE', $3, $2), ($1, 'REFUND', $3, $2)`,
        [user!.id, paymentId, PRICE],
      );
    });
    await refuseSale({ ticketId: ticket.id, paymentId, userId: user!.id, amount: PRICE });
    await refundConsumerCaughtUp();
    expect(await refundsOf(user!.id)).toEqual([{ amount: PRICE, ticket_id: null, payment_id: paymentId }]);
    expect(await balanceOf(user!)).toBe(PRICE);
  });

  it('when an admin cancels a showtime, then every buyer is refunded once, holds are released, the showtime is not listed nor holdable, and a second cancel changes nothing', async () => {
    const show = await stack.showtime(admin, 5, PRICE);
    const buyers = [];
    for (const seatId of show.seatIds.slice(0, 3))
      buyers.push(await buyer(PRICE, { showtimeId: show.showtimeId, seatId }));
    const [holder] = await stack.users(1);
    const holderToken = await stack.queueToken(holder!);
    const held = await stack.hold(holderToken, show.showtimeId, show.seatIds[3]!);

    const adminHeaders = { 'user-token': admin.token };
    const [user] = await stack.users(1);
    const notAdmin = await stack.ticketCall('POST', `/admin/showtimes/${show.showtimeId}/cancel`, {
      headers: { 'user-token': user!.token },
    });
    expect(notAdmin.status).toBe(403);
    const cancelled = await stack.ticketCall('POST', `/admin/showtimes/${show.showtimeId}/cancel`, {
      headers: adminHeaders,
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ id: show.showtimeId, ticketsCancelled: 3, holdsReleased: 1 });
    const twice = await stack.ticketCall('POST', `/admin/showtimes/${show.showtimeId}/cancel`, {
      headers: adminHeaders,
    });
    expect(twice.body).toEqual({ ...cancelled.body, ticketsCancelled: 0, holdsReleased: 0 });

    for (const { user: paid } of buyers)
      await waitFor('the refund', async () => (await balanceOf(paid)) === PRICE, SAGA);
    expect((await stack.internalTicket(held.id)).body.status).toBe('EXPIRED');
    const refused = await stack.ticketCall('POST', '/tickets', {
      headers: { authorization: `Bearer ${holderToken}` },
      body: { showtime_id: show.showtimeId, seat_id: show.seatIds[4] },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.errors.code).toBe('SHOWTIME_CANCELLED');
    const listed = await stack.ticketCall('GET', `/concerts/${show.concertId}`, {
      headers: { authorization: `Bearer ${holderToken}` },
    });
    expect(listed.body).toEqual([]);
    const { rows } = await stack.ticketDb.query<{ status: string }>(
      'SELECT DISTINCT status FROM seats WHERE showtime_id = $1',
      [show.showtimeId],
    );
    expect(rows).toEqual([{ status: 'AVAILABLE' }]);

    await refundConsumerCaughtUp();
    for (const { user: paid, ticket } of buyers) {
      expect((await refundsOf(paid.id)).map((refund) => refund.ticket_id)).toEqual([ticket.id]);
      expect(await ledgerTotal(paid.id)).toBe(PRICE);
    }
    expect(await refundsOf(holder!.id)).toEqual([]);
  });
});
