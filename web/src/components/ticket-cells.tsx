import type { Ticket } from '../api/ticket';

/** The concert and venue of a ticket, as every ticket table shows them. */
export function ConcertCell({ ticket }: { ticket: Ticket }) {
  return (
    <td>
      {ticket.concertName}
      <br />
      <span class="hint">{ticket.venue}</span>
    </td>
  );
}
