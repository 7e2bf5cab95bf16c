import { Type } from '@sinclair/typebox';
import { DateTime, Id4, Text, Uuid } from '@boxoffice/http';

const Name = Text({ minLength: 1, maxLength: 200 });
const Description = Text({ maxLength: 5_000 });
const GaEventDate = DateTime({ description: 'ISO-8601 with offset, e.g. 2047-10-21T09:00:00Z' });

export const CreateGaEventBody = Type.Object(
  {
    name: Name,
    description: Description,
    date: GaEventDate,
    availability: Type.Integer({ minimum: 0, maximum: 10_000_000 }),
  },
  { additionalProperties: false },
);

// availability is deliberately absent: stock moves only through reservations (SPEC §5: 422 "Unknown field.").
export const UpdateGaEventBody = Type.Object(
  { name: Type.Optional(Name), description: Type.Optional(Description), date: Type.Optional(GaEventDate) },
  { additionalProperties: false, minProperties: 1 },
);

export const GaEventView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  description: Type.String(),
  date: Type.String(),
  availability: Type.Integer(),
  created_at: Type.String(),
  updated_at: Type.String(),
});

export const GaEventIdParams = Type.Object({ id: Uuid() }, { additionalProperties: false });

export const ReservationIdParams = GaEventIdParams;

export const CreateReservationBody = Type.Object(
  { event_id: Uuid(), no_of_tickets: Id4() },
  { additionalProperties: false },
);

export const UpdateReservationBody = Type.Object({ no_of_tickets: Id4() }, { additionalProperties: false });

export const ReservationView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  event_id: Type.String({ format: 'uuid' }),
  no_of_tickets: Type.Integer(),
  cancelled: Type.Boolean(),
  created_at: Type.String(),
  updated_at: Type.String(),
});
