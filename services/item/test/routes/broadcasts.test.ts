import { waitFor, type AnnouncedUser } from '@boxoffice/testing';
import { demoBroadcastStart } from '../../src/domain/items.use-case';
import { ItemKit } from '../support/item-kit';

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '+00:00');

/** Issue 15 item 4: items gain broadcast slots; admins set them, views show the next one, item.changed carries them. */
describe("an item's broadcast schedule", () => {
  const kit = new ItemKit();
  let shopper: { token: string };

  beforeAll(async () => {
    await kit.start();
    [shopper] = (await kit.users(1)) as [AnnouncedUser];
  }, 60_000);
  afterAll(async () => {
    await kit.stop();
  });

  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, token: string, payload?: object) =>
    kit.app.inject({ method, url, headers: { 'user-token': token }, ...(payload ? { payload } : {}) });

  it('when an admin schedules and removes broadcasts, then the detail, the list and item.changed show the next one', async () => {
    const itemId = await kit.newItem(5);
    const soon = Math.ceil((Date.now() + HOUR) / 1000) * 1000;
    const later = soon + 24 * HOUR;
    const first = await call('POST', `/${itemId}/broadcasts`, kit.admin.token, {
      channel: 'gsshop',
      startsAt: iso(later),
      endsAt: iso(later + HOUR),
    });
    expect(first.statusCode).toBe(201);
    expect(first.headers.location).toBe(`/${itemId}/broadcasts/${first.json().payload.id}`);
    const second = await call('POST', `/${itemId}/broadcasts`, kit.admin.token, {
      channel: 'cjmall',
      startsAt: iso(soon),
      endsAt: iso(soon + HOUR),
    });
    const soonId = second.json().payload.id as number;
    expect(second.json().payload).toEqual({
      id: soonId,
      itemId,
      channel: 'cjmall',
      startsAt: iso(soon),
      endsAt: iso(soon + HOUR),
    });

    const schedule = await call('GET', `/${itemId}/broadcasts`, shopper.token);
    expect(schedule.json().payload.map((s: { channel: string }) => s.channel)).toEqual(['cjmall', 'gsshop']);
    expect((await call('GET', `/${itemId}`, shopper.token)).json().payload.next_broadcast_at).toBe(iso(soon));
    const listed = (await call('GET', '/', shopper.token)).json().payload.find((i: { id: number }) => i.id === itemId);
    expect(listed.next_broadcast_at).toBe(iso(soon));
    const announced = await waitFor('item.changed with both slots', () =>
      kit.itemEvents(itemId).find((e) => e.payload.broadcasts?.length === 2),
    );
    expect(announced.payload.broadcasts!.map((s) => [s.id, Date.parse(s.startsAt)])).toEqual([
      [soonId, soon],
      [first.json().payload.id, later],
    ]);

    expect((await call('DELETE', `/${itemId}/broadcasts/${soonId}`, kit.admin.token)).statusCode).toBe(204);
    expect((await call('DELETE', `/${itemId}/broadcasts/${soonId}`, kit.admin.token)).statusCode).toBe(404);
    expect((await call('GET', `/${itemId}`, shopper.token)).json().payload.next_broadcast_at).toBe(iso(later));
    await waitFor('item.changed without the removed slot', () =>
      kit.itemEvents(itemId).some((e) => e.payload.broadcasts?.length === 1 && e.payload.broadcasts[0]!.id !== soonId),
    );
  });

  it('when a broadcast ends before it starts, a shopper schedules one, or the item is unknown, then 422, 403, 404', async () => {
    const itemId = await kit.newItem(1);
    const start = Date.now() + HOUR;
    const backwards = await call('POST', `/${itemId}/broadcasts`, kit.admin.token, {
      channel: 'cjmall',
      startsAt: iso(start),
      endsAt: iso(start - 1_000),
    });
    expect(backwards.statusCode).toBe(422);
    const body = { channel: 'cjmall', startsAt: iso(start), endsAt: iso(start + HOUR) };
    expect((await call('POST', `/${itemId}/broadcasts`, shopper.token, body)).statusCode).toBe(403);
    expect((await call('POST', '/999999/broadcasts', kit.admin.token, body)).statusCode).toBe(404);
    expect((await call('GET', `/${itemId}`, shopper.token)).json().payload.next_broadcast_at).toBeNull();
  });

  it('when demo items load, then their broadcasts spread over the next three days, one every 90 minutes', () => {
    const now = new Date('2026-12-02T06:10:00Z');
    const start = demoBroadcastStart(now);
    expect(start(1).toISOString()).toBe('2026-12-02T07:00:00.000Z');
    expect(start(2).toISOString()).toBe('2026-12-02T08:30:00.000Z');
    expect(start(50).getTime() - start(1).getTime()).toBe(49 * 1.5 * HOUR);
  });
});
