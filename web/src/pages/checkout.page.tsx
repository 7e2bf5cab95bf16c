import { useEffect, useRef, useState } from 'preact/hooks';
import type { PageProps } from '../app';
import { newIdempotencyKey } from '../api/http';
import { paymentApi } from '../api/payment';
import { queueApi } from '../api/queue';
import { session } from '../api/session';
import { ticketApi, type Ticket } from '../api/ticket';
import { Countdown } from '../components/countdown';
import { DataTable, type Column } from '../components/data-table';
import { ProblemNote } from '../components/notes';
import { ResourceNotes } from '../components/resource-notes';
import { TICKET_COLUMNS } from '../components/ticket-cells';
import { PageTitle } from '../components/page-title';
import { useAction, useResource } from '../components/use-resource';
import { payHolds, type CheckoutResult } from '../domain/checkout';
import { formatPoints } from '../domain/format';
import { href } from '../routes';
import { navigate } from '../router';

const ADMISSION_LOOKS = 10;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * One Idempotency-Key per set of tickets for as long as the tab lives, so a retry after a reload cannot pay twice
 * (a different set, after a release, is a different payment).
 */
function paymentKeyFor(ticketIds: string[]): string {
  const name = `boxoffice.payment-key.${[...ticketIds].sort().join(',')}`;
  const known = sessionStorage.getItem(name);
  if (known) return known;
  const key = newIdempotencyKey();
  sessionStorage.setItem(name, key);
  return key;
}

export function CheckoutPage({ user, query }: PageProps) {
  const tickets = useResource(() => ticketApi.myTickets(), []);
  const balance = useResource(() => paymentApi.balance(), []);
  const [result, setResult] = useState<CheckoutResult>();

  const holds = (tickets.data ?? []).filter(
    (ticket) => ticket.status === 'HELD' && Date.parse(ticket.heldUntil) > Date.now(),
  );
  const total = holds.reduce((sum, ticket) => sum + ticket.price, 0);
  const shortfall = Math.max(0, total - (balance.data?.balance ?? 0));
  const firstDeadline = holds.map((ticket) => ticket.heldUntil).sort()[0];

  const topUp = useAction(async () => {
    await paymentApi.charge(shortfall);
    balance.reload();
  });

  const pay = useAction(async () => {
    const outcome = await payHolds(
      holds.map((ticket) => ticket.id),
      {
        pay: paymentApi.payTickets,
        paymentStatus: paymentApi.paymentStatus,
        rejoin: async () => {
          const concertId = session.place()?.concertId ?? null;
          const issued = (await queueApi.join(user!.id, concertId)).body;
          session.setQueueToken(issued.token, concertId);
          // a new place starts WAITING; with nobody ahead the admitter lets it in within a moment
          for (let look = 0; look < ADMISSION_LOOKS && issued.status === 'WAITING'; look++) {
            await sleep(500);
            const standing = (await queueApi.standing()).body;
            if (standing.status !== 'WAITING' || standing.waitingNo > 0) return { ...issued, ...standing };
          }
          return issued;
        },
        keyFor: paymentKeyFor,
        sleep,
      },
    );
    setResult(outcome);
    tickets.reload();
    balance.reload();
    // back in line: the waiting room returns here once admitted, and the rest is paid then without a click
    if (outcome.state === 'waiting') navigate(href('line', {}, { next: href('checkout', {}, { resume: '1' }) }));
    else if (outcome.state === 'paid') navigate(href('tickets', {}, { paid: String(holds.length) }));
  });

  const [released, setReleased] = useState<string>();
  const release = useAction(async (ticket: Ticket) => {
    await ticketApi.release(ticket.id);
    setReleased(ticket.seatNo);
    tickets.reload();
  });
  const columns: Column<Ticket>[] = [
    ...TICKET_COLUMNS,
    {
      header: 'Release',
      hiddenHeader: true,
      cell: (ticket) => (
        <button
          type="button"
          class="secondary small"
          disabled={release.busy || pay.busy}
          onClick={() => void release.run(ticket)}
        >
          Release {ticket.seatNo}
        </button>
      ),
    },
  ];

  const resume = query.get('resume') === '1';
  const resumed = useRef(false);
  useEffect(() => {
    if (!resume || resumed.current || !tickets.data || !balance.data || holds.length === 0 || shortfall > 0) return;
    resumed.current = true;
    void pay.run();
  }, [resume, tickets.data, balance.data]);

  return (
    <section class="narrow">
      <PageTitle>Checkout</PageTitle>
      <ResourceNotes of={[tickets, balance]} loading="your held seats" />
      {tickets.data && holds.length === 0 && !result && (
        <p>
          You have no seats on hold. <a href={href('concerts')}>Choose seats</a>.
        </p>
      )}
      {holds.length > 0 && (
        <>
          {firstDeadline && (
            <Countdown until={firstDeadline} label="Your hold ends in" onEnd={() => tickets.reload()} />
          )}
          <DataTable
            caption="Seats on hold"
            columns={columns}
            rows={holds}
            rowKey={(ticket) => ticket.id}
            footer={
              <tr>
                <th scope="row" colSpan={2}>
                  Total
                </th>
                <td class="number">
                  <strong data-testid="checkout-total">{formatPoints(total)}</strong>
                </td>
                <td />
              </tr>
            }
          />
          {balance.data && (
            <p>
              Your balance: <strong data-testid="balance">{formatPoints(balance.data.balance)}</strong>
            </p>
          )}
          {balance.data && shortfall > 0 && (
            <div class="note note-warn">
              <p>You need {formatPoints(shortfall)} more to pay for these seats.</p>
              <ProblemNote problem={topUp.problem} />
              <button type="button" class="secondary" disabled={topUp.busy} onClick={() => void topUp.run()}>
                {topUp.busy ? 'Adding…' : `Add ${formatPoints(shortfall)}`}
              </button>{' '}
              <a href={href('points')}>Other amounts</a>
            </div>
          )}
          <p class="hint">
            All your held seats are paid in one payment: every seat is yours, or none is and nothing is charged.
          </p>
          <ProblemNote problem={pay.problem} />
          <button type="button" disabled={pay.busy || shortfall > 0 || !balance.data} onClick={() => void pay.run()}>
            {pay.busy ? 'Paying…' : `Pay ${formatPoints(total)}`}
          </button>
        </>
      )}
      {released && (
        <p class="note note-ok" role="status">
          Released {released}: the seat is free for anyone again.
        </p>
      )}
      <ProblemNote problem={release.problem} />
      {result && result.state !== 'paid' && result.state !== 'waiting' && (
        <p
          class={`note ${result.state === 'failed' ? 'note-error' : 'note-warn'}`}
          role="status"
          data-outcome={result.state}
        >
          {result.state === 'confirming' && 'Payment taken; the seats are being confirmed. See My tickets in a moment.'}
          {result.state === 'failed' && result.problem.message}
        </p>
      )}
    </section>
  );
}
