import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { forbidden, unauthorized, unavailable } from '@boxoffice/errors';
import type { App } from '@boxoffice/http';
import type { Upstreams } from '../clients/upstreams';
import { isRuntimeMetric, parsePrometheusText, sumWithout, type MetricSample } from '../domain/prometheus-text';

const SCRAPE_TIMEOUT_MS = 2_000;
/** Health checks and scrapes (this one included) are not traffic: left out so they do not fill the charts. */
const PROBES = new Set(['/metrics', '/health', '/ready']);

const DashboardQuery = Type.Object(
  {
    without: Type.Optional(
      Type.String({ maxLength: 200, pattern: '^[a-zA-Z_][a-zA-Z0-9_]*(,[a-zA-Z_][a-zA-Z0-9_]*)*$' }),
    ),
  },
  { additionalProperties: false },
);

/** Only an admin sees the metrics: the gateway owns no users, so the user service says who the token is. */
async function requireAdmin(upstreams: Upstreams, request: FastifyRequest): Promise<void> {
  const token = request.headers['user-token'];
  if (typeof token !== 'string' || token === '') throw unauthorized();
  let answer;
  try {
    answer = await upstreams.send('user', {
      method: 'GET',
      path: '/users/me',
      headers: { 'user-token': token, accept: 'application/json', 'x-request-id': request.id },
    });
  } catch {
    throw unavailable('The user service is not answering, so admin rights cannot be checked; try again shortly.', 2);
  }
  const body = (await answer.body.json().catch(() => ({}))) as { role?: string };
  if (answer.statusCode === 401) throw unauthorized('The USER-TOKEN is not known.');
  if (answer.statusCode !== 200) throw unavailable('Admin rights cannot be checked right now; try again shortly.', 2);
  if (body.role !== 'admin') throw forbidden('This route is for admins only.');
}

/**
 * GET /api/dashboard/metrics (admin): every instance's /metrics, scraped now, as JSON samples. Node's runtime
 * figures and the probes' own requests are left out; `?without=route,method` sums those labels away. An instance that does not answer is
 * listed with `up: false`, so the dashboard shows it down rather than failing.
 */
export async function dashboardRoutes(app: App, { upstreams }: { upstreams: Upstreams }): Promise<void> {
  app.get('/api/dashboard/metrics', { schema: { hide: true, querystring: DashboardQuery } }, async (request) => {
    await requireAdmin(upstreams, request);
    const dropped = request.query.without?.split(',') ?? [];
    const keep = (samples: MetricSample[]) =>
      sumWithout(
        samples.filter((sample) => !isRuntimeMetric(sample.name) && !PROBES.has(sample.labels.route ?? '')),
        dropped,
      );
    const scraped = await Promise.all(
      upstreams.everyInstance().map(async ({ service, instance, url }) => {
        try {
          const answer = await upstreams.getTextFrom(url, '/metrics', SCRAPE_TIMEOUT_MS);
          if (answer.statusCode !== 200) return { service, instance, up: false, samples: [] };
          return { service, instance, up: true, samples: keep(parsePrometheusText(answer.text)) };
        } catch {
          return { service, instance, up: false, samples: [] };
        }
      }),
    );
    const own = {
      service: 'gateway',
      instance: 1,
      up: true,
      samples: keep(parsePrometheusText(await app.metrics.metrics())),
    };
    return { at: new Date().toISOString(), instances: [...scraped, own] };
  });
}
