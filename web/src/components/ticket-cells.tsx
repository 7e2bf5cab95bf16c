import type { Ticket } from '../api/ticket';
import { formatPoints } from '../domain/format';
import type { Column } from './data-table';

/** The columns every ticket table starts with: the concert and its venue, the seat, the price. */
export const TICKET_COLUMNS: Column<Ticket>[] = [
  {
    header: 'Concert',
    cell: (ticket) => (
      <>
        {ticket.concertName}
        <br />
        <span class="hint">{ticket.venue}</span>
      </>
    ),
  },
  { header: 'Seat', cell: (ticket) => ticket.seatNo },
  { header: 'Price', numeric: true, cell: (ticket) => formatPoints(ticket.price) },
];
