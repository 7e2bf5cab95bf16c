import { Type } from '@sinclair/typebox';
import { errorResponses, isoWithOffset, routeGroup, type App } from '@boxoffice/http';
import type { QueuePolicy } from '../domain/queue-token';
import type { RoomFigures, RoomSettings } from '../domain/room';
import { changeRoomState, createRoom, roomFigures, updateRoom, type RoomStore } from '../domain/rooms.use-case';
import { CreateRoomBody, PublicRoomView, RoomParams, RoomView, UpdateRoomBody } from '../schemas/rooms.schemas';
import type { UpdateRoomBody as UpdateRoomFields } from '../schemas/rooms.schemas';

const iso = (ms: number | null) => (ms === null ? null : isoWithOffset(new Date(ms)));
const msOf = (time: string | null | undefined) =>
  time === undefined ? undefined : time === null ? null : Date.parse(time);

function roomView({ room, ...now }: RoomFigures) {
  return {
    id: room.id,
    name: room.name,
    concertId: room.concertId,
    state: room.state,
    status: now.status,
    maxActive: room.maxActive,
    admissionRatePerMinute: room.admissionRatePerMinute,
    sessionSeconds: room.sessionSeconds,
    queueingMethod: room.queueingMethod,
    saleStartsAt: iso(room.saleStartsAtMs),
    maxWaiting: room.maxWaiting,
    abandonSeconds: room.abandonSeconds,
    revision: room.revision,
    createdAt: isoWithOffset(new Date(room.createdAtMs)),
    updatedAt: isoWithOffset(new Date(room.updatedAtMs)),
    openedAt: iso(now.releasedAtMs),
    waiting: now.waiting,
    active: now.active,
    admittedTotal: now.admittedTotal,
    admittedPerMinute: now.admittedPerMinute,
    abandonedTotal: now.abandonedTotal,
    drainSeconds: now.drainSeconds,
  };
}

const publicView = ({ room, status, waiting, drainSeconds }: RoomFigures) => ({
  id: room.id,
  name: room.name,
  concertId: room.concertId,
  status,
  saleStartsAt: iso(room.saleStartsAtMs),
  waiting,
  estimatedWaitSeconds: drainSeconds,
});

function settingsOf(body: UpdateRoomFields): Partial<RoomSettings> {
  const settings: Partial<RoomSettings> = {
    name: body.name,
    maxActive: body.maxActive,
    admissionRatePerMinute: body.admissionRatePerMinute,
    sessionSeconds: body.sessionSeconds,
    queueingMethod: body.queueingMethod,
    saleStartsAtMs: msOf(body.saleStartsAt),
    maxWaiting: body.maxWaiting,
    abandonSeconds: body.abandonSeconds,
  };
  return Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined));
}

/**
 * Waiting rooms. Operators (admin USER-TOKEN) create, change, open, suspend and close them and watch what happens
 * inside; anyone may list the rooms, to find the one of a concert.
 */
export async function roomsRoutes(app: App, deps: { rooms: RoomStore; policy: QueuePolicy }): Promise<void> {
  const { rooms, policy } = deps;
  const asAdmin = routeGroup({
    preHandler: app.requireAdmin,
    security: [{ userToken: [] }],
    errors: [401, 403, 404, 409, 422],
  });

  app.post(
    '/admin/rooms',
    asAdmin('Create a waiting room for a concert (admin)', { body: CreateRoomBody, response: { 201: RoomView } }),
    async (request, reply) => {
      const body = request.body;
      const created = await createRoom(rooms, {
        concertId: body.concertId,
        state: body.state ?? 'CREATED',
        settings: {
          name: body.name,
          maxActive: body.maxActive,
          admissionRatePerMinute: body.admissionRatePerMinute ?? null,
          sessionSeconds: body.sessionSeconds ?? policy.activeTtlMs / 1000,
          queueingMethod: body.queueingMethod ?? 'fifo',
          saleStartsAtMs: msOf(body.saleStartsAt) ?? null,
          maxWaiting: body.maxWaiting ?? null,
          abandonSeconds: body.abandonSeconds ?? policy.abandonTtlMs / 1000,
        },
      });
      reply.code(201).header('location', `/admin/rooms/${created.room.id}`);
      return roomView(created);
    },
  );

  app.get(
    '/admin/rooms',
    asAdmin('Every room with its figures (admin)', { response: { 200: Type.Array(RoomView) } }),
    async () => (await rooms.list(Date.now())).map(roomView),
  );

  app.get(
    '/admin/rooms/:room_id',
    asAdmin('A room: its settings, waiting, active, admitted per minute, abandoned, time to drain (admin)', {
      params: RoomParams,
      response: { 200: RoomView },
    }),
    async (request) => roomView(await roomFigures(rooms, request.params.room_id)),
  );

  app.patch(
    '/admin/rooms/:room_id',
    asAdmin("Change a room's settings (admin); the method only before it opens, the sale start until the sale opens", {
      params: RoomParams,
      body: UpdateRoomBody,
      response: { 200: RoomView },
    }),
    async (request) => roomView(await updateRoom(rooms, request.params.room_id, settingsOf(request.body))),
  );

  for (const [action, state, summary] of [
    ['open', 'OPEN', 'Open a room, or resume a suspended one (admin)'],
    ['suspend', 'SUSPENDED', 'Pause admission; waiting users keep their places (admin)'],
    ['close', 'CLOSED', 'Close a room for good: its waiting users are sent away, ACTIVE users keep their time (admin)'],
  ] as const) {
    app.post(
      `/admin/rooms/:room_id/${action}`,
      asAdmin(summary, { params: RoomParams, response: { 200: RoomView } }),
      async (request) => roomView(await changeRoomState(rooms, request.params.room_id, state)),
    );
  }

  app.get(
    '/rooms',
    {
      schema: {
        summary: 'The waiting rooms that are not closed: find the one of a concert, and what to expect there',
        response: { 200: Type.Array(PublicRoomView) },
      },
    },
    async () => (await rooms.list(Date.now())).filter((figures) => figures.room.state !== 'CLOSED').map(publicView),
  );

  app.get(
    '/rooms/:room_id',
    {
      schema: {
        summary: 'One waiting room, as anyone may see it',
        params: RoomParams,
        response: { 200: PublicRoomView, ...errorResponses(404) },
      },
    },
    async (request) => publicView(await roomFigures(rooms, request.params.room_id)),
  );
}
