import type { App } from '@boxoffice/http';
import { waitFor } from '@boxoffice/testing';
import { buildApp } from '../../src/app';
import { readConfig } from '../../src/config';
import { AlarmKit, type TestUser } from '../support/alarm-kit';

const LEAD_SECONDS = 3;
const ITEM_ID = 9_001;
const at = (ms: number) => new Date(ms).toISOString();
const slot = (id: number, startsAt: number) => ({
  id,
  channel: 'cjmall',
  startsAt: at(startsAt),
  endsAt: at(startsAt + 3_600_000),
});

/**
 * Issue 15 item 4 "done when": a broadcast alarm fires once per slot with two alarm instances and a restart
 * between scheduling and firing; a slot or alarm removed before its reminder cancels it. The item service is
 * played on Kafka (item.changed with its slots); both instances share one database, as deployed.
 */
describe('broadcast alarms: a reminder LEAD before each slot, once per slot and user, across instances and restarts', () => {
  const kit = new AlarmKit({ BROADCAST_ALARM_LEAD_SECONDS: String(LEAD_SECONDS), BROADCAST_SWEEP_INTERVAL_MS: '100' });
  let second: App | undefined;
  let users: TestUser[];

  beforeAll(async () => {
    await kit.start();
    second = await buildApp(readConfig(kit.env));
    await second.ready();
    users = await kit.users(3);
  }, 60_000);
  afterAll(async () => {
    await second?.close();
    await kit.stop();
  });

  const reminders = async (slotId: number) =>
    (
      await kit.app.pg.query<{ user_id: number; subject: string; message: string }>(
        'SELECT user_id, subject, message FROM notifications WHERE trigger LIKE $1 ORDER BY user_id',
        [`broadcast:${slotId}:%`],
      )
    ).rows;
  const itemKnown = (revision: number) =>
    waitFor(`item revision ${revision} in the replica`, async () => {
      const { rows } = await kit.app.pg.query('SELECT 1 FROM items_replica WHERE id = $1 AND revision = $2', [
        ITEM_ID,
        revision,
      ]);
      return rows.length === 1;
    });
  const setAlarm = (user: TestUser) =>
    kit.app.inject({ method: 'POST', url: '/', headers: { 'user-token': user.token }, payload: { item_id: ITEM_ID } });

  it('when both instances restart between the alarm and the reminder, then it still fires once per user; a removed slot or alarm never fires', async () => {
    const [first, other, clearer] = users as [TestUser, TestUser, TestUser];
    const startA = Date.now() + (LEAD_SECONDS + 5) * 1000;
    await kit.item({ id: ITEM_ID, name: '17WINTER 레그미인', broadcasts: [slot(1, startA)] }, 1);
    await itemKnown(1);
    for (const user of [first, other, clearer]) expect((await setAlarm(user)).statusCode).toBe(201);
    const cleared = await kit.app.inject({
      method: 'DELETE',
      url: '/',
      headers: { 'user-token': clearer.token },
      payload: { item_id: ITEM_ID },
    });
    expect(cleared.statusCode).toBe(200);
    expect(await reminders(1)).toEqual([]); // not due yet: scheduled, not sent

    // every instance down across the moment the reminder is due, then both back
    await second!.close();
    await kit.app.close();
    await waitFor('the reminder due', () => Date.now() > startA - LEAD_SECONDS * 1000 + 500, {
      timeoutMs: 30_000,
    });
    kit.app = await buildApp(readConfig(kit.env));
    second = await buildApp(readConfig(kit.env));
    await Promise.all([kit.app.ready(), second.ready()]);
    const sentA = await waitFor('slot 1 reminded to both alarmed users', async () => {
      const sent = await reminders(1);
      return sent.length === 2 ? sent : undefined;
    });
    expect(sentA.map((row) => row.user_id)).toEqual([first.id, other.id].sort((a, b) => a - b));
    expect(sentA[0]).toMatchObject({ subject: 'On air soon' });
    expect(sentA[0]!.message).toContain('17WINTER 레그미인 is on air on cjmall');

    // two more slots; slot 3 is removed before its reminder is due, slot 2 fires in the same pass it would have
    const startLater = Date.now() + (LEAD_SECONDS + 6) * 1000;
    await kit.item({ id: ITEM_ID, broadcasts: [slot(1, startA), slot(2, startLater), slot(3, startLater)] }, 2);
    await kit.item({ id: ITEM_ID, broadcasts: [slot(1, startA), slot(2, startLater)] }, 3);
    await itemKnown(3);
    await waitFor('slot 2 reminded to both', async () => (await reminders(2)).length === 2, { timeoutMs: 30_000 });
    expect(await reminders(3)).toEqual([]);
    // the passes that sent slot 2 saw slot 1 due again (it is on air): still one reminder each
    expect((await reminders(1)).length).toBe(2);
    const { rows } = await kit.app.pg.query<{ trigger: string }>(
      "SELECT trigger FROM notifications WHERE trigger LIKE 'broadcast:%' AND user_id = $1",
      [clearer.id],
    );
    expect(rows).toEqual([]);
  });
});
