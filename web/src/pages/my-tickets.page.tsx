import { useRef, useState } from 'preact/hooks';
import type { PageProps } from '../app';
import { newIdempotencyKey } from '../api/http';
import { ticketApi, type Ticket } from '../api/ticket';
import { Countdown } from '../components/countdown';
import { DataTable, type Column } from '../components/data-table';
import { ProblemNote } from '../components/notes';
import { ResourceNotes } from '../components/resource-notes';
import { TICKET_COLUMNS } from '../components/ticket-cells';
import { PageTitle } from '../components/page-title';
import { useAction, useResource } from '../components/use-resource';
import { formatDateTime, formatPoints } from '../domain/format';
import { href } from '../routes';

const STATUS_WORDS: Record<Ticket['status'], string> = {
  SOLD: 'Paid',
  HELD: 'On hold',
  EXPIRED: 'Hold expired',
  RELEASED: 'Released',
  CANCELLED: 'Cancelled, refunded',
};

const liveHold = (ticket: Ticket) => ticket.status === 'HELD' && Date.parse(ticket.heldUntil) > Date.now();

export function MyTicketsPage({ query }: PageProps) {
  // a hold expires by itself, so the list is refreshed while the page is open
  const tickets = useResource(() => ticketApi.myTickets(), [], { pollMs: 5_000 });
  const paid = Number(query.get('paid') ?? 0);
  const held = (tickets.data ?? []).filter(liveHold);
  // the refund asked about: a sold ticket needs a second click, it cannot be undone
  const [asking, setAsking] = useState<string>();
  const [done, setDone] = useState<string>();
  const cancelKeys = useRef(new Map<string, string>());

  const release = useAction(async (ticket: Ticket) => {
    await ticketApi.release(ticket.id);
    setDone(`Released ${ticket.seatNo}: the seat is free for anyone again.`);
    tickets.reload();
  });
  const refund = useAction(async (ticket: Ticket) => {
    if (!cancelKeys.current.has(ticket.id)) cancelKeys.current.set(ticket.id, newIdempotencyKey());
    await ticketApi.cancel(ticket.id, cancelKeys.current.get(ticket.id)!);
    setAsking(undefined);
    setDone(
      `Cancelled ${ticket.seatNo}. ${formatPoints(ticket.price)} is on its way back to your points (see Points in a moment).`,
    );
    tickets.reload();
  });
  const busy = release.busy || refund.busy;

  const actions = (ticket: Ticket) => {
    if (liveHold(ticket))
      return (
        <button type="button" class="secondary small" disabled={busy} onClick={() => void release.run(ticket)}>
          Release {ticket.seatNo}
        </button>
      );
    if (ticket.status !== 'SOLD') return null;
    if (asking !== ticket.id)
      return (
        <button
          type="button"
          class="secondary small"
          disabled={busy}
          onClick={() => {
            refund.clear();
            setAsking(ticket.id);
          }}
        >
          Refund {ticket.seatNo}
        </button>
      );
    return (
      <div class="confirm" role="group" aria-label={`Refund ${ticket.seatNo}?`}>
        <p>
          Cancel {ticket.seatNo} and get {formatPoints(ticket.price)} back?
        </p>
        <button type="button" class="small" disabled={busy} onClick={() => void refund.run(ticket)}>
          {refund.busy ? 'Cancelling…' : 'Yes, cancel and refund'}
        </button>
        <button type="button" class="secondary small" disabled={busy} onClick={() => setAsking(undefined)}>
          Keep it
        </button>
      </div>
    );
  };

  const columns: Column<Ticket>[] = [
    ...TICKET_COLUMNS,
    {
      header: 'Status',
      cell: (ticket) => <span class={`badge badge-${ticket.status.toLowerCase()}`}>{STATUS_WORDS[ticket.status]}</span>,
    },
    { header: 'Reserved', cell: (ticket) => formatDateTime(ticket.reservedAt) },
    { header: 'Actions', hiddenHeader: true, cell: actions },
  ];

  return (
    <section>
      <PageTitle>My tickets</PageTitle>
      {paid > 0 && (
        <p class="note note-ok" role="status">
          Paid: {paid} seat{paid === 1 ? '' : 's'}. Enjoy the show!
        </p>
      )}
      {done && (
        <p class="note note-ok" role="status">
          {done}
        </p>
      )}
      <ProblemNote problem={release.problem ?? refund.problem} />
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
          columns={columns}
          rows={tickets.data}
          rowKey={(ticket) => ticket.id}
          rowAttributes={(ticket) => ({ 'data-ticket-status': ticket.status, 'data-seat-no': ticket.seatNo })}
        />
      )}
      <p class="hint">
        A paid ticket can be cancelled for a full refund until 24 hours before the show; a hold can be released at any
        time.
      </p>
    </section>
  );
}
