import { Type } from '@sinclair/typebox';
import { CountedList } from '@boxoffice/http';

const MAX_INT = 2147483647;

export const ItemIdParams = Type.Object(
  { item_id: Type.Integer({ minimum: 1, maximum: MAX_INT }) },
  { additionalProperties: false },
);

export const ListQuery = Type.Object(
  {
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_INT, default: 0 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, description: 'default: all items' })),
  },
  { additionalProperties: false },
);

const fields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  broadcaster: Type.String({ minLength: 1, maxLength: 100 }),
  category: Type.String({ minLength: 1, maxLength: 100 }),
  price: Type.Integer({ minimum: 0, maximum: MAX_INT, description: 'in won; integers only' }),
  stock: Type.Integer({ minimum: 0, maximum: MAX_INT }),
};

export const CreateItemBody = Type.Object(fields, { additionalProperties: false });

export const ChangeItemBody = Type.Partial(Type.Object(fields), { additionalProperties: false, minProperties: 1 });

export const ShopperItem = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  broadcaster: Type.String(),
  category: Type.String(),
  price: Type.Integer(),
  is_alarm_set: Type.Boolean({ description: 'whether the caller set an alarm on this item' }),
});

export const AdminItem = Type.Object({ ...ShopperItem.properties, stock: Type.Integer() });

export const ItemList = CountedList(ShopperItem);
export const ItemDetail = Type.Object({ payload: ShopperItem });
export const AdminItemDetail = Type.Object({ payload: AdminItem });

export const ReplicaQuery = Type.Object(
  {
    ids: Type.String({
      pattern: '^[1-9][0-9]{0,9}(,[1-9][0-9]{0,9}){0,499}$',
      description: 'comma-separated item ids, at most 500',
    }),
  },
  { additionalProperties: false },
);

export const ReplicaItem = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  broadcaster: Type.String(),
  category: Type.String(),
  price: Type.Integer(),
  stock: Type.Integer(),
  deleted: Type.Boolean(),
  revision: Type.Integer(),
});
export const ReplicaItemList = CountedList(ReplicaItem);
