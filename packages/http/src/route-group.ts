import type { FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import { ErrorBody } from './schema-helpers';

/** A preHandler that lets a request through or throws (AppError 401/403...). */
export type Guard = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/** The OpenAPI security requirement of a route, e.g. [{ userToken: [] }]. */
export type Security = { [scheme: string]: string[] }[];

type ErrorResponses<Statuses extends readonly number[]> = { [S in Statuses[number]]: typeof ErrorBody };

/** Response schemas of the SPEC §0 error body for these statuses: errorResponses(401, 404) → {401: ErrorBody, ...}. */
export const errorResponses = <const Statuses extends readonly number[]>(...statuses: Statuses) =>
  Object.fromEntries(statuses.map((status) => [status, ErrorBody])) as ErrorResponses<Statuses>;

interface RouteSchema extends FastifySchema {
  response?: Record<number, unknown>;
  hide?: boolean;
}

/**
 * The options every route of a group shares: who may call it (`preHandler`), what the OpenAPI document says about
 * that (`security`) and the error statuses it documents (each with the SPEC §0 body). Returns a function of the
 * route's own summary and schema:
 *
 *   const asAdmin = routeGroup({ preHandler: app.requireAdmin, security: [{ userToken: [] }], errors: [401, 403, 422] });
 *   app.post('/admin/concerts', asAdmin('Create a concert (admin)', { body, response: { 201: ConcertView } }), handler);
 */
export function routeGroup<const Statuses extends readonly number[]>(group: {
  preHandler: Guard;
  security?: Security;
  errors: Statuses;
}) {
  const errors = errorResponses(...group.errors);
  return <S extends RouteSchema>(summary: string, schema: S) => ({
    preHandler: group.preHandler,
    schema: {
      summary,
      ...(group.security ? { security: group.security } : {}),
      ...schema,
      response: { ...schema.response, ...errors } as NonNullable<S['response']> & ErrorResponses<Statuses>,
    },
  });
}
