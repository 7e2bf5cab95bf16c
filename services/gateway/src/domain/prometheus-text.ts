/**
 * Prometheus' text exposition format (what every service's /metrics prints) as plain samples, for the admin
 * dashboard. HELP/TYPE lines are skipped; a sample is `name{label="value",…} value [timestamp]`.
 */
export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;

function parseLabels(text: string, start: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = start;
  while (i < text.length && text[i] !== '}') {
    while (text[i] === ',' || text[i] === ' ') i++;
    if (text[i] === '}') break;
    const eq = text.indexOf('=', i);
    if (eq < 0 || text[eq + 1] !== '"') throw new Error('malformed label');
    const key = text.slice(i, eq).trim();
    let value = '';
    i = eq + 2;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') {
        const next = text[i + 1];
        value += next === 'n' ? '\n' : (next ?? '');
        i += 2;
      } else value += text[i++];
    }
    if (text[i] !== '"') throw new Error('unterminated label value');
    labels[key] = value;
    i++;
  }
  if (text[i] !== '}') throw new Error('unterminated labels');
  return { labels, end: i + 1 };
}

function parseValue(raw: string): number {
  if (raw === '+Inf') return Infinity;
  if (raw === '-Inf') return -Infinity;
  return raw === '' ? NaN : Number(raw);
}

/** Every sample in the text; a line that does not parse is skipped rather than failing the whole scrape. */
export function parsePrometheusText(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const name = NAME.exec(line)?.[0];
    if (!name) continue;
    try {
      let rest = line.slice(name.length);
      let labels: Record<string, string> = {};
      if (rest.startsWith('{')) {
        const parsed = parseLabels(rest, 1);
        labels = parsed.labels;
        rest = rest.slice(parsed.end);
      }
      const value = parseValue(rest.trim().split(/\s+/)[0] ?? '');
      if (!Number.isNaN(value)) samples.push({ name, labels, value });
    } catch {
      // one malformed line (a label value with a stray quote) should not hide the rest
    }
  }
  return samples;
}

/**
 * Samples summed over the labels a reader does not want (say, every route of a histogram): the dashboard asks
 * for `without=route,method` and gets one line per status and bucket instead of one per route.
 */
export function sumWithout(samples: MetricSample[], dropped: string[]): MetricSample[] {
  if (dropped.length === 0) return samples;
  const sums = new Map<string, MetricSample>();
  for (const sample of samples) {
    const labels = Object.fromEntries(Object.entries(sample.labels).filter(([key]) => !dropped.includes(key)));
    const key = `${sample.name}${JSON.stringify(Object.entries(labels).sort())}`;
    const known = sums.get(key);
    if (known) known.value += sample.value;
    else sums.set(key, { name: sample.name, labels, value: sample.value });
  }
  return [...sums.values()];
}

/** Node's own process and runtime figures: the dashboard does not chart them, so they are not sent. */
export const isRuntimeMetric = (name: string) => name.startsWith('process_') || name.startsWith('nodejs_');
