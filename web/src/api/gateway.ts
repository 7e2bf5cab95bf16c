import { call } from './http';

/** The gateway's own admin API: every service instance's metrics, scraped on request (admins only). */
export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface InstanceMetrics {
  service: string;
  instance: number;
  up: boolean;
  samples: MetricSample[];
}

export interface MetricsSnapshot {
  at: string;
  instances: InstanceMetrics[];
}

export const gatewayApi = {
  metrics: () => call<MetricsSnapshot>('GET', '/api/dashboard/metrics'),
};
