import { Type } from '@sinclair/typebox';
import { BroadcastSlot, ItemChangedPayload } from '@boxoffice/contracts';
import { CountedList, DateTime, Id4, Int4, Text } from '@boxoffice/http';

// 1 to 2147483647: ids beyond int4 name no item, and PostgreSQL would refuse them
const INT4_ID =
  '(?:[1-9][0-9]{0,8}|1[0-9]{9}|20[0-9]{8}|21[0-3][0-9]{7}|214[0-6][0-9]{6}|2147[0-3][0-9]{5}|21474[0-7][0-9]{4}|214748[0-2][0-9]{3}|2147483[0-5][0-9]{2}|21474836[0-3][0-9]|214748364[0-7])';

export const ItemIdParams = Type.Object({ item_id: Id4() }, { additionalProperties: false });

export const ListQuery = Type.Object(
  {
    offset: Type.Optional(Int4({ minimum: 0, default: 0 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, description: 'default: all items' })),
  },
  { additionalProperties: false },
);

const fields = {
  name: Text({ minLength: 1, maxLength: 200 }),
  broadcaster: Text({ minLength: 1, maxLength: 100 }),
  category: Text({ minLength: 1, maxLength: 100 }),
  price: Int4({ minimum: 0, description: 'in won; integers only' }),
  stock: Int4({ minimum: 0 }),
  code: Type.Optional(
    Type.Union([
      Type.String({
        pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$',
        description: 'public product code, unique (e.g. P001); null clears it',
      }),
      Type.Null(),
    ]),
  ),
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
  product_code: Type.Union([Type.String(), Type.Null()], { description: 'public product code (e.g. P001)' }),
  next_broadcast_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: 'start of the broadcast on air now or next; null when none is scheduled',
  }),
});

export const AdminItem = Type.Object({ ...ShopperItem.properties, stock: Type.Integer() });

export const ItemList = CountedList(ShopperItem);
export const ItemDetail = Type.Object({ payload: ShopperItem });
export const AdminItemDetail = Type.Object({ payload: AdminItem });

export const ReplicaQuery = Type.Object(
  {
    ids: Type.String({
      pattern: `^${INT4_ID}(,${INT4_ID}){0,499}$`,
      description: 'comma-separated item ids (each within int4), at most 500',
    }),
  },
  { additionalProperties: false },
);

/** An item as its replicas hold it: item.changed's fields (code and slots always present) and the revision. */
export const ReplicaItem = Type.Composite([
  Type.Pick(ItemChangedPayload, ['id', 'name', 'broadcaster', 'category', 'price', 'stock', 'deleted']),
  Type.Object({
    revision: Type.Integer(),
    code: Type.Union([Type.String(), Type.Null()]),
    broadcasts: Type.Array(BroadcastSlot),
  }),
]);
export const ReplicaItemList = CountedList(ReplicaItem);

export const BroadcastParams = Type.Object({ item_id: Id4(), slot_id: Id4() }, { additionalProperties: false });

export const NewBroadcastBody = Type.Object(
  {
    channel: Text({ minLength: 1, maxLength: 100, description: 'the home-shopping channel, e.g. cjmall' }),
    startsAt: DateTime(),
    endsAt: DateTime({ description: 'after startsAt' }),
  },
  { additionalProperties: false },
);

export const BroadcastView = Type.Object({
  id: Type.Integer(),
  itemId: Type.Integer(),
  channel: Type.String(),
  startsAt: Type.String({ format: 'date-time' }),
  endsAt: Type.String({ format: 'date-time' }),
});
export const BroadcastDetail = Type.Object({ payload: BroadcastView });
export const BroadcastList = CountedList(BroadcastView);
