import type { PageProps } from '../app';
import { ticketApi, type Ticket } from '../api/ticket';
import { Countdown } from '../components/countdown';
import { DataTable, type Column } from '../components/data-table';
import { ResourceNotes } from '../components/resource-notes';
import { TICKET_COLUMNS } from '../components/ticket-cells';
import { PageTitle } from '../components/page-title';
import { useResource } from '../components/use-resource';
import { formatDateTime } from '../domain/format';
import { href } from '../routes';

const STATUS_WORDS: Record<Ticket['status'], string> = {
  SOLD: 'Paid',
  HELD: 'On hold',
  EXPIRED: 'Hold expired',
  RELEASED: 'Released',
};

const COLUMNS: Column<Ticket>[] = [
  ...TICKET_COLUMNS,
  {
    header: 'Status',
    cell: (ticket) => <span class={`badge badge-${ticket.status.toLowerCase()}`}>{STATUS_WORDS[ticket.status]}</span>,
  },
  { header: 'Reserved', cell: (ticket) => formatDateTime(ticket.reservedAt) },
];

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
      <ResourceNotes of={[tickets]} loading="your tickets" />
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
        <DataTable
          data-testid="tickets"
          caption="Your tickets, newest first"
          columns={COLUMNS}
          rows={tickets.data}
          rowKey={(ticket) => ticket.id}
          rowAttributes={(ticket) => ({ 'data-ticket-status': ticket.status })}
        />
      )}
    </section>
  );
}
