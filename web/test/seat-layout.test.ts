import type { Seat } from '../src/api/ticket';
import { countByStatus, priceBands, seatRows } from '../src/domain/seat-layout';
import { expandPlan, planProblems, rowLabel } from '../src/domain/showtime-plan';

const seat = (id: number, seatNo: string, status: Seat['status'] = 'AVAILABLE', price = 100): Seat => ({
  id,
  seatNo,
  status,
  price,
});

describe('seat map layout', () => {
  it('when seats are numbered A1…B10, then rows come in letter order and seats in number order (not text order)', () => {
    const rows = seatRows([seat(1, 'B2'), seat(2, 'A10'), seat(3, 'A2'), seat(4, 'A1'), seat(5, 'B1')]);
    expect(rows.map((row) => [row.label, row.seats.map((s) => s.seatNo)])).toEqual([
      ['A', ['A1', 'A2', 'A10']],
      ['B', ['B1', 'B2']],
    ]);
  });

  it('when rows pass Z, then AA comes after Z', () => {
    const rows = seatRows([seat(1, 'AA1'), seat(2, 'Z1'), seat(3, 'A1')]);
    expect(rows.map((row) => row.label)).toEqual(['A', 'Z', 'AA']);
  });

  it('when seat numbers have no row letters, then they are laid out 25 to a row in id order', () => {
    const seats = Array.from({ length: 30 }, (_, i) => seat(30 - i, `#${30 - i}`));
    const rows = seatRows(seats);
    expect(rows.map((row) => row.seats.length)).toEqual([25, 5]);
    expect(rows[0]!.seats[0]!.id).toBe(1);
  });

  it('when the demo map (500 seats, 20 rows of 25) is laid out, then it is 20 rows of 25 with the counts per status', () => {
    const seats = Array.from({ length: 500 }, (_, i) =>
      seat(
        i + 1,
        `${String.fromCharCode(65 + Math.floor(i / 25))}${(i % 25) + 1}`,
        i % 10 === 0 ? 'SOLD' : i % 10 === 1 ? 'HELD' : 'AVAILABLE',
        i < 125 ? 150_000 : 99_000,
      ),
    );
    const rows = seatRows(seats);
    expect(rows).toHaveLength(20);
    expect(rows.every((row) => row.seats.length === 25)).toBe(true);
    expect(countByStatus(seats)).toEqual({ AVAILABLE: 400, HELD: 50, SOLD: 50 });
    expect(priceBands(seats)).toEqual([150_000, 99_000]);
  });
});

describe('an operator seat plan', () => {
  it('when 20 rows of 25 with 5 front rows are asked for, then the 500 seats are A1…T25 with the front dearer', () => {
    const seats = expandPlan({ rows: 20, seatsPerRow: 25, frontRows: 5, frontPrice: 150_000, price: 99_000 });
    expect(seats).toHaveLength(500);
    expect(seats[0]).toEqual({ seat_no: 'A1', price: 150_000 });
    expect(seats[124]).toEqual({ seat_no: 'E25', price: 150_000 });
    expect(seats[125]).toEqual({ seat_no: 'F1', price: 99_000 });
    expect(seats[499]).toEqual({ seat_no: 'T25', price: 99_000 });
    expect(rowLabel(26)).toBe('AA');
  });

  it('when a plan is impossible, then every wrong field is named', () => {
    expect(planProblems({ rows: 0, seatsPerRow: 25.5, frontRows: 3, frontPrice: -1, price: NaN })).toEqual({
      rows: expect.any(String),
      seatsPerRow: expect.any(String),
      frontRows: expect.any(String),
      frontPrice: expect.any(String),
      price: expect.any(String),
    });
    expect(planProblems({ rows: 200, seatsPerRow: 200, frontRows: 0, frontPrice: 0, price: 0 }).seatsPerRow).toBe(
      'At most 20,000 seats in all.',
    );
    expect(planProblems({ rows: 20, seatsPerRow: 25, frontRows: 5, frontPrice: 1, price: 1 })).toEqual({});
  });
});
