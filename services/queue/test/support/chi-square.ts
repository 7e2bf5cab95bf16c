/**
 * Pearson's chi-square test of independence, for tests of randomness: is where an item ended up independent of
 * where it started? No library: the survival function is the regularized upper incomplete gamma function
 * (Numerical Recipes, 3rd ed., §6.2: series below a + 1, continued fraction above).
 */

function lnGamma(x: number): number {
  // Lanczos approximation, g = 7, n = 9 (accurate to ~1e-15 for x > 0)
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let sum = c[0]!;
  for (let i = 1; i < 9; i++) sum += c[i]! / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** Q(a, x) = Γ(a, x) / Γ(a). */
function upperGammaRegularized(a: number, x: number): number {
  if (x <= 0) return 1;
  const front = Math.exp(-x + a * Math.log(x) - lnGamma(a));
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 10_000 && Math.abs(term) > Math.abs(sum) * 1e-16; n++) {
      term *= x / (a + n);
      sum += term;
    }
    return 1 - front * sum;
  }
  // Lentz's continued fraction
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return front * h;
}

/** P(X ≥ statistic) for X ~ chi-square with `degrees` degrees of freedom. */
export function chiSquareSurvival(statistic: number, degrees: number): number {
  return upperGammaRegularized(degrees / 2, statistic / 2);
}

/**
 * Bins `from` and `to` (each a position 0..n-1 of the same n items) into `bins` equal ranges each and tests the
 * bins × bins table for independence. Returns the statistic, its degrees of freedom and the p-value.
 */
export function independenceTest(
  pairs: { from: number; to: number }[],
  bins: number,
): { statistic: number; degrees: number; p: number } {
  const n = pairs.length;
  const binOf = (position: number) => Math.min(bins - 1, Math.floor((position * bins) / n));
  const table = Array.from({ length: bins }, () => new Array<number>(bins).fill(0));
  for (const { from, to } of pairs) table[binOf(from)]![binOf(to)]!++;
  const rows = table.map((row) => row.reduce((a, b) => a + b, 0));
  const columns = table[0]!.map((_, j) => table.reduce((sum, row) => sum + row[j]!, 0));
  let statistic = 0;
  for (let i = 0; i < bins; i++)
    for (let j = 0; j < bins; j++) {
      const expected = (rows[i]! * columns[j]!) / n;
      statistic += (table[i]![j]! - expected) ** 2 / expected;
    }
  const degrees = (bins - 1) * (bins - 1);
  return { statistic, degrees, p: chiSquareSurvival(statistic, degrees) };
}
