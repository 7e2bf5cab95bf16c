import pg from 'pg';
import { ServiceProcess, waitFor } from '@boxoffice/testing';
import type { TestUser } from '../support/payment-kit';
import { TicketStack } from '../support/ticket-stack';

const PRICE = 7_000;
const POINTS = 10_000;
const SAGA = { timeoutMs: 90_000, intervalMs: 100 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Issue 14 "done when": a refund is credited exactly once when the payment service is SIGKILLed in the middle. The
 * tickets are bought through an in-process payment service; then the payment service runs as a real OS process
 * (same database, same consumer groups) and is killed right after tickets are cancelled (before or while it
 * consumes their ticket.changed), or while tickets are cancelled with it down, and restarted each time.
 */
describe('ticket refunds survive SIGKILLs of the payment service', () => {
  const stack = new TicketStack({ ticket: { SEAT_HOLD_TTL_SECONDS: '300' } });
  const kit = stack.payment;
  let payment: ServiceProcess | undefined;
  let paymentDb: pg.Pool;

  beforeAll(async () => {
    await stack.start();
    paymentDb = new pg.Pool({ connectionString: kit.env.DATABASE_URL, max: 2 });
  }, 120_000);
  afterAll(async () => {
    await payment?.stop('SIGKILL');
    await paymentDb?.end();
    await stack.stop();
  });

  const refundsOf = async (userId: number) =>
    (
      await paymentDb.query<{ amount: number; ticket_id: string }>(
        "SELECT amount::int AS amount, ticket_id FROM point_transactions WHERE user_id = $1 AND point_type = 'REFUND'",
        [userId],
      )
    ).rows;
  const refundCount = async (userIds: number[]) =>
    (
      await paymentDb.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM point_transactions WHERE point_type = 'REFUND' AND user_id = ANY($1::int[])",
        [userIds],
      )
    ).rows[0]!.n;

  it('when tickets are cancelled around SIGKILLs and restarts of the payment service, then each buyer gets exactly one refund and every wallet equals its ledger', async () => {
    const [admin] = await stack.users(1, 'admin');
    const { showtimeId, seatIds } = await stack.showtime(admin!, 8, PRICE);
    const buyers = await stack.users(8);
    const bought: { user: TestUser; ticketId: string }[] = [];
    for (const [index, user] of buyers.entries()) {
      await kit.charge(user, POINTS);
      const token = await stack.queueToken(user);
      const ticket = await stack.hold(token, showtimeId, seatIds[index]!);
      const paid = await kit.call('POST', '/payments', {
        headers: { authorization: `Bearer ${token}` },
        body: { ticket_id: ticket.id },
      });
      expect(paid.status).toBe(201);
      bought.push({ user, ticketId: ticket.id });
    }

    // from here the payment service is a real process on the same database and consumer groups
    await kit.app.close();
    payment = await ServiceProcess.create('payment', kit.env);
    await payment.start();

    const cancel = async ({ user, ticketId }: { user: TestUser; ticketId: string }) => {
      const answer = await stack.ticketCall('POST', `/tickets/${ticketId}/cancel`, {
        headers: { 'user-token': user.token },
      });
      expect(answer).toMatchObject({ status: 200, body: { status: 'CANCELLED' } });
    };
    let cancelled = 0;
    let killedBeforeAllRefunded = 0;
    // pairs of tickets: cancelled, then the service killed 0, 20, 60 ms later (before or while it consumes)
    for (const delayMs of [0, 20, 60]) {
      const pair = bought.slice(cancelled, cancelled + 2);
      await Promise.all(pair.map(cancel));
      cancelled += pair.length;
      await sleep(delayMs);
      await payment.stop('SIGKILL');
      if ((await refundCount(buyers.map((user) => user.id))) < cancelled) killedBeforeAllRefunded++;
      await payment.start();
    }
    // and two cancelled while it is down
    await payment.stop('SIGKILL');
    await Promise.all(bought.slice(cancelled).map(cancel));
    await payment.start();
    // at least one crash came before its refunds were credited: the restart had work to finish
    expect(killedBeforeAllRefunded).toBeGreaterThan(0);

    await waitFor(
      'every cancelled ticket refunded',
      async () => (await refundCount(buyers.map((user) => user.id))) >= bought.length,
      SAGA,
    );
    // every ticket event is applied (nothing is still in flight that could credit again)
    const { rows: events } = await stack.ticketDb.query<{ id: string }>(
      "SELECT id FROM outbox WHERE type = 'ticket.changed'",
    );
    await waitFor(
      'the refund consumer to have applied every ticket.changed',
      async () =>
        (
          await paymentDb.query(
            "SELECT 1 FROM inbox WHERE consumer = 'payment.ticket-refunds' AND event_id = ANY($1::uuid[])",
            [events.map((event) => event.id)],
          )
        ).rowCount === events.length,
      SAGA,
    );
    for (const { user, ticketId } of bought) {
      expect(await refundsOf(user.id)).toEqual([{ amount: PRICE, ticket_id: ticketId }]);
    }
    const { rows: wallets } = await paymentDb.query<{ user_id: number; balance: number; ledger: number }>(
      `SELECT w.user_id, w.balance::int AS balance,
              (SELECT sum(CASE WHEN point_type = 'USE' THEN -amount ELSE amount END)::int
               FROM point_transactions t WHERE t.user_id = w.user_id) AS ledger
       FROM wallets w WHERE w.user_id = ANY($1::int[])`,
      [buyers.map((user) => user.id)],
    );
    expect(wallets).toHaveLength(buyers.length);
    for (const wallet of wallets) expect(wallet).toEqual({ ...wallet, balance: POINTS, ledger: POINTS });
    const { rowCount: deadLetters } = await paymentDb.query(
      "SELECT 1 FROM dead_letters WHERE consumer = 'payment.ticket-refunds'",
    );
    expect(deadLetters).toBe(0);
  }, 300_000);
});
