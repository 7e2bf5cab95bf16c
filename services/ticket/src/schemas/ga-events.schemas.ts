import { Type } from '@sinclair/typebox';

const Name = Type.String({ minLength: 1, maxLength: 200 });
const Description = Type.String({ maxLength: 5_000 });
const EventDate = Type.String({ format: 'date-time', description: 'ISO-8601 with offset, e.g. 2047-10-21T09:00:00Z' });

export const CreateEventBody = Type.Object(
  {
    name: Name,
    description: Description,
    date: EventDate,
    availability: Type.Integer({ minimum: 0, maximum: 10_000_000 }),
  },
  { additionalProperties: false },
);

// availability is deliberately absent: stock moves only through reservations (SPEC §5: 422 "Unknown field.").
export const UpdateEventBody = Type.Object(
  { name: Type.Optional(Name), description: Type.Optional(Description), date: Type.Optional(EventDate) },
  { additionalProperties: false, minProperties: 1 },
);

export const EventView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  description: Type.String(),
  date: Type.String(),
  availability: Type.Integer(),
  created_at: Type.String(),
  updated_at: Type.String(),
});

export const EventIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false });

export const ReservationIdParams = EventIdParams;

export const CreateReservationBody = Type.Object(
  { event_id: Type.String({ format: 'uuid' }), no_of_tickets: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
);

export const UpdateReservationBody = Type.Object(
  { no_of_tickets: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
);

export const ReservationView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  event_id: Type.String({ format: 'uuid' }),
  no_of_tickets: Type.Integer(),
  cancelled: Type.Boolean(),
  created_at: Type.String(),
  updated_at: Type.String(),
});
