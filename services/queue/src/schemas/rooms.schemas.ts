import { Type, type Static } from '@sinclair/typebox';
import { DateTime, Id4, Int4, StringEnum, Text } from '@boxoffice/http';
import { RoomId, RoomStatusSchema } from './queue.schemas';

const Nullable = <T extends ReturnType<typeof Int4> | ReturnType<typeof DateTime>>(schema: T) =>
  Type.Union([schema, Type.Null()]);

/** The settings an operator gives a room (all but name, concert and capacity have defaults). */
const settings = {
  name: Text({ minLength: 1, maxLength: 200 }),
  maxActive: Int4({ minimum: 1, maximum: 1_000_000, description: 'At most this many users are ACTIVE at once.' }),
  admissionRatePerMinute: Nullable(
    Int4({
      minimum: 1,
      maximum: 1_000_000,
      description: 'At most this many users admitted per minute; null: no limit.',
    }),
  ),
  sessionSeconds: Int4({ minimum: 1, maximum: 86_400, description: 'How long an admitted user stays ACTIVE.' }),
  queueingMethod: StringEnum(['fifo', 'random'] as const, {
    description: 'random: users who join before the sale opens are drawn at random at its start; then FIFO.',
  }),
  saleStartsAt: Nullable(DateTime({ description: 'Admission starts then (the pre-queue before); null: at once.' })),
  maxWaiting: Nullable(
    Int4({ minimum: 1, maximum: 100_000_000, description: 'Beyond this many waiting, joining is refused (429).' }),
  ),
  abandonSeconds: Int4({
    minimum: 1,
    maximum: 86_400,
    description: 'A waiting user not seen (no poll, no open stream) this long loses their place.',
  }),
};

export const CreateRoomBody = Type.Object(
  {
    name: settings.name,
    concertId: Id4({
      description: "The concert whose routes this room guards (one room per concert until it's closed).",
    }),
    maxActive: settings.maxActive,
    admissionRatePerMinute: Type.Optional(settings.admissionRatePerMinute),
    sessionSeconds: Type.Optional(settings.sessionSeconds),
    queueingMethod: Type.Optional(settings.queueingMethod),
    saleStartsAt: Type.Optional(settings.saleStartsAt),
    maxWaiting: Type.Optional(settings.maxWaiting),
    abandonSeconds: Type.Optional(settings.abandonSeconds),
    state: Type.Optional(StringEnum(['CREATED', 'OPEN'] as const, { description: 'CREATED (default): not open yet.' })),
  },
  { additionalProperties: false },
);
export type CreateRoomBody = Static<typeof CreateRoomBody>;

export const UpdateRoomBody = Type.Partial(Type.Object(settings), { additionalProperties: false, minProperties: 1 });
export type UpdateRoomBody = Static<typeof UpdateRoomBody>;

export const RoomParams = Type.Object({ room_id: RoomId('The room id (`default` or a uuid).') });

const nullableInt = Type.Union([Type.Integer(), Type.Null()]);
const nullableNumber = Type.Union([Type.Number(), Type.Null()]);
const nullableTime = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);

/** What anyone may see of a room: enough for a client to pick the room of a concert and show what to expect. */
export const PublicRoomView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  concertId: nullableInt,
  status: RoomStatusSchema,
  saleStartsAt: nullableTime,
  waiting: Type.Integer(),
  /** How long a newcomer would wait at the observed pace; null while not known. */
  estimatedWaitSeconds: nullableInt,
});

/** The operator's view: the settings, and what is happening in the room now. */
export const RoomView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  concertId: nullableInt,
  state: StringEnum(['CREATED', 'OPEN', 'SUSPENDED', 'CLOSED'] as const),
  status: RoomStatusSchema,
  maxActive: Type.Integer(),
  admissionRatePerMinute: nullableInt,
  sessionSeconds: Type.Integer(),
  queueingMethod: StringEnum(['fifo', 'random'] as const),
  saleStartsAt: nullableTime,
  maxWaiting: nullableInt,
  abandonSeconds: Type.Integer(),
  revision: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  openedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: 'When the sale opened (the pre-queue was drawn and admission began).',
  }),
  waiting: Type.Integer(),
  active: Type.Integer(),
  admittedTotal: Type.Integer(),
  admittedPerMinute: Type.Union([nullableNumber], { description: 'The pace observed lately; null while not known.' }),
  abandonedTotal: Type.Integer(),
  drainSeconds: Type.Union([nullableInt], {
    description: 'How long the users waiting now take to be admitted at that pace; null while not known.',
  }),
});
