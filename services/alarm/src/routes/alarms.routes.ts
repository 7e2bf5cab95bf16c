import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorBody, type App } from '@boxoffice/http';
import { alarmedItem, alarmedItemIds, clearAlarm, listAlarmedItems, setAlarm } from '../domain/alarms.use-case';
import type { Caller, Catalog } from '../domain/catalog';
import {
  AlarmBody,
  AlarmedItemDetail,
  AlarmedItemIds,
  AlarmedItemList,
  Empty,
  ItemIdParams,
} from '../schemas/alarm.schemas';

const errors = { 401: ErrorBody, 404: ErrorBody, 422: ErrorBody, 503: ErrorBody };
const security = [{ userToken: [] }];

const callerOf = (request: FastifyRequest): Caller => ({
  id: request.user.id,
  token: String(request.headers['user-token']),
});

/** SPEC §0: an answer that may be behind the owner's truth says so. */
function flagStale(reply: FastifyReply, stale: boolean): void {
  if (stale) reply.header('x-data-stale', 'true');
}

export async function alarmsRoutes(app: App, options: { catalog: Catalog }): Promise<void> {
  const { catalog } = options;
  app.post(
    '/',
    {
      preHandler: app.requireUser,
      schema: {
        summary: 'Set an alarm on an item (idempotent)',
        security,
        body: AlarmBody,
        response: { 201: Empty, ...errors },
      },
    },
    async (request, reply) => {
      const { stale } = await setAlarm(app.pg, catalog, callerOf(request), request.body.item_id);
      flagStale(reply, stale);
      reply.code(201).header('location', `/${request.body.item_id}`);
      return {};
    },
  );

  app.get(
    '/',
    {
      preHandler: app.requireUser,
      schema: {
        summary: "The caller's alarmed items, item id descending",
        security,
        response: { 200: AlarmedItemList, ...errors },
      },
    },
    async (request, reply) => {
      const { payload, stale } = await listAlarmedItems(app.pg, catalog, callerOf(request));
      flagStale(reply, stale);
      return { count: payload.length, payload };
    },
  );

  app.get(
    '/ids',
    {
      preHandler: app.requireUser,
      schema: {
        summary: "The caller's alarmed item ids, descending: for peers whose alarm replica is still cold",
        security,
        response: { 200: AlarmedItemIds, ...errors },
      },
    },
    async (request) => {
      const ids = await alarmedItemIds(app.pg, request.user.id);
      return { count: ids.length, payload: ids };
    },
  );

  app.get(
    '/:item_id',
    {
      preHandler: app.requireUser,
      schema: {
        summary: 'One alarmed item (where POST / points)',
        security,
        params: ItemIdParams,
        response: { 200: AlarmedItemDetail, ...errors },
      },
    },
    async (request, reply) => {
      const { payload, stale } = await alarmedItem(app.pg, catalog, callerOf(request), request.params.item_id);
      flagStale(reply, stale);
      return { payload };
    },
  );

  app.delete(
    '/',
    {
      preHandler: app.requireUser,
      schema: {
        summary: 'Clear an alarm (idempotent)',
        security,
        body: AlarmBody,
        response: { 200: Empty, ...errors },
      },
    },
    async (request) => {
      await clearAlarm(app.pg, callerOf(request), request.body.item_id);
      return {};
    },
  );
}
