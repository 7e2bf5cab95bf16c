// The figures issue 21 names, with their targets: scenarios emit them through `ratios({...})` (re-exported by
// bench/lib.mjs) and the report puts them on each section's `Ratios:` line and in its summary table. No
// dependencies, so the runner can load it without a database.

/** Named figure → its target; `atMost` for figures where lower is better. */
export const NAMED_RATIOS = {
  paymentsVsBaseline: { atLeast: 0.11, about: 'ticket payments/s ÷ baseline req/s, 100 concurrent users' },
  reservationsVsBaseline: { atLeast: 0.25, about: 'seed 002 reservations req/s ÷ baseline, 10,000 × 1 on 1,000' },
  itemListVsStaticBaseline: {
    atLeast: 0.5,
    about: 'item list (50 items, alarms) req/s ÷ a bare Fastify serving the same JSON from memory',
  },
  gatewayOverheadPercent: { atMost: 10, about: 'throughput lost through the gateway vs the service direct, %' },
  gatewayP99VsDirect: { atMost: 1.2, about: 'p99 through the gateway ÷ p99 direct' },
  joinsVsBaseline: { atLeast: 0.3, about: 'waiting-room joins/s ÷ baseline req/s' },
  tokenReplicaCatchUpSeconds: {
    atMost: 3,
    about: "10,000 token events until the ticket service's replica has them, seconds",
  },
  stormThroughputVsBaseline: { atLeast: 0.6, about: 'seat-hold storm req/s ÷ baseline req/s' },
  stormP99VsBaseline: { atMost: 4, about: 'seat-hold storm p99 ÷ baseline p99' },
  pollingThroughputVsBaseline: { atLeast: 0.9, about: 'waiting-room status polling req/s ÷ baseline req/s' },
  tracingOverheadPercent: {
    atMost: 5,
    about: 'throughput lost with tracing on, 10% of traces sampled, vs off (gateway → user service), %',
  },
};

/** "≥ 0.11" / "≤ 10". */
export function targetText(name) {
  const target = NAMED_RATIOS[name];
  if (!target) return '';
  return target.atLeast !== undefined ? `≥ ${target.atLeast}` : `≤ ${target.atMost}`;
}

/** Whether a figure meets its target (undefined when it has none or was not measured). */
export function meetsTarget(name, value) {
  const target = NAMED_RATIOS[name];
  if (!target || typeof value !== 'number') return undefined;
  return target.atLeast !== undefined ? value >= target.atLeast : value <= target.atMost;
}

/** `Ratios: a = 1, b = 2.` with the named figures first, in the order of NAMED_RATIOS. */
export function ratiosLine(figures) {
  const names = Object.keys(figures ?? {});
  const ordered = [
    ...Object.keys(NAMED_RATIOS).filter((name) => names.includes(name)),
    ...names.filter((name) => !(name in NAMED_RATIOS)),
  ];
  if (ordered.length === 0) return 'Ratios: none.';
  return `Ratios: ${ordered.map((name) => `${name} = ${figures[name] ?? 'not measured'}`).join(', ')}.`;
}

/**
 * What a scenario puts under `ratios` in its result: the figures as given (the issue's names above and any of its
 * own), each checked to be a finite number so a NaN fails the run instead of leaving a hole in the report (an
 * `undefined` one is left out: not measured this run), and printed as the `Ratios:` line. e.g. `writeResult('x', { ..., ratios: ratios({ paymentsVsBaseline: 0.12 }) })`.
 */
export function ratios(figures) {
  for (const [name, value] of Object.entries(figures)) {
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new Error(`ratio ${name} is ${value}: a measured figure must be a finite number`);
    }
  }
  const defined = Object.fromEntries(Object.entries(figures).filter(([, value]) => value !== undefined));
  console.log(ratiosLine(defined));
  return defined;
}
