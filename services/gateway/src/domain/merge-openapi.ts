import { publicPathFor, type ServiceName } from './route-table';

interface OpenApiDocument {
  paths?: Record<string, Record<string, { tags?: string[] } & Record<string, unknown>>>;
  components?: { schemas?: Record<string, unknown>; securitySchemes?: Record<string, unknown> };
}

/**
 * One OpenAPI document for the whole public API: each service's paths under the public path the gateway routes
 * them from, tagged with the service's name. A service that could not be asked is listed as missing.
 */
export function mergeOpenApi(documents: Partial<Record<ServiceName, OpenApiDocument>>, missing: ServiceName[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  const schemas: Record<string, unknown> = {};
  const securitySchemes: Record<string, unknown> = {};
  for (const [service, document] of Object.entries(documents) as [ServiceName, OpenApiDocument][]) {
    for (const [path, operations] of Object.entries(document.paths ?? {})) {
      const publicPath = publicPathFor(service, path);
      if (!publicPath) continue;
      const tagged = Object.fromEntries(
        Object.entries(operations).map(([method, operation]) => [method, { ...operation, tags: [service] }]),
      );
      paths[publicPath] = { ...paths[publicPath], ...tagged };
    }
    Object.assign(schemas, document.components?.schemas ?? {});
    Object.assign(securitySchemes, document.components?.securitySchemes ?? {});
  }
  const note = missing.length ? ` Not included right now (service unreachable): ${missing.join(', ')}.` : '';
  return {
    openapi: '3.0.3',
    info: {
      title: 'Boxoffice public API',
      version: '0.1.0',
      description: `Every public route of every service, as the gateway serves them.${note}`,
    },
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
    components: { schemas, securitySchemes },
  };
}
