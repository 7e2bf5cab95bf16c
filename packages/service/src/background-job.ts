import type { FastifyInstance } from 'fastify';
import client from 'prom-client';

interface JobMetrics {
  lastSuccess: client.Gauge<'task'>;
  failures: client.Counter<'task'>;
}

const metricsByRegistry = new WeakMap<client.Registry, JobMetrics>();

/**
 * `background_job_last_success_timestamp_seconds{task}` and `background_job_failures_total{task}`, once per app. The
 * label is `task`, not `job`: Prometheus gives every scraped series its own `job` label (the scrape job).
 */
function jobMetrics(registry: client.Registry): JobMetrics {
  let metrics = metricsByRegistry.get(registry);
  if (!metrics) {
    metrics = {
      lastSuccess: new client.Gauge({
        name: 'background_job_last_success_timestamp_seconds',
        help: 'When a background job last finished a run without error (Unix time); an alert compares it with now',
        labelNames: ['task'],
        registers: [registry],
      }),
      failures: new client.Counter({
        name: 'background_job_failures_total',
        help: 'Runs of a background job that failed (each is retried at its next interval)',
        labelNames: ['task'],
        registers: [registry],
      }),
    };
    metricsByRegistry.set(registry, metrics);
  }
  return metrics;
}

/**
 * Runs `job` every `intervalMs` from when the app is ready until it closes (close waits for a run in progress).
 * Jobs must be safe with several instances running them at once: they claim rows with SKIP LOCKED.
 */
export function scheduleJob(
  app: FastifyInstance,
  job: { name: string; intervalMs: number; run: () => Promise<unknown> },
): void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const metrics = jobMetrics(app.metrics);
  metrics.failures.inc({ task: job.name }, 0); // exported from the start, so a rate over it is defined
  const tick = () => {
    running = job
      .run()
      .then(() => void metrics.lastSuccess.set({ task: job.name }, Date.now() / 1000))
      .catch((error: unknown) => {
        metrics.failures.inc({ task: job.name });
        app.log.warn({ err: error, job: job.name }, `background job ${job.name} failed; will retry`);
      })
      .finally(() => {
        running = undefined;
        if (!stopped) timer = setTimeout(tick, job.intervalMs);
      });
  };
  app.addHook('onReady', async () => {
    timer = setTimeout(tick, job.intervalMs);
  });
  app.addHook('onClose', async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  });
}
