import { Type } from '@sinclair/typebox';
import { CountedList, Id4, StringEnum, Text } from '@boxoffice/http';

export const RegisterBody = Type.Object(
  {
    name: Text({ minLength: 1, maxLength: 100 }),
    login_id: Type.String({
      pattern: '^[A-Za-z0-9._-]{3,50}$',
      description: '3 to 50 letters, digits, dot, dash or underscore',
    }),
    password: Type.String({ minLength: 8, maxLength: 200 }),
  },
  { additionalProperties: false },
);

export const LoginBody = Type.Object(
  {
    login_id: Text({ minLength: 1, maxLength: 50 }),
    password: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);

export const UserWithToken = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  access_token: Type.String({ format: 'uuid' }),
});

export const UserListEntry = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  access_token: Type.Optional(Type.String({ description: "only on the caller's own row, or for an admin" })),
});

export const UserList = CountedList(UserListEntry);

export const UserIdParams = Type.Object({ id: Id4() }, { additionalProperties: false });

export const Me = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  role: StringEnum(['user', 'admin'] as const),
});

export const RecentItems = CountedList(
  Type.Object({
    id: Type.Integer(),
    name: Type.String(),
    broadcaster: Type.String(),
    category: Type.String(),
    price: Type.Integer(),
    is_alarm_set: Type.Boolean({ description: 'whether the caller set an alarm on this item' }),
  }),
);
