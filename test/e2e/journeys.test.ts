import { suiteStack, waitFor } from '@boxoffice/testing';
import { SEED_JOURNEYS, USER_TOKEN, gatewayCall } from '../journeys/seed-journeys';

/**
 * The seed journeys end to end, through the gateway only, with every service running as a real process on real
 * PostgreSQL, Redis and Kafka (the whole stack as `npm start` runs it, on free ports and fresh databases).
 */

const suite = suiteStack({ env: { ticket: { SEAT_HOLD_TTL_SECONDS: '300' } } });

const call = gatewayCall(() => suite.stack.gatewayUrl);

describe('journeys through the gateway', () => {
  it.each(SEED_JOURNEYS)('%s', async (_name, journey) => {
    await journey(call);
  });
});

describe('with the alarm service stopped', () => {
  it('when a shopper browses, then lists, details and /visit still answer, and setting an alarm is a clean 503', async () => {
    const alarm = suite.stack.instances.get('alarm')![0]!;
    await alarm.stop();
    try {
      const headers = { 'user-token': USER_TOKEN };
      const list = await call('GET', '/api/items', { headers });
      expect(list.status).toBe(200);
      expect(list.body.count).toBe(50);
      const item = list.body.payload[3];
      const detail = await call('GET', `/api/items/${item.id}`, { headers });
      expect(detail.status).toBe(200);
      expect(typeof detail.body.payload.is_alarm_set).toBe('boolean');
      const visit = await waitFor('the view in /visit', async () => {
        const seen = await call('GET', '/api/users/visit', { headers });
        return seen.status === 200 && seen.body.payload[0]?.id === item.id ? seen : undefined;
      });
      expect(visit.status).toBe(200);
      const setAlarm = await call('POST', '/api/alarms', { headers, body: { item_id: item.id } });
      expect(setAlarm.status).toBe(503);
      expect(setAlarm.headers.get('retry-after')).toBeTruthy();
    } finally {
      await alarm.start();
    }
  });
});
