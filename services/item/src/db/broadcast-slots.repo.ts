import type { Queryable } from '@boxoffice/db';

export interface SlotRow {
  id: number;
  itemId: number;
  channel: string;
  startsAt: Date;
  endsAt: Date;
}

const COLUMNS = 'id, item_id AS "itemId", channel, starts_at AS "startsAt", ends_at AS "endsAt"';

export async function insertSlot(db: Queryable, slot: Omit<SlotRow, 'id'>): Promise<SlotRow> {
  const { rows } = await db.query<SlotRow>(
    `INSERT INTO broadcast_slots (item_id, channel, starts_at, ends_at) VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`,
    [slot.itemId, slot.channel, slot.startsAt, slot.endsAt],
  );
  return rows[0]!;
}

/** True when the slot existed (and was the item's). */
export async function deleteSlot(db: Queryable, itemId: number, slotId: number): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM broadcast_slots WHERE id = $1 AND item_id = $2', [slotId, itemId]);
  return (rowCount ?? 0) > 0;
}

/** The item's slots not ended yet, by start. */
export async function openSlotsOf(db: Queryable, itemId: number): Promise<SlotRow[]> {
  const { rows } = await db.query<SlotRow>(
    `SELECT ${COLUMNS} FROM broadcast_slots WHERE item_id = $1 AND ends_at > now() ORDER BY starts_at, id`,
    [itemId],
  );
  return rows;
}
