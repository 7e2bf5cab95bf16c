import { call } from './http';

/** The item service (SPEC §2), through the gateway's /api/items. */
export interface ItemView {
  id: number;
  name: string;
  broadcaster: string;
  category: string;
  price: number;
  is_alarm_set: boolean;
  /** Start of the broadcast on air now or next; null when none is scheduled (absent in recently viewed). */
  next_broadcast_at?: string | null;
}

export const itemApi = {
  list: () => call<{ count: number; payload: ItemView[] }>('GET', '/api/items'),
  /** Also records the view for the caller's recently viewed list. */
  detail: (itemId: number) => call<{ payload: ItemView }>('GET', `/api/items/${itemId}`),
};
