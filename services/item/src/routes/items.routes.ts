import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorResponses, routeGroup, type App } from '@boxoffice/http';
import { ItemChanged } from '@boxoffice/contracts';
import { snapshotRoute, type Answer, type Caller } from '@boxoffice/replica';
import { adminView, shopperView } from '../domain/item';
import {
  changeItem,
  createItem,
  deleteItem,
  itemsAfter,
  itemsByIds,
  listItems,
  viewItem,
} from '../domain/items.use-case';
import {
  AdminItemDetail,
  ChangeItemBody,
  CreateItemBody,
  ItemDetail,
  ItemIdParams,
  ItemList,
  ListQuery,
  ReplicaItemList,
  ReplicaQuery,
} from '../schemas/item.schemas';
import { InternalTokenHeaders } from '../schemas/inventory.schemas';

const errors = [401, 403, 404, 422, 503] as const;
const security = [{ userToken: [] }];

const callerOf = (request: FastifyRequest): Caller => ({
  id: request.user.id,
  token: String(request.headers['user-token']),
});

/** The caller's alarmed item ids: the alarms replica, or the alarm service while it is cold (@boxoffice/replica). */
export interface AlarmState {
  ask(caller: Caller): Promise<Answer<ReadonlySet<number>>>;
}

/** SPEC §0: an answer that may be behind the owner's truth says so. */
function flagStale(reply: FastifyReply, state: { stale: boolean }): void {
  if (state.stale) reply.header('x-data-stale', 'true');
}

export async function itemsRoutes(app: App, options: { alarms: AlarmState }): Promise<void> {
  const alarmState = (request: FastifyRequest) => options.alarms.ask(callerOf(request));
  const asUser = routeGroup({ preHandler: app.requireUser, security, errors });
  const asAdmin = routeGroup({ preHandler: app.requireAdmin, security, errors: [...errors, 409] as const });

  app.get(
    '/',
    asUser("All items, id descending, each with the caller's is_alarm_set; count is the number of items in all", {
      querystring: ListQuery,
      response: { 200: ItemList },
    }),
    async (request, reply) => {
      const [alarms, page] = await Promise.all([
        alarmState(request),
        listItems(app.pg, { offset: request.query.offset ?? 0, limit: request.query.limit ?? null }),
      ]);
      flagStale(reply, alarms);
      return { count: page.total, payload: page.items.map((item) => shopperView(item, alarms.value)) };
    },
  );

  // peers only: createApp's internal-token guard covers every /internal route
  app.get(
    '/internal/items',
    {
      schema: {
        summary: 'Items by id with stock, deletion flag and revision: for peers whose replica lacks them',
        hide: true,
        headers: InternalTokenHeaders,
        querystring: ReplicaQuery,
        response: { 200: ReplicaItemList, ...errorResponses(...errors) },
      },
    },
    async (request) => {
      const ids = [...new Set(request.query.ids.split(',').map(Number))];
      const items = await itemsByIds(app.pg, ids);
      return { count: items.length, payload: items };
    },
  );

  // peers rebuilding an items replica after their topic's retention (decision 27)
  snapshotRoute(app, {
    contract: ItemChanged, // at /internal/snapshot/items
    async page(db, after, limit) {
      const rows = await itemsAfter(db, after === undefined ? 0 : Number(after), limit);
      return { rows, next: rows.length === limit ? String(rows.at(-1)!.id) : null };
    },
  });

  app.get(
    '/:item_id',
    asUser("One item with the caller's is_alarm_set; the view goes to the caller's recently viewed items", {
      params: ItemIdParams,
      response: { 200: ItemDetail },
    }),
    async (request, reply) => {
      const [item, alarms] = await Promise.all([
        viewItem(app.pg, request.params.item_id, request.user.id),
        alarmState(request),
      ]);
      flagStale(reply, alarms);
      return { payload: shopperView(item, alarms.value) };
    },
  );

  app.post(
    '/',
    asAdmin('Add an item (admin)', { body: CreateItemBody, response: { 201: AdminItemDetail } }),
    async (request, reply) => {
      const item = await createItem(app.pg, request.body);
      reply.code(201).header('location', `/${item.id}`);
      return { payload: adminView(item, new Set()) };
    },
  );

  app.patch(
    '/:item_id',
    asAdmin('Change some of an item’s fields (admin)', {
      params: ItemIdParams,
      body: ChangeItemBody,
      response: { 200: AdminItemDetail },
    }),
    async (request, reply) => {
      const item = await changeItem(app.pg, request.params.item_id, request.body);
      const alarms = await alarmState(request);
      flagStale(reply, alarms);
      return { payload: adminView(item, alarms.value) };
    },
  );

  app.delete(
    '/:item_id',
    asAdmin('Remove an item (admin)', { params: ItemIdParams, response: { 204: { type: 'null' } } }),
    async (request, reply) => {
      await deleteItem(app.pg, request.params.item_id);
      return reply.code(204).send();
    },
  );
}
