import { Type } from '@sinclair/typebox';
import { CountedList, Id4 } from '@boxoffice/http';

const ItemId = Id4();

export const AlarmBody = Type.Object({ item_id: ItemId }, { additionalProperties: false });
export const ItemIdParams = Type.Object({ item_id: ItemId }, { additionalProperties: false });

export const Empty = Type.Object({}, { additionalProperties: false });

export const AlarmedItem = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  broadcaster: Type.String(),
  category: Type.String(),
  price: Type.Integer(),
});

export const AlarmedItemList = CountedList(AlarmedItem);
export const AlarmedItemDetail = Type.Object({ payload: AlarmedItem });
export const AlarmedItemIds = CountedList(Type.Integer());
