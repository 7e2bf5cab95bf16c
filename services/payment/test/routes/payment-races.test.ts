import { waitFor } from '@boxoffice/testing';
import { FlakyProxy } from '../support/flaky-proxy';
import type { TestUser } from '../support/payment-kit';
import { TicketStack } from '../support/ticket-stack';

const PRICE = 5_000;
const RUNS = 200;
const BATCH = 25;
/** What happens to the ticket service during each batch of runs. */
const BATCH_MODES = ['pass', 'pass', 'slow', 'pass', 'stopped', 'pass', 'slow', 'stopped'] as const;

interface Run {
  user: TestUser;
  token: string;
  ticketId: string;
  heldUntil: number;
  status?: number;
  paymentId?: string;
}

/**
 * SPEC §6 invariants under the worst timing: every payment races its hold's expiry (hold TTL 1 s, payment sent
 * between 600 ms before and 100 ms after the hold's deadline), and in some batches the ticket service is slowed (confirms answer after the payment
 * service's timeout) or killed mid-payment and restarted. At the end every run is SOLD + charged or EXPIRED + not
 * charged, never a mix, and no payment is left PENDING.
 */
describe('a payment racing its hold expiry, with the ticket service slowed or stopped', () => {
  let stack: TicketStack;
  let proxy: FlakyProxy;
  let runs: Run[] = [];

  beforeAll(async () => {
    proxy = new FlakyProxy(() => ({ host: '127.0.0.1', port: stack.ticketProcess!.port }), 800);
    const proxyUrl = await proxy.start();
    stack = new TicketStack({
      ticketAsProcess: true,
      ticket: { SEAT_HOLD_TTL_SECONDS: '1', SEAT_SWEEP_INTERVAL_MS: '100' },
      payment: {
        TICKET_SERVICE_URL: proxyUrl,
        TICKET_CALL_TIMEOUT_MS: '300',
        RECONCILE_LEASE_MS: '700',
        RECONCILE_MAX_BACKOFF_MS: '1000',
        TICKET_BREAKER_RESET_MS: '300',
      },
    });
    await stack.start();
  }, 120_000);
  afterAll(async () => {
    await stack.stop();
    await proxy.stop();
  });

  it('when 200 payments race their holds, then each ends SOLD + charged or EXPIRED + not charged, and PENDING ones resolve', async () => {
    const kit = stack.payment;
    const [admin] = await stack.users(1, 'admin');
    const { showtimeId, seatIds } = await stack.showtime(admin!, RUNS, PRICE);
    const users = await stack.users(RUNS);
    for (const user of users) await kit.charge(user, PRICE);

    const statuses: Record<string, number> = {};
    for (let batch = 0; batch * BATCH < RUNS; batch++) {
      const mode = BATCH_MODES[batch % BATCH_MODES.length]!;
      const batchUsers = users.slice(batch * BATCH, (batch + 1) * BATCH);
      const tokens = await Promise.all(batchUsers.map((user) => stack.queueToken(user)));
      proxy.mode = mode === 'slow' ? 'slow' : 'pass';
      const batchRuns: Run[] = await Promise.all(
        batchUsers.map(async (user, index) => {
          const ticket = await stack.hold(tokens[index]!, showtimeId, seatIds[batch * BATCH + index]!);
          return { user, token: tokens[index]!, ticketId: ticket.id, heldUntil: Date.parse(ticket.heldUntil) };
        }),
      );
      const paying = Promise.all(
        batchRuns.map(async (run) => {
          // sent from 600 ms before the hold's deadline to 100 ms after it
          await new Promise((resolve) =>
            setTimeout(resolve, Math.max(0, run.heldUntil - Date.now() - 600 + Math.random() * 700)),
          );
          const paid = await kit.call('POST', '/payments', {
            headers: { authorization: `Bearer ${run.token}` },
            body: { ticket_id: run.ticketId },
          });
          run.status = paid.status;
          run.paymentId = paid.body?.id;
          statuses[`${mode}:${paid.status}`] = (statuses[`${mode}:${paid.status}`] ?? 0) + 1;
        }),
      );
      if (mode === 'stopped') {
        await new Promise((resolve) => setTimeout(resolve, 900 + Math.random() * 300));
        await stack.ticketProcess!.stop('SIGKILL');
        await paying;
        await new Promise((resolve) => setTimeout(resolve, 500));
        await stack.ticketProcess!.start();
      } else {
        await paying;
      }
      runs = runs.concat(batchRuns);
    }
    proxy.mode = 'pass';

    for (const run of runs) expect([201, 202, 409, 503]).toContain(run.status);
    // every PENDING payment is settled by the reconciler once the ticket service answers again
    await waitFor(
      'no PENDING payment',
      async () => (await kit.app.pg.query(`SELECT 1 FROM payments WHERE status = 'PENDING'`)).rowCount === 0,
      { timeoutMs: 60_000 },
    );
    // and every hold has ended one way or the other
    await waitFor(
      'no HELD ticket',
      async () => {
        const states = await Promise.all(runs.map((run) => stack.internalTicket(run.ticketId)));
        return states.every((state) => state.body.status !== 'HELD');
      },
      { timeoutMs: 30_000 },
    );

    const outcomes = { soldAndCharged: 0, expiredAndNotCharged: 0 };
    for (const run of runs) {
      const ticket = (await stack.internalTicket(run.ticketId)).body;
      const balance = (await kit.call('GET', '/points', { user: run.user })).body.balance;
      const { rows: payments } = await kit.app.pg.query('SELECT id, status FROM payments WHERE ticket_id = $1', [
        run.ticketId,
      ]);
      const completed = payments.filter((p) => p.status === 'COMPLETED');
      const history = (await kit.call('GET', '/point_history', { user: run.user })).body as {
        amount: number;
        pointType: string;
      }[];
      const ledger = history.reduce((sum, row) => sum + (row.pointType === 'USE' ? -row.amount : row.amount), 0);
      expect({ ticketId: run.ticketId, ledger }).toEqual({ ticketId: run.ticketId, ledger: balance });
      if (ticket.status === 'SOLD') {
        expect({ run: run.ticketId, balance, completed: completed.map((p) => p.id) }).toEqual({
          run: run.ticketId,
          balance: 0,
          completed: [ticket.paymentId],
        });
        outcomes.soldAndCharged++;
      } else {
        expect({ run: run.ticketId, status: ticket.status, balance, completed: completed.length }).toEqual({
          run: run.ticketId,
          status: 'EXPIRED',
          balance: PRICE,
          completed: 0,
        });
        outcomes.expiredAndNotCharged++;
      }
    }
    // the two outcomes both happen, and the slowed/stopped runs really did leave payments in doubt
    console.log('payment race outcomes', JSON.stringify({ ...outcomes, statuses }));
    expect(outcomes.soldAndCharged + outcomes.expiredAndNotCharged).toBe(RUNS);
    expect(outcomes.soldAndCharged).toBeGreaterThan(0);
    expect(outcomes.expiredAndNotCharged).toBeGreaterThan(0);
    expect(runs.some((run) => run.status === 202)).toBe(true);
  }, 600_000);
});
