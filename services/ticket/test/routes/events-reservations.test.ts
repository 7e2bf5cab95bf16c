import { TicketHarness, type TestUser } from '../harness';

describe('events and reservations (SPEC §5, the original brief walked through)', () => {
  // the brief's walk-through has one user take a whole 100-ticket event one ticket at a time
  const harness = new TicketHarness({ ticket: { MAX_RESERVATIONS_PER_USER: '100' } });
  let admin: TestUser;
  let alice: TestUser;
  let bob: TestUser;

  const as = (
    user: TestUser,
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    payload?: object,
    headers: Record<string, string> = {},
  ) =>
    harness.app.inject({
      method,
      url,
      headers: { 'user-token': user.token, ...headers },
      ...(payload ? { payload } : {}),
    });

  const createEvent = (availability: number) => harness.gaEvent(admin, availability);

  beforeAll(async () => {
    await harness.start();
    [admin] = (await harness.users(1, 'admin')) as [TestUser];
    [alice, bob] = (await harness.users(2)) as [TestUser, TestUser];
  });
  afterAll(() => harness.stop());

  it("when an admin creates an event, then 201 with a Location and the brief's fields; a missing field is 422", async () => {
    const created = await as(admin, 'POST', '/events', {
      name: 'Rocket to Mars',
      description: 'd',
      date: '2047-10-21T09:00:00Z',
      availability: 0,
    });
    expect(created.statusCode).toBe(201);
    const event = created.json();
    expect(event).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Rocket to Mars',
      description: 'd',
      date: '2047-10-21T09:00:00+00:00',
      availability: 0,
      created_at: expect.stringMatching(/\+00:00$/),
      updated_at: expect.stringMatching(/\+00:00$/),
    });
    expect(created.headers.location).toBe(`/events/${event.id}`);

    const missing = await as(admin, 'POST', '/events', {
      name: 'Rocket to Mars',
      description: 'd',
      date: '2047-10-21T09:00:00Z',
    });
    expect(missing.statusCode).toBe(422);
    expect(missing.json().errors.detail).toEqual([
      { location: 'body', param: 'availability', error: 'MissingField', msg: 'Missing data for required field.' },
    ]);
  });

  it('when a plain user creates, patches or deletes an event, then 403; without a USER-TOKEN, 401', async () => {
    const event = await createEvent(5);
    expect(
      (
        await as(alice, 'POST', '/events', {
          name: 'x',
          description: 'd',
          date: '2047-10-21T09:00:00Z',
          availability: 1,
        })
      ).statusCode,
    ).toBe(403);
    expect((await as(alice, 'PATCH', `/events/${event.id}`, { name: 'mine' })).statusCode).toBe(403);
    expect((await as(alice, 'DELETE', `/events/${event.id}`)).statusCode).toBe(403);
    expect((await harness.app.inject({ method: 'GET', url: '/events' })).statusCode).toBe(401);
  });

  it('when 100 single reservations take a 100-ticket event, then 0 remain, the 101st is 400, and a cancel frees one', async () => {
    const event = await createEvent(100);
    const made = await Promise.all(
      Array.from({ length: 100 }, () => as(alice, 'POST', '/reservations/', { event_id: event.id, no_of_tickets: 1 })),
    );
    expect(made.map((r) => r.statusCode)).toEqual(Array(100).fill(201));
    expect(made[0]!.json()).toEqual({
      id: expect.any(String),
      event_id: event.id,
      no_of_tickets: 1,
      cancelled: false,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(made[0]!.headers.location).toBe(`/reservations/${made[0]!.json().id}`);
    expect((await as(alice, 'GET', `/events/${event.id}`)).json().availability).toBe(0);

    const extra = await as(bob, 'POST', '/reservations', { event_id: event.id, no_of_tickets: 1 });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().errors).toMatchObject({
      code: 'TICKETS_NOT_AVAILABLE',
      message: 'Requested number of tickets are not available.',
    });

    const cancelled = await as(alice, 'DELETE', `/reservations/${made[0]!.json().id}`);
    expect(cancelled.statusCode).toBe(204);
    expect(cancelled.body).toBe('');
    expect((await as(alice, 'GET', `/events/${event.id}`)).json().availability).toBe(1);
    expect((await as(alice, 'GET', `/reservations/${made[0]!.json().id}`)).json().cancelled).toBe(true);
    expect((await as(alice, 'DELETE', `/reservations/${made[0]!.json().id}`)).statusCode).toBe(204); // harmless twice
    expect((await as(alice, 'GET', `/events/${event.id}`)).json().availability).toBe(1);
  });

  it('when a reservation is patched up beyond stock, then 400; down, then the tickets return; other fields are 422', async () => {
    const event = await createEvent(200);
    const reservation = (await as(alice, 'POST', '/reservations', { event_id: event.id, no_of_tickets: 2 })).json();
    const up = await as(alice, 'PATCH', `/reservations/${reservation.id}`, { no_of_tickets: 198 });
    expect(up.statusCode).toBe(200);
    expect(up.json()).toMatchObject({ id: reservation.id, no_of_tickets: 198, cancelled: false });
    expect((await as(alice, 'GET', `/events/${event.id}`)).json().availability).toBe(2);

    const beyond = await as(alice, 'PATCH', `/reservations/${reservation.id}`, { no_of_tickets: 202 });
    expect(beyond.statusCode).toBe(400);
    expect(beyond.json().errors.message).toBe('Requested number of tickets are not available.');

    const down = await as(alice, 'PATCH', `/reservations/${reservation.id}`, { no_of_tickets: 50 });
    expect(down.json().no_of_tickets).toBe(50);
    expect((await as(alice, 'GET', `/events/${event.id}`)).json().availability).toBe(150);

    const unknown = await as(alice, 'PATCH', `/reservations/${reservation.id}`, { cancelled: false });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().errors.detail).toContainEqual({
      location: 'body',
      param: 'cancelled',
      value: false,
      error: 'UnknownField',
      msg: 'Unknown field.',
    });
  });

  it('when an event is patched, then name/description/date change; availability is 422 "Unknown field."', async () => {
    const event = await createEvent(10);
    const renamed = await as(admin, 'PATCH', `/events/${event.id}`, { name: 'Rocket to Mars!' });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json()).toMatchObject({ name: 'Rocket to Mars!', availability: 10 });
    const stock = await as(admin, 'PATCH', `/events/${event.id}`, { availability: 10 });
    expect(stock.statusCode).toBe(422);
    expect(stock.json().errors.detail[0]).toMatchObject({
      param: 'availability',
      error: 'UnknownField',
      msg: 'Unknown field.',
    });
  });

  it("when ids are unknown, then 404 with the brief's messages; malformed ids are 422", async () => {
    const id = '7eb194b4-1574-4ec4-9627-38d20748bd30';
    for (const response of [
      await as(alice, 'GET', `/events/${id}`),
      await as(admin, 'PATCH', `/events/${id}`, { name: 'x' }),
      await as(admin, 'DELETE', `/events/${id}`),
      await as(alice, 'POST', '/reservations', { event_id: id, no_of_tickets: 1 }),
    ]) {
      expect(response.statusCode).toBe(404);
      expect(response.json().errors.message).toBe(`Event with event id: ${id} doesn't exist.`);
    }
    for (const response of [
      await as(alice, 'GET', `/reservations/${id}`),
      await as(alice, 'PATCH', `/reservations/${id}`, { no_of_tickets: 1 }),
      await as(alice, 'DELETE', `/reservations/${id}`),
    ]) {
      expect(response.statusCode).toBe(404);
      expect(response.json().errors.message).toBe(`Reservation with reservation id: ${id} doesn't exist.`);
    }
    expect((await as(alice, 'GET', '/events/not-a-uuid')).statusCode).toBe(422);
  });

  it("when someone asks for another user's reservation, then 404 as if it did not exist; lists show only one's own", async () => {
    const event = await createEvent(10);
    const mine = (await as(alice, 'POST', '/reservations', { event_id: event.id, no_of_tickets: 1 })).json();
    for (const response of [
      await as(bob, 'GET', `/reservations/${mine.id}`),
      await as(bob, 'PATCH', `/reservations/${mine.id}`, { no_of_tickets: 3 }),
      await as(bob, 'DELETE', `/reservations/${mine.id}`),
    ]) {
      expect(response.statusCode).toBe(404);
    }
    expect((await as(bob, 'GET', '/reservations')).json().map((r: { id: string }) => r.id)).not.toContain(mine.id);
    expect((await as(alice, 'GET', `/reservations/${mine.id}`)).statusCode).toBe(200);
  });

  it('when an event is deleted, then 204, it is gone, and its reservations are cancelled', async () => {
    const event = await createEvent(10);
    const reservation = (await as(alice, 'POST', '/reservations', { event_id: event.id, no_of_tickets: 4 })).json();
    expect((await as(admin, 'DELETE', `/events/${event.id}`)).statusCode).toBe(204);
    expect((await as(alice, 'GET', `/events/${event.id}`)).statusCode).toBe(404);
    expect((await as(alice, 'GET', '/events')).json().map((e: { id: string }) => e.id)).not.toContain(event.id);
    expect((await as(alice, 'GET', `/reservations/${reservation.id}`)).json().cancelled).toBe(true);
  });

  it('when no_of_tickets is zero, a string, or above the cap, then 422 naming the field', async () => {
    const event = await createEvent(10);
    for (const noOfTickets of [0, '1', 1_000_001]) {
      const response = await as(alice, 'POST', '/reservations', { event_id: event.id, no_of_tickets: noOfTickets });
      expect(response.statusCode).toBe(422);
      expect(response.json().errors.detail[0].param).toBe('no_of_tickets');
    }
  });

  it('when a reservation is retried with the same Idempotency-Key, then the first answer is replayed and stock moves once', async () => {
    const event = await createEvent(10);
    const key = { 'idempotency-key': `k-${Date.now()}` };
    const [first, second, third] = await Promise.all(
      [1, 2, 3].map(() => as(alice, 'POST', '/reservations', { event_id: event.id, no_of_tickets: 2 }, key)),
    );
    expect([first, second, third].map((r) => r!.statusCode)).toEqual([201, 201, 201]);
    expect(new Set([first, second, third].map((r) => r!.json().id)).size).toBe(1);
    expect(second!.headers.location).toBe(first!.headers.location);
    expect((await as(alice, 'GET', `/events/${event.id}`)).json().availability).toBe(8);
    const otherBody = await as(alice, 'POST', '/reservations', { event_id: event.id, no_of_tickets: 3 }, key);
    expect(otherBody.statusCode).toBe(422);
    expect(otherBody.json().errors.detail[0].param).toBe('idempotency-key');
  });
});
