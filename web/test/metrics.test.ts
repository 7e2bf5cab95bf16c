import type { MetricsSnapshot } from '../src/api/gateway';
import { PANELS, panelSeries, quantile } from '../src/domain/metrics';

const panel = (id: string) => PANELS.find((spec) => spec.id === id)!;

const snapshot = (at: string, instances: MetricsSnapshot['instances']): MetricsSnapshot => ({ at, instances });
const histogram = (name: string, status: string, buckets: [string, number][]) =>
  buckets.map(([le, value]) => ({ name: `${name}_bucket`, labels: { status, le }, value }));

describe('dashboard arithmetic', () => {
  it('when two instances count requests, then the rate adds them up per second between readings', () => {
    const reading = (at: string, a: number, b: number) =>
      snapshot(at, [
        {
          service: 'ticket',
          instance: 1,
          up: true,
          samples: [{ name: 'http_request_duration_seconds_count', labels: { status: '200' }, value: a }],
        },
        {
          service: 'ticket',
          instance: 2,
          up: true,
          samples: [{ name: 'http_request_duration_seconds_count', labels: { status: '200' }, value: b }],
        },
      ]);
    const series = panelSeries(panel('requests'), [
      reading('2047-10-21T09:00:00Z', 100, 50),
      reading('2047-10-21T09:00:05Z', 150, 75),
    ]);
    expect(series).toEqual([{ key: 'ticket', points: [{ t: Date.parse('2047-10-21T09:00:05Z'), v: 15 }] }]);
  });

  it('when a counter resets (an instance restarted), then the rate uses the new count, never a negative one', () => {
    const reading = (at: string, value: number) =>
      snapshot(at, [
        { service: 'queue', instance: 1, up: true, samples: [{ name: 'queue_admitted_total', labels: {}, value }] },
      ]);
    const series = panelSeries(panel('admitted'), [
      reading('2047-10-21T09:00:00Z', 900),
      reading('2047-10-21T09:01:00Z', 30),
    ]);
    expect(series[0]!.points[0]!.v).toBe(30);
  });

  it('when a gauge is read by two instances of one service, then it is the largest (shared state), split by its label', () => {
    const series = panelSeries(panel('waiting'), [
      snapshot('2047-10-21T09:00:00Z', [
        {
          service: 'queue',
          instance: 1,
          up: true,
          samples: [{ name: 'queue_waiting_users', labels: { room: 'iu' }, value: 120 }],
        },
        {
          service: 'queue',
          instance: 2,
          up: true,
          samples: [{ name: 'queue_waiting_users', labels: { room: 'iu' }, value: 118 }],
        },
        { service: 'queue', instance: 3, up: false, samples: [] },
      ]),
    ]);
    expect(series).toEqual([{ key: 'queue · iu', points: [{ t: Date.parse('2047-10-21T09:00:00Z'), v: 120 }] }]);
  });

  it('when a metric is not reported by anyone, then its panel has no lines (the page lists it as not reported)', () => {
    expect(
      panelSeries(panel('holds'), [
        snapshot('2047-10-21T09:00:00Z', [{ service: 'ticket', instance: 1, up: true, samples: [] }]),
      ]),
    ).toEqual([]);
  });

  it('when histogram buckets grow between readings, then p95 is taken over that interval only', () => {
    const name = 'http_request_duration_seconds';
    const reading = (at: string, counts: [number, number, number]) =>
      snapshot(at, [
        {
          service: 'payment',
          instance: 1,
          up: true,
          samples: histogram(name, '200', [
            ['0.01', counts[0]],
            ['0.1', counts[1]],
            ['+Inf', counts[2]],
          ]),
        },
      ]);
    // before: 1000 fast requests; in the interval: 100 requests, 50 under 10 ms and 50 between 10 and 100 ms
    const series = panelSeries(panel('latency'), [
      reading('2047-10-21T09:00:00Z', [1000, 1000, 1000]),
      reading('2047-10-21T09:00:05Z', [1050, 1100, 1100]),
    ]);
    expect(series[0]!.points[0]!.v).toBeCloseTo(91, 0); // 10 ms + 90 ms × (95 − 50) / 50
  });

  it('when most observations are past the last finite bucket, then p95 is that bound (what Prometheus says too)', () => {
    expect(
      quantile(
        0.95,
        new Map([
          [0.1, 1],
          [1, 2],
          [Infinity, 100],
        ]),
      ),
    ).toBe(1);
    expect(quantile(0.5, new Map([[Infinity, 0]]))).toBeUndefined();
  });
});
