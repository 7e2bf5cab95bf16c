import swaggerUi from '@fastify/swagger-ui';
import type { App } from '@boxoffice/http';
import type { Upstreams } from '../clients/upstreams';
import { mergeOpenApi } from '../domain/merge-openapi';
import type { ServiceName } from '../domain/route-table';

const SERVICES: ServiceName[] = ['user', 'item', 'alarm', 'queue', 'ticket', 'payment'];
const REFRESH_MS = 30_000;

/** The merged OpenAPI document at /openapi.json and a browsable UI at /docs, rebuilt at most every 30 s. */
export async function docsRoutes(app: App, { upstreams }: { upstreams: Upstreams }): Promise<void> {
  let cached: { document: ReturnType<typeof mergeOpenApi>; at: number } | undefined;

  async function merged() {
    if (cached && Date.now() - cached.at < REFRESH_MS && !cached.document.info.description.includes('Not included')) {
      return cached.document;
    }
    const results = await Promise.all(
      SERVICES.map(
        async (service) => [service, await upstreams.getJson(service, '/openapi.json').catch(() => undefined)] as const,
      ),
    );
    const documents = Object.fromEntries(results.filter(([, doc]) => doc)) as Parameters<typeof mergeOpenApi>[0];
    const missing = results.filter(([, doc]) => !doc).map(([service]) => service);
    cached = { document: mergeOpenApi(documents, missing), at: Date.now() };
    return cached.document;
  }

  app.get('/openapi.json', { schema: { hide: true } }, async () => merged());
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { url: '/openapi.json', docExpansion: 'list', deepLinking: true },
  });
}
