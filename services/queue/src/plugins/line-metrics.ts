import client from 'prom-client';
import type { App } from '@boxoffice/http';
import type { AdmissionRound } from '../domain/queue-token';
import type { RoomStore } from '../domain/rooms.use-case';

/**
 * The rooms in /metrics. Gauges are read from the line at scrape time, so every instance reports the same shared
 * state (take the largest per room, as the dashboard does); counters count what this instance's admitter did, so
 * they add up across instances. Returns the admitter's per-room hook.
 */
export function lineMetrics(app: App, rooms: RoomStore): (roomId: string, round: AdmissionRound) => void {
  const registers = [app.metrics];
  const labelNames = ['room'] as const;
  // one read of every room serves all four gauges of a scrape
  let reading: Promise<void> | undefined;
  const collect = () => read();
  const gauges = {
    waiting: new client.Gauge({
      name: 'queue_waiting_users',
      help: 'Users waiting in a room',
      labelNames,
      registers,
      collect,
    }),
    active: new client.Gauge({
      name: 'queue_active_users',
      help: 'ACTIVE users of a room',
      labelNames,
      registers,
      collect,
    }),
    pace: new client.Gauge({
      name: 'queue_admitted_per_minute',
      help: 'The pace a room has admitted at lately (the wait estimates use it); absent while not known',
      labelNames,
      registers,
      collect,
    }),
    drain: new client.Gauge({
      name: 'queue_drain_seconds',
      help: 'How long the users waiting in a room take to be admitted at that pace; absent while not known',
      labelNames,
      registers,
      collect,
    }),
  };
  const read = (): Promise<void> =>
    (reading ??= (async () => {
      try {
        const figures = await rooms.list(Date.now());
        Object.values(gauges).forEach((gauge) => gauge.reset());
        for (const { room, waiting, active, admittedPerMinute, drainSeconds } of figures) {
          gauges.waiting.set({ room: room.id }, waiting);
          gauges.active.set({ room: room.id }, active);
          if (admittedPerMinute !== null) gauges.pace.set({ room: room.id }, admittedPerMinute);
          if (drainSeconds !== null) gauges.drain.set({ room: room.id }, drainSeconds);
        }
      } catch {
        // Redis is down: the scrape shows the last values; /ready says why
      } finally {
        setImmediate(() => (reading = undefined));
      }
    })());

  const admitted = new client.Counter({
    name: 'queue_admitted_total',
    help: 'Users admitted (made ACTIVE) by this instance',
    labelNames,
    registers,
  });
  const abandoned = new client.Counter({
    name: 'queue_abandoned_total',
    help: 'Waiting users who lost their place for not showing up (no poll, no open stream), found by this instance',
    labelNames,
    registers,
  });
  return (roomId, round) => {
    if (round.admitted > 0) admitted.inc({ room: roomId }, round.admitted);
    if (round.abandoned > 0) abandoned.inc({ room: roomId }, round.abandoned);
  };
}
