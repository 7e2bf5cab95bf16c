import type { FastifyReply, FastifyRequest } from 'fastify';
import { routeGroup, type App } from '@boxoffice/http';
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

const errors = [401, 404, 422, 503] as const;
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
  const asUser = routeGroup({ preHandler: app.requireUser, security, errors });

  app.post(
    '/',
    asUser('Set an alarm on an item (idempotent)', { body: AlarmBody, response: { 201: Empty } }),
    async (request, reply) => {
      const { stale } = await setAlarm(app.pg, catalog, callerOf(request), request.body.item_id);
      flagStale(reply, stale);
      reply.code(201).header('location', `/${request.body.item_id}`);
      return {};
    },
  );

  app.get(
    '/',
    asUser("The caller's alarmed items, item id descending", { response: { 200: AlarmedItemList } }),
    async (request, reply) => {
      const { payload, stale } = await listAlarmedItems(app.pg, catalog, callerOf(request));
      flagStale(reply, stale);
      return { count: payload.length, payload };
    },
  );

  app.get(
    '/ids',
    asUser("The caller's alarmed item ids, descending: for peers whose alarm replica is still cold", {
      response: { 200: AlarmedItemIds },
    }),
    async (request) => {
      const ids = await alarmedItemIds(app.pg, request.user.id);
      return { count: ids.length, payload: ids };
    },
  );

  app.get(
    '/:item_id',
    asUser('One alarmed item (where POST / points)', { params: ItemIdParams, response: { 200: AlarmedItemDetail } }),
    async (request, reply) => {
      const { payload, stale } = await alarmedItem(app.pg, catalog, callerOf(request), request.params.item_id);
      flagStale(reply, stale);
      return { payload };
    },
  );

  app.delete(
    '/',
    asUser('Clear an alarm (idempotent)', { body: AlarmBody, response: { 200: Empty } }),
    async (request) => {
      await clearAlarm(app.pg, callerOf(request), request.body.item_id);
      return {};
    },
  );
}
