import fp from 'fastify-plugin';
import client from 'prom-client';
import type { SeatLocks } from '../domain/seating';
import { noSeatLocks, redisSeatLocks } from '../db/seat-locks.redis';
import { oldestOverdueHoldSeconds } from '../db/seating.repo';
import { releaseExpiredHolds } from '../domain/release-expired-holds.use-case';

declare module 'fastify' {
  interface FastifyInstance {
    seatLocks: SeatLocks;
  }
}

export interface SeatHoldsOptions {
  keyPrefix: string;
  locksEnabled: boolean;
  sweepIntervalMs: number;
}

/**
 * The Redis seat locks, and the sweeper that releases expired holds with no request needed. Every instance runs
 * a sweeper; SKIP LOCKED in the sweep lets them share the work without releasing any hold twice.
 */
export const seatHoldsPlugin = fp<SeatHoldsOptions>(
  async (app, options) => {
    const locks = options.locksEnabled ? redisSeatLocks(app.redis, options.keyPrefix) : noSeatLocks;
    app.decorate('seatLocks', locks);
    new client.Gauge({
      name: 'ticket_hold_sweep_lag_seconds',
      help: 'How long the most overdue seat hold has been past its deadline without being released (0: none)',
      registers: [app.metrics],
      async collect() {
        // the database is down: keep the last value (the readiness check reports the outage)
        const seconds = await oldestOverdueHoldSeconds(app.pg).catch(() => undefined);
        if (seconds !== undefined) this.set(seconds);
      },
    });

    let stopped = false;
    let wake: (() => void) | undefined;
    let running: Promise<void> | undefined;
    const sleep = (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });

    async function sweep(): Promise<void> {
      let failures = 0;
      while (!stopped) {
        try {
          const released = await releaseExpiredHolds({ pool: app.pg, locks });
          failures = 0;
          if (released > 0) app.log.info({ released }, 'expired seat holds released');
          if (released >= 500) continue; // a backlog: keep going at once
        } catch (error) {
          failures++;
          if (!stopped) app.log.warn({ err: error, attempt: failures }, 'seat hold sweep failed; will retry');
        }
        await sleep(failures > 0 ? Math.min(5_000, options.sweepIntervalMs * 2 ** failures) : options.sweepIntervalMs);
      }
    }

    app.addHook('onReady', async () => {
      running = sweep();
    });
    app.addHook('preClose', async () => {
      stopped = true;
      wake?.();
      await running;
    });
  },
  { name: 'seat-holds', dependencies: ['postgres', 'redis'] },
);
