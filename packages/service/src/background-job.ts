import type { FastifyInstance } from 'fastify';

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
  const tick = () => {
    running = job
      .run()
      .then(() => undefined)
      .catch((error: unknown) =>
        app.log.warn({ err: error, job: job.name }, `background job ${job.name} failed; will retry`),
      )
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
