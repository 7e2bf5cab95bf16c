import fp from 'fastify-plugin';
import { withTransaction } from '@boxoffice/db';
import type { App } from '@boxoffice/http';
import { itemServiceClient } from '../clients/item.client';
import { applyItem, replicaItems } from '../db/items-replica.repo';
import { lookUpItems, type Caller, type ItemSources, type Lookup } from '../domain/catalog';
import { consumeItems } from '../events/items-replica.consumer';

declare module 'fastify' {
  interface FastifyInstance {
    /** Items by id: from the replica, else from the item service, else what is known, marked stale. */
    lookUpItems(ids: number[], caller: Caller): Promise<Lookup>;
    /** Whether the items replica has been complete at least once (false on a cold start). */
    itemsReplicaComplete(): boolean;
  }
}

export const itemCatalogPlugin = fp<{ itemServiceUrl: string; timeoutMs: number; internalToken: string }>(
  async (instance, options) => {
    const app = instance as unknown as App;
    const consumer = consumeItems(app);
    const itemService = itemServiceClient({
      baseUrl: options.itemServiceUrl,
      redis: app.redis,
      timeoutMs: options.timeoutMs,
      internalToken: options.internalToken,
      logger: app.log,
    });
    app.addHook('onClose', async () => itemService.shutdown());
    const sources: ItemSources = {
      replicaComplete: () => consumer.hasCaughtUp,
      replicaLive: () => consumer.isRunning,
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
    };
    app.decorate('lookUpItems', (ids: number[], caller: Caller) => lookUpItems(sources, ids, caller));
    app.decorate('itemsReplicaComplete', () => consumer.hasCaughtUp);
  },
  { name: 'item-catalog', dependencies: ['postgres', 'redis', 'events'] },
);
