import type { PageProps } from '../app';
import { ticketApi, type Ticket } from '../api/ticket';
import { Countdown } from '../components/countdown';
import { ConcertCell } from '../components/ticket-cells';
import { Loading, ProblemNote, StaleNote } from '../components/notes';
import { PageTitle } from '../components/page-title';
import { useResource } from '../components/use-resource';
import { formatDateTime, formatPoints } from '../domain/format';
import { href } from '../routes';

const STATUS_WORDS: Record<Ticket['status'], string> = { SOLD: 'Paid', HELD: 'On hold', EXPIRED: 'Hold expired' };

export function MyTicketsPage({ query }: PageProps) {
  // a hold expires by itself, so the list is refreshed while the page is open
  const tickets = useResource(() => ticketApi.myTickets(), [], { pollMs: 5_000 });
  const paid = Number(query.get('paid') ?? 0);
  const held = (tickets.data ?? []).filter((t) => t.status === 'HELD' && Date.parse(t.heldUntil) > Date.now());
  return (
    <section>
      <PageTitle>My tickets</PageTitle>
      {paid > 0 && (
        <p class="note note-ok" role="status">
          Paid: {paid} seat{paid === 1 ? '' : 's'}. Enjoy the show!
        </p>
      )}
      <StaleNote stale={tickets.stale} />
      <ProblemNote problem={tickets.problem} autoRetry />
      {tickets.loading && !tickets.data && <Loading what="your tickets" />}
      {held.length > 0 && (
        <div class="note note-warn">
          <p>
            {held.length} seat{held.length === 1 ? ' is' : 's are'} on hold and not paid yet.{' '}
            <a href={href('checkout')}>Go to checkout</a>
          </p>
          <Countdown
            until={held.map((t) => t.heldUntil).sort()[0]!}
            label="The first hold ends in"
            onEnd={() => tickets.reload()}
          />
        </div>
      )}
      {tickets.data && tickets.data.length === 0 && (
        <p>
          No tickets yet. <a href={href('concerts')}>Find a concert</a>.
        </p>
      )}
      {tickets.data && tickets.data.length > 0 && (
        <table class="table" data-testid="tickets">
          <caption class="visually-hidden">Your tickets, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Concert</th>
              <th scope="col">Seat</th>
              <th scope="col" class="number">
                Price
              </th>
              <th scope="col">Status</th>
              <th scope="col">Reserved</th>
            </tr>
          </thead>
          <tbody>
            {tickets.data.map((ticket) => (
              <tr key={ticket.id} data-ticket-status={ticket.status}>
                <ConcertCell ticket={ticket} />
                <td>{ticket.seatNo}</td>
                <td class="number">{formatPoints(ticket.price)}</td>
                <td>
                  <span class={`badge badge-${ticket.status.toLowerCase()}`}>{STATUS_WORDS[ticket.status]}</span>
                </td>
                <td>{formatDateTime(ticket.reservedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
