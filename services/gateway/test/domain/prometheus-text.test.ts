import client from 'prom-client';
import { isRuntimeMetric, parsePrometheusText, sumWithout } from '../../src/domain/prometheus-text';

describe('reading Prometheus text for the dashboard', () => {
  it("when prom-client's own output is read, then every sample comes back with its labels and value", async () => {
    const registry = new client.Registry();
    registry.setDefaultLabels({ service: 'ticket' });
    const histogram = new client.Histogram({
      name: 'http_request_duration_seconds',
      help: 'x',
      labelNames: ['route', 'status'],
      buckets: [0.01, 0.1],
      registers: [registry],
    });
    histogram.observe({ route: '/concerts', status: '200' }, 0.005);
    histogram.observe({ route: '/tickets', status: '200' }, 0.05);
    const gauge = new client.Gauge({ name: 'breaker_state', help: 'x', labelNames: ['peer'], registers: [registry] });
    gauge.set({ peer: 'queue "main"\\n' }, 2);

    const samples = parsePrometheusText(await registry.metrics());
    expect(samples).toContainEqual({
      name: 'http_request_duration_seconds_bucket',
      labels: { le: '+Inf', route: '/tickets', status: '200', service: 'ticket' },
      value: 1,
    });
    expect(samples).toContainEqual({
      name: 'breaker_state',
      labels: { peer: 'queue "main"\\n', service: 'ticket' },
      value: 2,
    });

    const byStatus = sumWithout(samples, ['route']).filter(
      (s) => s.name === 'http_request_duration_seconds_bucket' && s.labels.le === '0.1',
    );
    expect(byStatus).toEqual([
      {
        name: 'http_request_duration_seconds_bucket',
        labels: { le: '0.1', status: '200', service: 'ticket' },
        value: 2,
      },
    ]);
  });

  it('when a line is malformed, then it alone is skipped', () => {
    const text = [
      '# HELP queue_waiting_users Users in line',
      '# TYPE queue_waiting_users gauge',
      'queue_waiting_users{room="a} 3',
      'queue_waiting_users{room="b"} 7 1700000000000',
      'queue_active_users 4',
      'garbage',
      '',
    ].join('\n');
    expect(parsePrometheusText(text)).toEqual([
      { name: 'queue_waiting_users', labels: { room: 'b' }, value: 7 },
      { name: 'queue_active_users', labels: {}, value: 4 },
    ]);
    expect(isRuntimeMetric('process_cpu_seconds_total')).toBe(true);
    expect(isRuntimeMetric('ticket_seats_sold_total')).toBe(false);
  });
});
