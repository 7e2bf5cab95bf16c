import { Type } from '@sinclair/typebox';
import { CountedList, Id4, Int4, StringEnum, Text } from '@boxoffice/http';

export const SendNotificationBody = Type.Object(
  {
    userId: Id4(),
    notificationType: StringEnum(['email', 'sms'] as const),
    subject: Text({ minLength: 1, maxLength: 200 }),
    message: Text({ minLength: 1, maxLength: 5000 }),
  },
  { additionalProperties: false },
);

export const InternalTokenHeaders = Type.Object({
  'x-internal-token': Type.Optional(
    Type.String({ maxLength: 500, description: 'service-to-service token (INTERNAL_API_TOKEN)' }),
  ),
});

export const NotificationSent = Type.Object({ code: Type.Literal(200), message: Type.String() });

export const InboxQuery = Type.Object(
  {
    offset: Type.Optional(Int4({ minimum: 0, default: 0 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  },
  { additionalProperties: false },
);

export const NotificationView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  userId: Type.Integer(),
  notificationType: StringEnum(['email', 'sms'] as const),
  subject: Type.String(),
  message: Type.String(),
  status: StringEnum(['sent'] as const),
  createdAt: Type.String({ format: 'date-time' }),
});

/** `count` is how many the caller has in all; `payload` the page, newest first. */
export const Inbox = CountedList(NotificationView);
