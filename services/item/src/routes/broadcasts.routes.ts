import { isoWithOffset, routeGroup, type App } from '@boxoffice/http';
import type { SlotRow } from '../db/broadcast-slots.repo';
import { addBroadcast, broadcastsOf, removeBroadcast } from '../domain/broadcasts.use-case';
import {
  BroadcastDetail,
  BroadcastList,
  BroadcastParams,
  ItemIdParams,
  NewBroadcastBody,
} from '../schemas/item.schemas';

const security = [{ userToken: [] }];

const slotView = (slot: SlotRow) => ({
  id: slot.id,
  itemId: slot.itemId,
  channel: slot.channel,
  startsAt: isoWithOffset(slot.startsAt),
  endsAt: isoWithOffset(slot.endsAt),
});

/** An item's broadcast schedule (issue 15): shoppers read it, admins set it. */
export async function broadcastsRoutes(app: App): Promise<void> {
  const asUser = routeGroup({ preHandler: app.requireUser, security, errors: [401, 404, 422, 503] });
  const asAdmin = routeGroup({ preHandler: app.requireAdmin, security, errors: [401, 403, 404, 422, 503] });

  app.get(
    '/:item_id/broadcasts',
    asUser('The item’s broadcasts on air now or to come, by start', {
      params: ItemIdParams,
      response: { 200: BroadcastList },
    }),
    async (request) => {
      const slots = await broadcastsOf(app.pg, request.params.item_id);
      return { count: slots.length, payload: slots.map(slotView) };
    },
  );

  app.post(
    '/:item_id/broadcasts',
    asAdmin('Schedule a broadcast of the item (admin); alarms on it fire before it starts', {
      params: ItemIdParams,
      body: NewBroadcastBody,
      response: { 201: BroadcastDetail },
    }),
    async (request, reply) => {
      const { channel, startsAt, endsAt } = request.body;
      const slot = await addBroadcast(app.pg, request.params.item_id, {
        channel,
        startsAt: new Date(startsAt),
        endsAt: new Date(endsAt),
      });
      reply.code(201).header('location', `/${slot.itemId}/broadcasts/${slot.id}`);
      return { payload: slotView(slot) };
    },
  );

  app.delete(
    '/:item_id/broadcasts/:slot_id',
    asAdmin('Remove a broadcast (admin); reminders not sent yet for it are cancelled', {
      params: BroadcastParams,
      response: { 204: { type: 'null' } },
    }),
    async (request, reply) => {
      await removeBroadcast(app.pg, request.params.item_id, request.params.slot_id);
      return reply.code(204).send();
    },
  );
}
