import { useMemo, useRef, useState } from 'preact/hooks';
import type { Seat } from '../api/ticket';
import { formatPoints } from '../domain/format';
import { countByStatus, priceBands, seatRows } from '../domain/seat-layout';

export type SeatLook = 'available' | 'held' | 'sold' | 'selected' | 'mine';

const WORDS: Record<SeatLook, string> = {
  available: 'available',
  held: 'held by someone',
  sold: 'sold',
  selected: 'selected',
  mine: 'held for you',
};

/** Shapes as well as colours, so the map reads without colour: ○ free, ▨ held, ✕ sold, ✓ selected, ★ yours. */
export function SeatLegend({ seats }: { seats: Seat[] }) {
  const counts = countByStatus(seats);
  const bands = priceBands(seats);
  return (
    <div class="seat-legend">
      <ul aria-label="Legend">
        <li>
          <span class="seat seat-available" aria-hidden="true" /> Available ({counts.AVAILABLE})
        </li>
        <li>
          <span class="seat seat-held" aria-hidden="true" /> Held ({counts.HELD})
        </li>
        <li>
          <span class="seat seat-sold" aria-hidden="true" /> Sold ({counts.SOLD})
        </li>
        <li>
          <span class="seat seat-selected" aria-hidden="true" /> Your selection
        </li>
        <li>
          <span class="seat seat-mine" aria-hidden="true" /> Held for you
        </li>
      </ul>
      {bands.length > 1 && (
        <p class="hint">Prices: {bands.map(formatPoints).join(' · ')} (dearer seats are at the front)</p>
      )}
    </div>
  );
}

/**
 * The whole showtime at a glance: one button per seat, rows top to bottom from the stage. One seat is in the
 * tab order at a time (roving tabindex); arrow keys move, Home/End jump along a row, Space/Enter selects.
 */
export function SeatMap({
  seats,
  selected,
  mine,
  onToggle,
}: {
  seats: Seat[];
  selected: Set<number>;
  mine: Set<number>;
  onToggle: (seat: Seat) => void;
}) {
  const rows = useMemo(() => seatRows(seats), [seats]);
  const [focusId, setFocusId] = useState<number | undefined>(undefined);
  const grid = useRef<HTMLDivElement>(null);
  const firstFree = rows.flatMap((row) => row.seats).find((seat) => seat.status === 'AVAILABLE') ?? rows[0]?.seats[0];
  const active = focusId ?? firstFree?.id;

  const lookOf = (seat: Seat): SeatLook =>
    mine.has(seat.id)
      ? 'mine'
      : selected.has(seat.id)
        ? 'selected'
        : seat.status === 'AVAILABLE'
          ? 'available'
          : seat.status === 'HELD'
            ? 'held'
            : 'sold';

  const move = (rowIndex: number, seatIndex: number) => {
    const row = rows[Math.max(0, Math.min(rows.length - 1, rowIndex))];
    if (!row) return;
    const seat = row.seats[Math.max(0, Math.min(row.seats.length - 1, seatIndex))];
    if (!seat) return;
    setFocusId(seat.id);
    grid.current?.querySelector<HTMLButtonElement>(`[data-seat-id="${seat.id}"]`)?.focus();
  };

  const onKeyDown = (event: KeyboardEvent, rowIndex: number, seatIndex: number) => {
    const keys: Record<string, [number, number]> = {
      ArrowLeft: [rowIndex, seatIndex - 1],
      ArrowRight: [rowIndex, seatIndex + 1],
      ArrowUp: [rowIndex - 1, seatIndex],
      ArrowDown: [rowIndex + 1, seatIndex],
      Home: [rowIndex, 0],
      End: [rowIndex, Number.MAX_SAFE_INTEGER],
    };
    const target = keys[event.key];
    if (!target) return;
    event.preventDefault();
    move(...target);
  };

  const counts = countByStatus(seats);
  return (
    <>
      {/* On a phone the seats keep a finger's size and scroll; this overview shows the whole house at once. */}
      <div
        class="seat-overview"
        role="img"
        aria-label={`Overview: ${counts.AVAILABLE} available, ${counts.HELD} held, ${counts.SOLD} sold`}
      >
        {rows.map((row) => (
          <div class="overview-row" key={row.label}>
            {row.seats.map((seat) => (
              <span key={seat.id} class={`mini mini-${lookOf(seat)}`} />
            ))}
          </div>
        ))}
      </div>
      <div class="seat-map-scroll">
        <div class="stage" aria-hidden="true">
          Stage
        </div>
        <div class="seat-map" ref={grid} role="group" aria-label={`Seat map, ${seats.length} seats`}>
          {rows.map((row, rowIndex) => (
            <div class="seat-row" role="group" aria-label={`Row ${row.label}`} key={row.label}>
              <span class="row-label" aria-hidden="true">
                {row.label}
              </span>
              {row.seats.map((seat, seatIndex) => {
                const look = lookOf(seat);
                const choosable = look === 'available' || look === 'selected';
                return (
                  <button
                    type="button"
                    key={seat.id}
                    class={`seat seat-${look}`}
                    data-seat-id={seat.id}
                    data-seat-no={seat.seatNo}
                    data-status={look}
                    tabIndex={seat.id === active ? 0 : -1}
                    aria-pressed={look === 'selected' || look === 'mine'}
                    aria-disabled={choosable ? undefined : 'true'}
                    aria-label={`${seat.seatNo}, ${formatPoints(seat.price)}, ${WORDS[look]}`}
                    title={`${seat.seatNo} · ${formatPoints(seat.price)} · ${WORDS[look]}`}
                    onClick={() => choosable && onToggle(seat)}
                    onFocus={() => setFocusId(seat.id)}
                    onKeyDown={(event) => onKeyDown(event, rowIndex, seatIndex)}
                  />
                );
              })}
            </div>
          ))}
        </div>
      </div>
    </>
  );
}
