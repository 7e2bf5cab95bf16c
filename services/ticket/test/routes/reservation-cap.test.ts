import { TicketHarness, type TestUser } from '../harness';

describe('anti-bot cap on live reservations per user and event (MAX_RESERVATIONS_PER_USER)', () => {
  const harness = new TicketHarness({ ticket: { MAX_RESERVATIONS_PER_USER: '2' } });
  let admin: TestUser;

  const as = (user: TestUser, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
    harness.app.inject({ method, url, headers: { 'user-token': user.token }, ...(payload ? { payload } : {}) });
  const createEvent = async (availability: number) => (await harness.gaEvent(admin, availability)).id;
  const reserve = (user: TestUser, eventId: string) =>
    as(user, 'POST', '/reservations', { event_id: eventId, no_of_tickets: 1 });
  const availability = async (eventId: string) => (await as(admin, 'GET', `/events/${eventId}`)).json().availability;

  beforeAll(async () => {
    await harness.start();
    [admin] = (await harness.users(1, 'admin')) as [TestUser];
  });
  afterAll(() => harness.stop());

  it('when a user already has the cap of live reservations of an event, then the next is 400 RESERVATION_LIMIT_REACHED and takes no stock', async () => {
    const [user, other] = (await harness.users(2)) as [TestUser, TestUser];
    const eventId = await createEvent(10);
    const otherEventId = await createEvent(10);
    expect((await reserve(user, eventId)).statusCode).toBe(201);
    expect((await reserve(user, eventId)).statusCode).toBe(201);
    const refused = await reserve(user, eventId);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().errors).toMatchObject({
      code: 'RESERVATION_LIMIT_REACHED',
      message: expect.stringContaining('2 live reservations'),
      detail: [{ param: 'event_id', error: 'LimitReached' }],
    });
    expect(await availability(eventId)).toBe(8);
    // per event and per user: another event, and another user, are not affected
    expect((await reserve(user, otherEventId)).statusCode).toBe(201);
    expect((await reserve(other, eventId)).statusCode).toBe(201);
  });

  it('when one of them is cancelled, then a slot is free again', async () => {
    const [user] = (await harness.users(1)) as [TestUser];
    const eventId = await createEvent(10);
    const first = (await reserve(user, eventId)).json().id;
    expect((await reserve(user, eventId)).statusCode).toBe(201);
    expect((await reserve(user, eventId)).statusCode).toBe(400);
    expect((await as(user, 'DELETE', `/reservations/${first}`)).statusCode).toBe(204);
    expect((await reserve(user, eventId)).statusCode).toBe(201);
  });

  it('when one user sends 10 reservations at once, then exactly the cap succeed', async () => {
    const [user] = (await harness.users(1)) as [TestUser];
    const eventId = await createEvent(100);
    const statuses = (await Promise.all(Array.from({ length: 10 }, () => reserve(user, eventId)))).map(
      (response) => response.statusCode,
    );
    expect(statuses.filter((status) => status === 201)).toHaveLength(2);
    expect(statuses.filter((status) => status === 400)).toHaveLength(8);
    expect(await availability(eventId)).toBe(98);
  });
});
