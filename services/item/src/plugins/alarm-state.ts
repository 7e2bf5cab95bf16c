import fp from 'fastify-plugin';
import type { App } from '@boxoffice/http';
import { alarmServiceClient } from '../clients/alarm.client';
import { alarmedItemIds } from '../db/alarms-replica.repo';
import { alarmStateFor } from '../domain/alarm-state';
import type { AlarmState, Caller } from '../domain/item';
import { consumeAlarms } from '../events/alarm-replica.consumer';

declare module 'fastify' {
  interface FastifyInstance {
    /** The caller's alarmed items: from the replica, or from the alarm service while the replica is cold. */
    alarmState(caller: Caller): Promise<AlarmState>;
  }
}

export const alarmStatePlugin = fp<{ alarmServiceUrl: string; timeoutMs: number }>(
  async (instance, options) => {
    const app = instance as unknown as App;
    const consumer = consumeAlarms(app);
    const alarmService = alarmServiceClient({
      baseUrl: options.alarmServiceUrl,
      redis: app.redis,
      timeoutMs: options.timeoutMs,
      logger: app.log,
    });
    app.addHook('onClose', async () => alarmService.shutdown());
    const sources = {
      replicaComplete: () => consumer.hasCaughtUp,
      replicaLive: () => consumer.isRunning,
      fromReplica: (userId: number) => alarmedItemIds(app.pg, userId),
      fromOwner: (caller: Caller) => alarmService.alarmedItemIds(caller),
    };
    app.decorate('alarmState', (caller: Caller) => alarmStateFor(sources, caller));
  },
  { name: 'alarm-state', dependencies: ['postgres', 'redis', 'events'] },
);
