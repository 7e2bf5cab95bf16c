import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorBody, type App } from '@boxoffice/http';
import type { Answer, Caller } from '@boxoffice/replica';
import { adminView, shopperView } from '../domain/item';
import { changeItem, createItem, deleteItem, itemsByIds, listItems, viewItem } from '../domain/items.use-case';
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

const errors = { 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 422: ErrorBody, 503: ErrorBody };
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
  app.get(
    '/',
    {
      preHandler: app.requireUser,
      schema: {
        summary: "All items, id descending, each with the caller's is_alarm_set; count is the number of items in all",
        security,
        querystring: ListQuery,
        response: { 200: ItemList, ...errors },
      },
    },
    async (request, reply) => {
      const [alarms, page] = await Promise.all([
        alarmState(request),
        listItems(app.pg, { offset: request.query.offset ?? 0, limit: request.query.limit ?? null }),
      ]);
      flagStale(reply, alarms);
      return { count: page.total, payload: page.items.map((item) => shopperView(item, alarms.value)) };
    },
  );

  app.get(
    '/internal/items',
    {
      preHandler: app.requireUser,
      schema: {
        summary: 'Items by id with stock, deletion flag and revision: for peers whose replica lacks them',
        security,
        querystring: ReplicaQuery,
        response: { 200: ReplicaItemList, ...errors },
      },
    },
    async (request) => {
      const ids = [...new Set(request.query.ids.split(',').map(Number))];
      const items = await itemsByIds(app.pg, ids);
      return { count: items.length, payload: items };
    },
  );

  app.get(
    '/:item_id',
    {
      preHandler: app.requireUser,
      schema: {
        summary: "One item with the caller's is_alarm_set; the view goes to the caller's recently viewed items",
        security,
        params: ItemIdParams,
        response: { 200: ItemDetail, ...errors },
      },
    },
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
    {
      preHandler: app.requireAdmin,
      schema: {
        summary: 'Add an item (admin)',
        security,
        body: CreateItemBody,
        response: { 201: AdminItemDetail, ...errors },
      },
    },
    async (request, reply) => {
      const item = await createItem(app.pg, request.body);
      reply.code(201).header('location', `/${item.id}`);
      return { payload: adminView(item, new Set()) };
    },
  );

  app.patch(
    '/:item_id',
    {
      preHandler: app.requireAdmin,
      schema: {
        summary: 'Change some of an item’s fields (admin)',
        security,
        params: ItemIdParams,
        body: ChangeItemBody,
        response: { 200: AdminItemDetail, ...errors },
      },
    },
    async (request, reply) => {
      const item = await changeItem(app.pg, request.params.item_id, request.body);
      const alarms = await alarmState(request);
      flagStale(reply, alarms);
      return { payload: adminView(item, alarms.value) };
    },
  );

  app.delete(
    '/:item_id',
    {
      preHandler: app.requireAdmin,
      schema: {
        summary: 'Remove an item (admin)',
        security,
        params: ItemIdParams,
        response: { 204: { type: 'null' }, ...errors },
      },
    },
    async (request, reply) => {
      await deleteItem(app.pg, request.params.item_id);
      return reply.code(204).send();
    },
  );
}
