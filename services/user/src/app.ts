import path from 'node:path';
import { ItemViewed, UserChanged } from '@boxoffice/contracts';
import type { App } from '@boxoffice/http';
import { keyedReplica, peerClient, queryReplica } from '@boxoffice/replica';
import { bootService, serviceMigrations, use, type ServiceSpec } from '@boxoffice/service';
import type { UserConfig } from './config';
import { alarmedItemIds, alarmsReplica, itemsReplica } from './db/replicas';
import { latestViewedItemIds } from './db/visits.repo';
import { loadDemoUsers } from './domain/demo-users.use-case';
import { recentFromViews } from './domain/visits';
import { recordView } from './events/item-views.consumer';
import { authPlugin } from './plugins/auth';
import { usersRoutes } from './routes/users.routes';

const USER: ServiceSpec<UserConfig> = {
  name: 'user',
  publishes: [UserChanged],
  description: 'Users, access tokens and recently viewed items (SPEC §1).',
  plugins: [use(authPlugin)],
  migrations: path.join(__dirname, '..', 'migrations'),
  redact: ['req.body.password'],
};
/** What booting applies, and `dist/migrate.js`: the kernel's tables, the plugins', the service's own. */
export const USER_MIGRATIONS = serviceMigrations(USER);

export async function buildApp(config: UserConfig): Promise<App> {
  const app = await bootService(config, USER);
  const peer = { timeoutMs: config.PEER_TIMEOUT_MS };
  // the item service's /internal routes answer peers holding the internal token only
  const itemService = peerClient(app, {
    peer: 'item',
    url: config.ITEM_SERVICE_URL,
    internalToken: config.INTERNAL_API_TOKEN,
    ...peer,
  });
  const alarmService = peerClient(app, { peer: 'alarm', url: config.ALARM_SERVICE_URL, ...peer });

  // consumers: the views stream, and the replicas behind /visit (their owners asked while they cannot answer)
  const views = app.events.consumer('user.item-views').on(ItemViewed, recordView);
  const items = keyedReplica(app, {
    table: itemsReplica,
    group: 'user.items-replica',
    by: 'id',
    owner: { client: itemService, path: (ids) => `/internal/items?ids=${ids.join(',')}` },
    // retention deleted events before this replica read them: rebuild from the item service's snapshot
    snapshot: { url: config.ITEM_SERVICE_URL, internalToken: config.INTERNAL_API_TOKEN },
  });
  const alarms = queryReplica(app, {
    table: alarmsReplica,
    group: 'user.alarms-replica',
    local: (db, caller) => alarmedItemIds(db, caller.id),
    owner: { client: alarmService, path: '/ids', value: (ids: number[]) => new Set(ids) },
  });

  // routes
  const recentItemIds = async (userId: number) => recentFromViews(await latestViewedItemIds(app.pg, userId));
  await app.register(usersRoutes, { visits: { views: { live: () => views.isRunning, recentItemIds }, items, alarms } });

  if (config.DEMO_DATA) {
    const loaded = await loadDemoUsers(app.pg);
    if (loaded > 0) app.log.info({ users: loaded }, 'demo users loaded');
  }
  return app;
}
