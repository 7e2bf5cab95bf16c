/**
 * The seat map an operator describes with a few numbers: rows A, B, C… of equal length, the front rows at one
 * price and the others at another. The ticket service takes the explicit list this expands to.
 */
export interface SeatPlan {
  rows: number;
  seatsPerRow: number;
  frontRows: number;
  frontPrice: number;
  price: number;
}

export const MAX_ROWS = 26 * 27; // A–Z, then AA–ZZ

export function rowLabel(index: number): string {
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  return index < 26 ? letters[index]! : `${letters[Math.floor(index / 26) - 1]!}${letters[index % 26]!}`;
}

export function expandPlan(plan: SeatPlan): { seat_no: string; price: number }[] {
  return Array.from({ length: plan.rows }, (_, row) =>
    Array.from({ length: plan.seatsPerRow }, (_, seat) => ({
      seat_no: `${rowLabel(row)}${seat + 1}`,
      price: row < plan.frontRows ? plan.frontPrice : plan.price,
    })),
  ).flat();
}

/** What is wrong with a plan, field by field (empty when it can be sent). */
export function planProblems(plan: SeatPlan): Partial<Record<keyof SeatPlan, string>> {
  const problems: Partial<Record<keyof SeatPlan, string>> = {};
  const whole = (value: number) => Number.isInteger(value) && value >= 0;
  if (!whole(plan.rows) || plan.rows < 1 || plan.rows > MAX_ROWS) problems.rows = `From 1 to ${MAX_ROWS} rows.`;
  if (!whole(plan.seatsPerRow) || plan.seatsPerRow < 1 || plan.seatsPerRow > 200)
    problems.seatsPerRow = 'From 1 to 200 seats a row.';
  if (!whole(plan.frontRows) || plan.frontRows > plan.rows) problems.frontRows = 'At most the number of rows.';
  if (!whole(plan.frontPrice)) problems.frontPrice = 'A whole number of points, 0 or more.';
  if (!whole(plan.price)) problems.price = 'A whole number of points, 0 or more.';
  if (!problems.rows && !problems.seatsPerRow && plan.rows * plan.seatsPerRow > 20_000)
    problems.seatsPerRow = 'At most 20,000 seats in all.';
  return problems;
}
