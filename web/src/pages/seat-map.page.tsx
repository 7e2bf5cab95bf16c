import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { PageProps } from '../app';
import { newIdempotencyKey } from '../api/http';
import { asProblem, type ApiProblem } from '../api/problem';
import { ticketApi, type Seat, type Ticket } from '../api/ticket';
import { Countdown } from '../components/countdown';
import { PageTitle } from '../components/page-title';
import { ResourceNotes } from '../components/resource-notes';
import { SeatLegend, SeatMap } from '../components/seat-map';
import { TurnBanner } from '../components/turn-banner';
import { followCredentialProblem, useResource } from '../components/use-resource';
import { formatPoints } from '../domain/format';
import { href } from '../routes';

const SEAT_POLL_MS = 2_000;

const holdLabel = (count: number) => (count === 0 ? 'Hold seats' : `Hold ${count} seat${count === 1 ? '' : 's'}`);

const bySeatNo = (a: Ticket, b: Ticket) => a.seatNo.localeCompare(b.seatNo, 'en', { numeric: true });

const liveHolds = (tickets: Ticket[] | undefined, showtimeId: number) =>
  (tickets ?? [])
    .filter(
      (ticket) =>
        ticket.status === 'HELD' && ticket.showtimeId === showtimeId && Date.parse(ticket.heldUntil) > Date.now(),
    )
    .sort(bySeatNo);

export function SeatMapPage({ params }: PageProps) {
  const concertId = Number(params.concertId);
  const showtimeId = Number(params.showtimeId);
  const seats = useResource(() => ticketApi.seats(concertId, showtimeId), [concertId, showtimeId], {
    pollMs: SEAT_POLL_MS,
  });
  const tickets = useResource(() => ticketApi.myTickets(), []);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [news, setNews] = useState<string>();
  const [holding, setHolding] = useState(false);
  const [holdProblems, setHoldProblems] = useState<{ seatNo: string; problem: ApiProblem }[]>([]);
  const keys = useRef(new Map<number, string>());

  const holds = liveHolds(tickets.data, showtimeId);
  const mine = useMemo(() => new Set(holds.map((ticket) => ticket.seatId)), [tickets.data, showtimeId]);
  const byId = useMemo(() => new Map((seats.data ?? []).map((seat) => [seat.id, seat])), [seats.data]);

  // a selected seat someone else took meanwhile leaves the selection, and the buyer is told which
  useEffect(() => {
    const gone = [...selected].filter((id) => byId.get(id)?.status !== 'AVAILABLE' && !mine.has(id));
    if (gone.length === 0) return;
    setSelected(new Set([...selected].filter((id) => !gone.includes(id))));
    setNews(`${gone.map((id) => byId.get(id)?.seatNo ?? id).join(', ')} was just taken by someone else.`);
  }, [byId]);

  const toggle = (seat: Seat) => {
    const next = new Set(selected);
    if (next.has(seat.id)) next.delete(seat.id);
    else next.add(seat.id);
    setSelected(next);
    setNews(undefined);
  };

  const hold = async () => {
    setHolding(true);
    setHoldProblems([]);
    const wanted = [...selected].map((id) => byId.get(id)).filter((seat): seat is Seat => Boolean(seat));
    const results = await Promise.all(
      wanted.map(async (seat) => {
        if (!keys.current.has(seat.id)) keys.current.set(seat.id, newIdempotencyKey());
        try {
          await ticketApi.hold(showtimeId, seat.id, keys.current.get(seat.id)!);
          return undefined;
        } catch (error) {
          return { seatNo: seat.seatNo, problem: asProblem(error) };
        }
      }),
    );
    const refused = results.filter((result): result is { seatNo: string; problem: ApiProblem } => Boolean(result));
    const credential = refused.find((result) => followCredentialProblem(result.problem));
    if (credential) return;
    wanted.forEach((seat) => keys.current.delete(seat.id));
    setHoldProblems(refused);
    setSelected(new Set());
    setHolding(false);
    tickets.reload();
    seats.reload();
  };

  const selection = [...selected].map((id) => byId.get(id)).filter((seat): seat is Seat => Boolean(seat));
  const total = selection.reduce((sum, seat) => sum + seat.price, 0);
  const firstDeadline = holds.map((ticket) => ticket.heldUntil).sort()[0];

  return (
    <section>
      <p class="breadcrumb">
        <a href={href('concerts')}>Concerts</a> › <a href={href('showtimes', { concertId })}>Showtimes</a>
      </p>
      <PageTitle>Choose your seats</PageTitle>
      <TurnBanner />
      <ResourceNotes of={[seats]} loading="the seat map" />
      {seats.data && (
        <>
          <SeatLegend seats={seats.data} />
          <p class="hint">
            The map updates by itself every few seconds. Use the arrow keys to move between seats and Space to select.
          </p>
          <SeatMap seats={seats.data} selected={selected} mine={mine} onToggle={toggle} />
        </>
      )}
      <div class="selection-bar" aria-live="polite">
        {news && <p class="note note-warn">{news}</p>}
        {holdProblems.map(({ seatNo, problem }) => (
          <p class="note note-error" key={seatNo} role="alert">
            {seatNo}: {problem.message}
          </p>
        ))}
        {selection.length > 0 ? (
          <p>
            Selected: <strong>{selection.map((seat) => seat.seatNo).join(', ')}</strong> · {formatPoints(total)}
          </p>
        ) : (
          holds.length === 0 && <p>Select the seats you want on the map.</p>
        )}
        <div class="actions">
          <button type="button" disabled={selection.length === 0 || holding} onClick={() => void hold()}>
            {holding ? 'Holding…' : holdLabel(selection.length)}
          </button>
          {holds.length > 0 && (
            <a class="button secondary" href={href('checkout')}>
              Checkout ({holds.length} held)
            </a>
          )}
        </div>
        {holds.length > 0 && firstDeadline && (
          <div class="held-list">
            <p>
              Held for you: <strong>{holds.map((ticket) => ticket.seatNo).join(', ')}</strong>
            </p>
            <Countdown until={firstDeadline} label="Your hold ends in" onEnd={() => tickets.reload()} />
          </div>
        )}
      </div>
    </section>
  );
}
