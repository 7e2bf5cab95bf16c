import { call } from './http';

/** The alarm service (SPEC §3): alarms on items and the caller's notifications. */
export interface NotificationView {
  id: string;
  notificationType: 'email' | 'sms';
  subject: string;
  message: string;
  status: string;
  createdAt: string;
}

export const alarmApi = {
  set: (itemId: number) => call<Record<string, never>>('POST', '/api/alarms', { body: { item_id: itemId } }),
  clear: (itemId: number) => call<Record<string, never>>('DELETE', '/api/alarms', { body: { item_id: itemId } }),
  notifications: () => call<{ count: number; payload: NotificationView[] }>('GET', '/api/notifications'),
};
