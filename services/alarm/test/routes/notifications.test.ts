import type { AnnouncedUser } from '@boxoffice/testing';
import { AlarmKit, INTERNAL_TOKEN, type TestUser } from '../support/alarm-kit';

describe('notifications over HTTP (SPEC §3): send (simulated delivery) and the inbox', () => {
  const kit = new AlarmKit();
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    await kit.start();
    [alice, bob] = (await kit.users(2)) as [AnnouncedUser, AnnouncedUser];
  }, 60_000);
  afterAll(async () => {
    await kit.stop();
  });

  const note = (userId: number, subject: string) => ({
    userId,
    notificationType: 'email',
    subject,
    message: `about ${subject}`,
  });

  it('when an admin sends a notification, then 200 as the seed says, and the user sees it as sent, raised by the API', async () => {
    const response = await kit.send(
      {
        userId: alice.id,
        notificationType: 'sms',
        subject: 'Order Status Update',
        message: 'Your order has been paid.',
      },
      { 'user-token': kit.admin.token },
    );
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ code: 200, message: 'Notification sent successfully' });
    const inbox = await kit.inbox(alice);
    expect(inbox.count).toBe(1);
    expect(inbox.payload[0]).toEqual({
      id: expect.any(String),
      userId: alice.id,
      notificationType: 'sms',
      subject: 'Order Status Update',
      message: 'Your order has been paid.',
      status: 'sent',
      createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$/),
    });
    expect(await kit.triggersOf(alice.id)).toEqual(['api']);
  });

  it('when a user notifies themselves, then 200; another user, then 403 and nothing is stored', async () => {
    const [carol, dave] = await kit.users(2);
    expect((await kit.send(note(carol!.id, 'to myself'), { 'user-token': carol!.token })).statusCode).toBe(200);
    const refused = await kit.send(note(dave!.id, 'to dave'), { 'user-token': carol!.token });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().errors).toMatchObject({
      code: 'FORBIDDEN',
      detail: [{ location: 'body', param: 'userId', value: dave!.id }],
    });
    expect((await kit.inbox(carol!)).payload.map((n) => n.subject)).toEqual(['to myself']);
    expect((await kit.inbox(dave!)).count).toBe(0);
  });

  it('when a peer sends with the internal token, then it may notify anyone; a wrong token or none is 401', async () => {
    const [erin] = await kit.users(1);
    expect((await kit.send(note(erin!.id, 'from a peer'), { 'x-internal-token': INTERNAL_TOKEN })).statusCode).toBe(
      200,
    );
    expect((await kit.send(note(erin!.id, 'forged'), { 'x-internal-token': 'not-the-token' })).statusCode).toBe(401);
    expect((await kit.send(note(erin!.id, 'anonymous'), {})).statusCode).toBe(401);
    expect((await kit.inbox(erin!)).payload.map((n) => n.subject)).toEqual(['from a peer']);
    expect((await kit.app.inject({ method: 'GET', url: '/api/notifications' })).statusCode).toBe(401);
  });

  it('when notifications arrive one after another, then the inbox lists them newest first, paged by offset and limit', async () => {
    const [frank] = await kit.users(1);
    for (const subject of ['first', 'second', 'third', 'fourth']) {
      expect((await kit.send(note(frank!.id, subject), { 'user-token': kit.admin.token })).statusCode).toBe(200);
    }
    const inbox = await kit.inbox(frank!);
    expect(inbox.count).toBe(4);
    expect(inbox.payload.map((n) => n.subject)).toEqual(['fourth', 'third', 'second', 'first']);
    const page = await kit.inbox(frank!, '?offset=1&limit=2');
    expect(page.count).toBe(4);
    expect(page.payload.map((n) => n.subject)).toEqual(['third', 'second']);
  });

  it('when two users have notifications, then each sees only their own', async () => {
    await kit.send(note(bob.id, 'for bob only'), { 'user-token': kit.admin.token });
    const bobs = await kit.inbox(bob);
    expect(bobs.payload.map((n) => n.subject)).toEqual(['for bob only']);
    const alices = await kit.inbox(alice);
    expect(alices.payload.every((n) => n.userId === alice.id)).toBe(true);
    expect(alices.payload.map((n) => n.subject)).not.toContain('for bob only');
  });

  it('when the body is malformed, then 422 lists every bad field', async () => {
    const response = await kit.send(
      { userId: 'x', notificationType: 'fax', message: '', extra: 1 },
      { 'user-token': kit.admin.token },
    );
    expect(response.statusCode).toBe(422);
    const params = response
      .json()
      .errors.detail.map((d: { param: string }) => d.param)
      .sort();
    expect(params).toEqual(['extra', 'message', 'notificationType', 'subject', 'userId']);
  });
});
