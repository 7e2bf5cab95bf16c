import fp from 'fastify-plugin';
import { withTransaction } from '@boxoffice/db';
import type { App } from '@boxoffice/http';
import { alarmServiceClient, itemServiceClient } from '../clients/peers.client';
import { alarmedItemIds, applyItem, latestViewedItemIds, replicaItems } from '../db/visits.repo';
import { recentFromViews, recentlyViewed, type Caller, type VisitItem, type VisitSources } from '../domain/visits';
import { consumeVisitSources } from '../events/visit-replicas.consumer';

declare module 'fastify' {
  interface FastifyInstance {
    /** The caller's recently viewed items (SPEC §1 /visit), and whether the answer may be stale. */
    recentlyViewed(caller: Caller): Promise<{ payload: VisitItem[]; stale: boolean }>;
  }
}

export const visitsPlugin = fp<{
  itemServiceUrl: string;
  alarmServiceUrl: string;
  timeoutMs: number;
  internalToken: string;
}>(
  async (instance, options) => {
    const app = instance as unknown as App;
    const consumers = consumeVisitSources(app);
    const peer = { redis: app.redis, timeoutMs: options.timeoutMs, logger: app.log };
    const itemService = itemServiceClient({
      ...peer,
      baseUrl: options.itemServiceUrl,
      internalToken: options.internalToken,
    });
    const alarmService = alarmServiceClient({ ...peer, baseUrl: options.alarmServiceUrl });
    app.addHook('onClose', async () => {
      itemService.shutdown();
      alarmService.shutdown();
    });
    const stateOf = (consumer: { hasCaughtUp: boolean; isRunning: boolean }) => ({
      complete: () => consumer.hasCaughtUp,
      live: () => consumer.isRunning,
    });
    const sources: VisitSources = {
      views: {
        ...stateOf(consumers.views),
        recentItemIds: async (userId) => recentFromViews(await latestViewedItemIds(app.pg, userId)),
      },
      items: {
        ...stateOf(consumers.items),
        fromReplica: (ids) => replicaItems(app.pg, ids),
        async fromOwner(ids) {
          const answer = await itemService.items(ids);
          // what the owner said warms the replica; the revision check keeps a newer event's state if one came first
          if (answer.items.length > 0) {
            await withTransaction(app.pg, async (tx) => {
              for (const item of answer.items) await applyItem(tx, item, item.revision);
            });
          }
          return answer;
        },
      },
      alarms: {
        ...stateOf(consumers.alarms),
        fromReplica: (userId) => alarmedItemIds(app.pg, userId),
        fromOwner: (caller) => alarmService.alarmedItemIds(caller),
      },
    };
    app.decorate('recentlyViewed', (caller: Caller) => recentlyViewed(sources, caller));
  },
  { name: 'visits', dependencies: ['postgres', 'redis', 'events'] },
);
