import path from 'node:path';
import { AlarmChanged, OrderChanged, PaymentCompleted, UserChanged } from '@boxoffice/contracts';
import type { App } from '@boxoffice/http';
import { keyedReplica, peerClient } from '@boxoffice/replica';
import { bootService, scheduleJob, serviceMigrations, use, type ServiceSpec } from '@boxoffice/service';
import { userAuthPlugin, usersReplica, usersSnapshot } from '@boxoffice/user-auth';
import type { AlarmConfig } from './config';
import { itemsReplica } from './db/replicas';
import type { Courier } from './domain/notification';
import { notifyOrderStep, notifyPaymentCompleted, sendBroadcastReminders } from './domain/notifications.use-case';
import { alarmsRoutes } from './routes/alarms.routes';
import { notificationsRoutes } from './routes/notifications.routes';

const ALARM: ServiceSpec<AlarmConfig> = {
  name: 'alarm',
  publishes: [AlarmChanged],
  description: 'Alarms on shopping items, reminders before their broadcasts, and notifications to users (SPEC §3).',
  plugins: [use(userAuthPlugin, (config) => ({ userServiceUrl: config.USER_SERVICE_URL }))],
  migrations: path.join(__dirname, '..', 'migrations'),
};
/** What booting applies, and `dist/migrate.js`: the kernel's tables, the plugins', the service's own. */
export const ALARM_MIGRATIONS = serviceMigrations(ALARM);

export async function buildApp(config: AlarmConfig): Promise<App> {
  const app = await bootService(config, ALARM);
  // the item service's /internal routes answer peers holding the internal token only
  const owner = peerClient(app, {
    peer: 'item',
    url: config.ITEM_SERVICE_URL,
    timeoutMs: config.PEER_TIMEOUT_MS,
    internalToken: config.INTERNAL_API_TOKEN,
  });
  // Delivery is simulated: one log line per notification, naming it but never carrying its text.
  const courier: Courier = {
    delivered: (n) =>
      app.log.info(
        { notificationId: n.id, userId: n.userId, channel: n.channel, trigger: n.trigger },
        'notification sent (simulated)',
      ),
  };

  // consumers
  app.events
    .consumer('alarm.users-replica', { partitionsConcurrently: 3 })
    .on(UserChanged, usersReplica.applyEvent)
    .fillFrom(usersSnapshot(app.pg, config)); // retention deleted events it never read: the user service's snapshot
  const items = keyedReplica(app, {
    table: itemsReplica,
    group: 'alarm.items-replica',
    by: 'id',
    owner: { client: owner, path: (ids) => `/internal/items?ids=${ids.join(',')}` },
    // retention deleted events before this replica read them: rebuild from the item service's snapshot
    snapshot: { url: config.ITEM_SERVICE_URL, internalToken: config.INTERNAL_API_TOKEN },
  });
  app.events
    .consumer('alarm.notifications') // payment and order events → notifications for their user (SPEC §3)
    .on(OrderChanged, (event, db) => notifyOrderStep(db, courier, event.payload))
    .on(PaymentCompleted, (event, db) => notifyPaymentCompleted(db, courier, event.payload));

  // routes
  await app.register(alarmsRoutes, { catalog: items });
  await app.register(notificationsRoutes, { internalToken: config.INTERNAL_API_TOKEN, courier });

  // background jobs
  scheduleJob(app, {
    name: 'broadcast-reminders', // alarms fire BROADCAST_ALARM_LEAD_SECONDS before their item's broadcasts
    intervalMs: config.BROADCAST_SWEEP_INTERVAL_MS,
    run: () => sendBroadcastReminders(app.pg, courier, { leadSeconds: config.BROADCAST_ALARM_LEAD_SECONDS }),
  });
  return app;
}
