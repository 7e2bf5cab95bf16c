import { publicPathFor, type ServiceName } from './route-table';

interface OpenApiDocument {
  paths?: Record<
    string,
    Record<string, { tags?: string[]; responses?: Record<string, unknown> } & Record<string, unknown>>
  >;
  components?: { schemas?: Record<string, unknown>; securitySchemes?: Record<string, unknown> };
}

const errorAnswer = (description: string) => ({
  description,
  content: {
    'application/json': {
      schema: {
        type: 'object',
        required: ['errors'],
        properties: {
          errors: {
            type: 'object',
            required: ['code', 'message', 'detail'],
            properties: {
              code: { type: 'string' },
              message: { type: 'string' },
              detail: { type: 'array', items: { type: 'object', additionalProperties: true } },
            },
          },
        },
      },
    },
  },
});

/** What the gateway itself may answer on any route, before or instead of the service. */
const GATEWAY_ANSWERS = {
  400: errorAnswer('The path is ambiguous (an encoded slash, double encoding, a control character): refused.'),
  429: errorAnswer('Too many requests from this caller or address; retry after Retry-After seconds.'),
  503: errorAnswer('The service is not answering; retry after Retry-After seconds.'),
};

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
        Object.entries(operations).map(([method, operation]) => [
          method,
          { ...operation, tags: [service], responses: { ...GATEWAY_ANSWERS, ...(operation.responses ?? {}) } },
        ]),
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
