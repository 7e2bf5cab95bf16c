import path from 'node:path';
import { ItemChanged, ItemViewed, OrderChanged, StockLockChanged, UserChanged } from '@boxoffice/contracts';
import type { App } from '@boxoffice/http';
import { peerClient, queryReplica } from '@boxoffice/replica';
import { bootService, serviceMigrations, use, type ServiceSpec } from '@boxoffice/service';
import { userAuthPlugin, usersReplica, usersSnapshot } from '@boxoffice/user-auth';
import type { ItemConfig } from './config';
import { alarmedItemIds, alarmsReplica } from './db/replicas';
import { loadDemoItems } from './domain/items.use-case';
import { followOrder } from './domain/stock-locks.use-case';
import { broadcastsRoutes } from './routes/broadcasts.routes';
import { inventoryRoutes } from './routes/inventory.routes';
import { itemsRoutes } from './routes/items.routes';

const ITEM: ServiceSpec<ItemConfig> = {
  name: 'item',
  publishes: [ItemChanged, ItemViewed, StockLockChanged],
  description: 'Shopping items with the caller’s alarm state, and the stock locks of orders (SPEC §2).',
  plugins: [use(userAuthPlugin, (config) => ({ userServiceUrl: config.USER_SERVICE_URL }))],
  migrations: path.join(__dirname, '..', 'migrations'),
};
/** What booting applies, and `dist/migrate.js`: the kernel's tables, the plugins', the service's own. */
export const ITEM_MIGRATIONS = serviceMigrations(ITEM);

export async function buildApp(config: ItemConfig): Promise<App> {
  const app = await bootService(config, ITEM);
  const owner = peerClient(app, { peer: 'alarm', url: config.ALARM_SERVICE_URL, timeoutMs: config.PEER_TIMEOUT_MS });

  // consumers
  app.events
    .consumer('item.users-replica', { partitionsConcurrently: 3 })
    .on(UserChanged, usersReplica.applyEvent)
    .fillFrom(usersSnapshot(app.pg, config)); // retention deleted events it never read: the user service's snapshot
  const alarms = queryReplica(app, {
    table: alarmsReplica,
    group: 'item.alarms-replica',
    local: (db, caller) => alarmedItemIds(db, caller.id),
    owner: { client: owner, path: '/ids', value: (ids: number[]) => new Set(ids) },
  });
  app.events
    .consumer('item.orders') // the order saga: stock locked, committed or released (docs/payments.md)
    .on(OrderChanged, (event, db) => followOrder(db, event.payload));

  // routes
  await app.register(itemsRoutes, { alarms });
  await app.register(broadcastsRoutes);
  await app.register(inventoryRoutes, { internalToken: config.INTERNAL_API_TOKEN });

  if (config.DEMO_DATA) {
    const loaded = await loadDemoItems(app.pg);
    if (loaded > 0) app.log.info({ items: loaded }, 'demo items loaded');
  }
  return app;
}
