import type { Seat, SeatStatus } from '../api/ticket';

export interface SeatRow {
  label: string;
  seats: Seat[];
}

const SEAT_NO = /^([A-Za-z]+)\s*-?\s*(\d+)$/;

/**
 * Rows of the seat map from seat numbers such as "A12": grouped by their letters, ordered by number. Seat
 * numbers without that shape are laid out in rows of 25 in id order, so any map an operator makes still draws.
 */
export function seatRows(seats: Seat[]): SeatRow[] {
  const rows = new Map<string, { seat: Seat; n: number }[]>();
  const loose: Seat[] = [];
  for (const seat of seats) {
    const match = SEAT_NO.exec(seat.seatNo);
    if (!match) {
      loose.push(seat);
      continue;
    }
    const label = match[1]!.toUpperCase();
    rows.set(label, [...(rows.get(label) ?? []), { seat, n: Number(match[2]) }]);
  }
  const lettered = [...rows.entries()]
    .sort(([a], [b]) => a.length - b.length || a.localeCompare(b))
    .map(([label, entries]) => ({ label, seats: entries.sort((a, b) => a.n - b.n).map((entry) => entry.seat) }));
  const sortedLoose = [...loose].sort((a, b) => a.id - b.id);
  const chunks = Array.from({ length: Math.ceil(sortedLoose.length / 25) }, (_, index) => ({
    label: String(lettered.length + index + 1),
    seats: sortedLoose.slice(index * 25, index * 25 + 25),
  }));
  return [...lettered, ...chunks];
}

export function countByStatus(seats: Seat[]): Record<SeatStatus, number> {
  const counts: Record<SeatStatus, number> = { AVAILABLE: 0, HELD: 0, SOLD: 0 };
  for (const seat of seats) counts[seat.status] += 1;
  return counts;
}

/** Distinct prices, dearest first: the legend of price bands. */
export const priceBands = (seats: Seat[]) => [...new Set(seats.map((seat) => seat.price))].sort((a, b) => b - a);
