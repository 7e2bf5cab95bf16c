/**
 * Just enough of PromQL and of the Prometheus text format for observability.test.ts: which metrics an expression
 * reads, which labels it groups or matches by, and what a /metrics page exports.
 */
const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
]);

/** Strings, label matchers and range selectors removed: what is left names metrics, functions and keywords. */
function skeleton(expr: string): string {
  return expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
}

/** The metric names an expression reads, in order of first appearance (functions and keywords are not names). */
export function metricNamesIn(expr: string): string[] {
  const text = skeleton(expr);
  const names: string[] = [];
  for (const match of text.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*(?![A-Za-z0-9_:]|\s*\()/g)) {
    const name = match[0];
    // the "e3" of 1e3, the "m" of offset 5m: a word glued to a number is part of that number
    const gluedToNumber = /[0-9.]/.test(text.charAt(match.index - 1));
    if (KEYWORDS.has(name) || gluedToNumber || names.includes(name)) continue;
    names.push(name);
  }
  return names;
}

/** Labels in `by (…)`, `on (…)`, `without (…)`, `ignoring (…)` and in `{label="…"}` matchers. */
export function groupingLabelsIn(expr: string): string[] {
  const labels = new Set<string>();
  for (const match of expr.matchAll(/\b(?:by|without|on|ignoring)\s*\(([^)]*)\)/g))
    match[1]!
      .split(',')
      .map((label) => label.trim())
      .filter(Boolean)
      .forEach((label) => labels.add(label));
  for (const match of expr.matchAll(/\{([^}]*)\}/g))
    for (const matcher of match[1]!.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*(?:=~|!~|!=|=)/g)) labels.add(matcher[1]!);
  return [...labels];
}

export interface Exposition {
  /** Every series name a scrape can return: a histogram's `_bucket`, `_sum`, `_count` as well as its TYPE name. */
  series: Set<string>;
  /** The label names seen on the samples of a series (empty: declared, no sample yet). */
  labelsOf(name: string): string[];
  /** A sample's value, by its labels (all of them must match). */
  valueOf(name: string, labels: Record<string, string>): number | undefined;
}

/** Reads a Prometheus text exposition (what prom-client's registry.metrics() writes). */
export function parseExposition(text: string): Exposition {
  const series = new Set<string>();
  const samples = new Map<string, { labels: Record<string, string>; value: number }[]>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)/.exec(line);
    if (type) {
      const [, name, kind] = type;
      series.add(name!);
      if (kind === 'histogram') ['_bucket', '_sum', '_count'].forEach((suffix) => series.add(`${name}${suffix}`));
      if (kind === 'summary') ['_sum', '_count'].forEach((suffix) => series.add(`${name}${suffix}`));
      continue;
    }
    const sample = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!sample) continue;
    const labels = Object.fromEntries(
      [...(sample[2] ?? '').matchAll(/([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]),
    );
    const list = samples.get(sample[1]!) ?? [];
    list.push({ labels, value: Number(sample[3]) });
    samples.set(sample[1]!, list);
  }
  return {
    series,
    labelsOf: (name) => [...new Set((samples.get(name) ?? []).flatMap((entry) => Object.keys(entry.labels)))],
    valueOf: (name, labels) =>
      samples.get(name)?.find((entry) => Object.entries(labels).every(([key, value]) => entry.labels[key] === value))
        ?.value,
  };
}
