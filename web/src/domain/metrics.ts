import type { InstanceMetrics, MetricSample, MetricsSnapshot } from '../api/gateway';

/**
 * The live dashboard's arithmetic: counters become rates, histograms a 95th percentile over each interval,
 * gauges are read as they are. Instances of one service report the same shared state for a gauge (a database
 * row count, the Redis line), so a service's gauge is the largest of its instances; counters add up.
 */
export type PanelKind = 'gauge' | 'per-minute' | 'per-second' | 'p95-ms' | 'state';

export interface PanelSpec {
  id: string;
  title: string;
  metric: string;
  kind: PanelKind;
  /** The label that names each line of the panel (besides `service`). */
  splitBy?: string;
  /** Only samples whose labels match (e.g. status 5xx). */
  where?: (labels: Record<string, string>) => boolean;
  unit: string;
}

/** The panels, in the order shown; metric names as agreed for every service (docs/operations.md). */
export const PANELS: PanelSpec[] = [
  {
    id: 'waiting',
    title: 'Waiting in line',
    metric: 'queue_waiting_users',
    kind: 'gauge',
    unit: 'users',
    splitBy: 'room',
  },
  { id: 'active', title: 'Active buyers', metric: 'queue_active_users', kind: 'gauge', unit: 'users', splitBy: 'room' },
  { id: 'admitted', title: 'Admitted', metric: 'queue_admitted_total', kind: 'per-minute', unit: '/min' },
  { id: 'holds', title: 'Seats on hold', metric: 'ticket_seat_holds_live', kind: 'gauge', unit: 'seats' },
  { id: 'sold', title: 'Seats sold', metric: 'ticket_seats_sold_total', kind: 'per-minute', unit: '/min' },
  { id: 'revenue', title: 'Revenue', metric: 'payment_revenue_points_total', kind: 'per-minute', unit: 'P/min' },
  {
    id: 'payments',
    title: 'Payments',
    metric: 'payment_payments_total',
    kind: 'per-minute',
    unit: '/min',
    splitBy: 'outcome',
  },
  { id: 'payment-latency', title: 'Payment time p95', metric: 'payment_duration_seconds', kind: 'p95-ms', unit: 'ms' },
  { id: 'requests', title: 'Requests', metric: 'http_request_duration_seconds', kind: 'per-second', unit: '/s' },
  { id: 'latency', title: 'Request time p95', metric: 'http_request_duration_seconds', kind: 'p95-ms', unit: 'ms' },
  {
    id: 'errors',
    title: 'Server errors',
    metric: 'http_request_duration_seconds',
    kind: 'per-minute',
    unit: '/min',
    where: (labels) => labels.status?.startsWith('5') ?? false,
  },
  { id: 'breakers', title: 'Circuit breakers', metric: 'breaker_state', kind: 'state', unit: '', splitBy: 'peer' },
  { id: 'outbox', title: 'Outbox pending', metric: 'events_outbox_pending_rows', kind: 'gauge', unit: 'rows' },
  {
    id: 'outbox-age',
    title: 'Oldest unpublished event',
    metric: 'events_outbox_oldest_pending_seconds',
    kind: 'gauge',
    unit: 's',
  },
  {
    id: 'replica-lag',
    title: 'Replica lag',
    metric: 'events_consumer_lag_messages',
    kind: 'gauge',
    unit: 'messages',
    splitBy: 'group',
  },
  { id: 'dead-letters', title: 'Dead letters', metric: 'events_dead_letters_rows', kind: 'gauge', unit: 'rows' },
  {
    id: 'sweeper',
    title: 'Hold sweeper overdue',
    metric: 'ticket_hold_sweeper_overdue_seconds',
    kind: 'gauge',
    unit: 's',
  },
];

export interface Point {
  t: number;
  v: number;
}

export interface Series {
  key: string;
  points: Point[];
}

const familyOf = (spec: PanelSpec, sample: MetricSample) => {
  if (spec.kind === 'p95-ms') return sample.name === `${spec.metric}_bucket`;
  if (spec.metric.endsWith('_seconds') && spec.kind !== 'gauge') return sample.name === `${spec.metric}_count`;
  return sample.name === spec.metric;
};

const seriesKey = (spec: PanelSpec, instance: InstanceMetrics, sample: MetricSample) =>
  spec.splitBy && sample.labels[spec.splitBy] !== undefined
    ? `${instance.service} · ${sample.labels[spec.splitBy]}`
    : instance.service;

/** One snapshot reduced to the panel's values: key → value (or, for p95, key → bucket bound → count). */
function reduce(spec: PanelSpec, snapshot: MetricsSnapshot): Map<string, number | Map<number, number>> {
  const perInstance = new Map<string, Map<string, number | Map<number, number>>>();
  for (const instance of snapshot.instances) {
    if (!instance.up) continue;
    const values = new Map<string, number | Map<number, number>>();
    for (const sample of instance.samples) {
      if (!familyOf(spec, sample) || (spec.where && !spec.where(sample.labels))) continue;
      const key = seriesKey(spec, instance, sample);
      if (spec.kind === 'p95-ms') {
        const bound = sample.labels.le === '+Inf' ? Infinity : Number(sample.labels.le);
        const buckets = (values.get(key) as Map<number, number> | undefined) ?? new Map<number, number>();
        buckets.set(bound, (buckets.get(bound) ?? 0) + sample.value);
        values.set(key, buckets);
      } else if (spec.kind === 'gauge' || spec.kind === 'state') {
        values.set(key, Math.max((values.get(key) as number | undefined) ?? -Infinity, sample.value));
      } else {
        values.set(key, ((values.get(key) as number | undefined) ?? 0) + sample.value);
      }
    }
    perInstance.set(`${instance.service}#${instance.instance}`, values);
  }
  // across instances: counters and buckets add up, gauges take the largest
  const merged = new Map<string, number | Map<number, number>>();
  for (const values of perInstance.values()) {
    for (const [key, value] of values) {
      const before = merged.get(key);
      if (value instanceof Map) {
        const sum = new Map(before instanceof Map ? before : []);
        for (const [bound, count] of value) sum.set(bound, (sum.get(bound) ?? 0) + count);
        merged.set(key, sum);
      } else if (spec.kind === 'gauge' || spec.kind === 'state') {
        merged.set(key, Math.max((before as number | undefined) ?? -Infinity, value));
      } else {
        merged.set(key, ((before as number | undefined) ?? 0) + value);
      }
    }
  }
  return merged;
}

/** The q-quantile of cumulative histogram buckets (Prometheus' histogram_quantile, linear within a bucket). */
export function quantile(q: number, buckets: Map<number, number>): number | undefined {
  const sorted = [...buckets.entries()].sort(([a], [b]) => a - b);
  const total = sorted.at(-1)?.[1] ?? 0;
  if (total <= 0) return undefined;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const [bound, count] of sorted) {
    if (count >= rank) {
      if (bound === Infinity) return lowerBound; // beyond the last finite bucket: its bound is all we know
      const inBucket = count - lowerCount;
      return inBucket > 0 ? lowerBound + ((bound - lowerBound) * (rank - lowerCount)) / inBucket : bound;
    }
    lowerBound = bound;
    lowerCount = count;
  }
  return lowerBound;
}

const delta = (now: number, before: number) => (now >= before ? now - before : now); // a restart resets counters

/** The panel's lines over the snapshots (oldest first). Empty when no service reports the metric yet. */
export function panelSeries(spec: PanelSpec, snapshots: MetricsSnapshot[]): Series[] {
  const reduced = snapshots.map((snapshot) => ({ t: Date.parse(snapshot.at), values: reduce(spec, snapshot) }));
  const keys = [...new Set(reduced.flatMap((entry) => [...entry.values.keys()]))].sort();
  return keys.map((key) => {
    const points: Point[] = [];
    for (let i = 0; i < reduced.length; i++) {
      const now = reduced[i]!;
      const value = now.values.get(key);
      if (value === undefined) continue;
      if (spec.kind === 'gauge' || spec.kind === 'state') {
        points.push({ t: now.t, v: value as number });
        continue;
      }
      const before = reduced[i - 1];
      const previous = before?.values.get(key);
      if (!before || previous === undefined) continue;
      const seconds = (now.t - before.t) / 1000;
      if (seconds <= 0) continue;
      if (spec.kind === 'p95-ms') {
        const interval = new Map<number, number>();
        for (const [bound, count] of value as Map<number, number>)
          interval.set(bound, delta(count, (previous as Map<number, number>).get(bound) ?? 0));
        const p95 = quantile(0.95, interval);
        if (p95 !== undefined) points.push({ t: now.t, v: p95 * 1000 });
      } else {
        const rate = delta(value as number, previous as number) / seconds;
        points.push({ t: now.t, v: spec.kind === 'per-minute' ? rate * 60 : rate });
      }
    }
    return { key, points };
  });
}

export const BREAKER_STATES = ['closed', 'half-open', 'open'] as const;
