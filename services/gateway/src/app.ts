import { createApp, type App } from '@boxoffice/http';
import { redisPlugin } from '@boxoffice/resilience';
import { Upstreams } from './clients/upstreams';
import { instanceUrls, type GatewayConfig } from './config';
import { rateLimitPlugin } from './plugins/rate-limit';
import { appShellOf, loadWebFront, webFrontRoutes } from './plugins/web-front';
import { dashboardRoutes } from './routes/dashboard.routes';
import { docsRoutes } from './routes/docs.routes';
import { proxyRoutes } from './routes/proxy.routes';

/**
 * The one public entry: routes every public path to its service, limits each caller's rate, serves the web
 * front at `/` and the admin dashboard's metrics. Owns no data.
 */
export async function buildApp(config: GatewayConfig): Promise<App> {
  const app = await createApp({
    name: 'gateway',
    description: 'The public entry: routes to every service (SPEC §7).',
    logLevel: config.LOG_LEVEL,
    bodyLimit: config.BODY_LIMIT_BYTES,
    timeouts: config,
    exposeOpenApi: false,
  });
  const upstreams = new Upstreams(
    {
      user: instanceUrls(config.USER_SERVICE_URLS),
      item: instanceUrls(config.ITEM_SERVICE_URLS),
      alarm: instanceUrls(config.ALARM_SERVICE_URLS),
      queue: instanceUrls(config.QUEUE_SERVICE_URLS),
      ticket: instanceUrls(config.TICKET_SERVICE_URLS),
      payment: instanceUrls(config.PAYMENT_SERVICE_URLS),
    },
    config.UPSTREAM_TIMEOUT_MS,
  );
  app.addHook('onClose', async () => upstreams.close());

  await app.register(redisPlugin, { service: 'gateway', url: config.REDIS_URL, namespace: config.KAFKA_TOPIC_PREFIX });
  await app.register(rateLimitPlugin, {
    max: config.RATE_LIMIT_MAX,
    ipMax: config.RATE_LIMIT_IP_MAX,
    windowSeconds: config.RATE_LIMIT_WINDOW_SECONDS,
    signUpMax: config.SIGNUP_RATE_LIMIT_MAX,
    signUpWindowSeconds: config.SIGNUP_RATE_LIMIT_WINDOW_SECONDS,
    syncMs: config.RATE_LIMIT_SYNC_MS,
    keyPrefix: config.KAFKA_TOPIC_PREFIX,
  });
  await app.register(docsRoutes, { upstreams });
  await app.register(dashboardRoutes, { upstreams });
  const web = await loadWebFront(config.WEB_ROOT);
  if (web) await app.register(webFrontRoutes, { web });
  else app.log.warn({ webRoot: config.WEB_ROOT }, 'gateway: no web front built there (npm run build); / serves none');
  await app.register(proxyRoutes, { upstreams, appShell: web && appShellOf(web) });
  return app;
}
