import { decodeJwt } from 'jose';
import { suiteKit, waitFor } from '@boxoffice/testing';
import { QueueKit } from '../support/queue-kit';

describe('rooms: operators create, change, open, suspend and close them', () => {
  const kit = suiteKit(new QueueKit({ QUEUE_ACTIVE_TTL_SECONDS: '600', QUEUE_ABANDON_TTL_SECONDS: '120' }));

  it('when an admin creates a room, then 201 with its settings (defaults filled in) and Location, and GET shows it with its figures', async () => {
    const created = await kit.adminCall('POST', '/admin/rooms', {
      name: 'Tour 2047, first sale',
      concertId: 41,
      maxActive: 50,
      admissionRatePerMinute: 300,
      saleStartsAt: '2047-10-21T09:00:00+00:00',
      queueingMethod: 'random',
      maxWaiting: 10_000,
    });
    expect(created.statusCode).toBe(201);
    const room = created.json();
    expect(created.headers.location).toBe(`/admin/rooms/${room.id}`);
    expect(room).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Tour 2047, first sale',
      concertId: 41,
      state: 'CREATED',
      status: 'CREATED',
      maxActive: 50,
      admissionRatePerMinute: 300,
      sessionSeconds: 600,
      queueingMethod: 'random',
      saleStartsAt: '2047-10-21T09:00:00.000+00:00',
      maxWaiting: 10_000,
      abandonSeconds: 120,
      revision: 1,
      createdAt: expect.stringMatching(/\+00:00$/),
      updatedAt: expect.stringMatching(/\+00:00$/),
      openedAt: null,
      waiting: 0,
      active: 0,
      admittedTotal: 0,
      admittedPerMinute: null,
      abandonedTotal: 0,
      drainSeconds: 0,
    });
    expect((await kit.adminCall('GET', `/admin/rooms/${room.id}`)).json()).toEqual(room);

    // open before the sale start: a pre-queue; anyone can find the room of concert 41
    const opened = (await kit.adminCall('POST', `/admin/rooms/${room.id}/open`)).json();
    expect(opened).toMatchObject({ state: 'OPEN', status: 'PRE_QUEUE', revision: 2 });
    const listed = (await kit.app.inject({ method: 'GET', url: '/rooms' })).json();
    expect(listed).toContainEqual({
      id: room.id,
      name: 'Tour 2047, first sale',
      concertId: 41,
      status: 'PRE_QUEUE',
      saleStartsAt: '2047-10-21T09:00:00.000+00:00',
      waiting: 0,
      estimatedWaitSeconds: 0,
    });
    expect(listed).toContainEqual(expect.objectContaining({ id: 'default', concertId: null, status: 'OPEN' }));
  });

  it('when a concert already has a room, then a second one is refused with 409 until the first is closed', async () => {
    const first = await kit.room({ concertId: 42 });
    const again = await kit.adminCall('POST', '/admin/rooms', { name: 'again', concertId: 42, maxActive: 5 });
    expect(again.statusCode).toBe(409);
    expect(again.json().errors).toMatchObject({ code: 'ROOM_EXISTS', detail: [{ roomId: first.id }] });

    const closed = (await kit.adminCall('POST', `/admin/rooms/${first.id}/close`)).json();
    expect(closed).toMatchObject({ state: 'CLOSED', status: 'CLOSED' });
    const next = await kit.adminCall('POST', '/admin/rooms', { name: 'second sale', concertId: 42, maxActive: 5 });
    expect(next.statusCode).toBe(201);
    expect((await kit.app.inject({ method: 'GET', url: '/rooms' })).json()).not.toContainEqual(
      expect.objectContaining({ id: first.id }),
    );
  });

  it('when a room changes state, then only the lifecycle CREATED → OPEN ⇄ SUSPENDED → CLOSED is allowed', async () => {
    const room = await kit.room({ state: 'CREATED' });
    const call = async (action: string) => kit.adminCall('POST', `/admin/rooms/${room.id}/${action}`);
    expect((await call('suspend')).statusCode).toBe(409); // nothing to pause yet
    expect((await call('open')).json()).toMatchObject({ state: 'OPEN', status: 'OPEN' });
    expect((await call('open')).statusCode).toBe(200); // already open: unchanged
    expect((await call('suspend')).json()).toMatchObject({ state: 'SUSPENDED', status: 'SUSPENDED' });
    expect((await call('open')).json()).toMatchObject({ state: 'OPEN' });
    expect((await call('close')).json()).toMatchObject({ state: 'CLOSED' });
    const reopen = await call('open');
    expect(reopen.statusCode).toBe(409);
    expect(reopen.json().errors.code).toBe('ROOM_STATE_CONFLICT');
    expect((await kit.adminCall('PATCH', `/admin/rooms/${room.id}`, { maxActive: 3 })).statusCode).toBe(409);
  });

  it('when settings change, then they apply, except the method once open and the sale start once the sale opened', async () => {
    const room = await kit.room({ state: 'CREATED', queueingMethod: 'fifo', saleStartsAt: '2047-01-01T00:00:00Z' });
    const patch = (body: object) => kit.adminCall('PATCH', `/admin/rooms/${room.id}`, body);
    expect((await patch({ queueingMethod: 'random', maxActive: 7 })).json()).toMatchObject({
      queueingMethod: 'random',
      maxActive: 7,
      revision: 2,
    });
    expect((await patch({ vip: true })).statusCode).toBe(422);
    expect((await patch({})).statusCode).toBe(422);
    await kit.adminCall('POST', `/admin/rooms/${room.id}/open`);
    const method = await patch({ queueingMethod: 'fifo' });
    expect(method.statusCode).toBe(409);
    expect(method.json().errors).toMatchObject({ code: 'ROOM_SETTING_LOCKED', detail: [{ param: 'queueingMethod' }] });
    // the sale may be moved until it opens: moved to now, it opens on the next admission round
    expect((await patch({ saleStartsAt: new Date().toISOString() })).statusCode).toBe(200);
    await waitFor('the sale opened', async () => (await kit.roomNow(room.id)).openedAt !== null);
    const moved = await patch({ saleStartsAt: '2048-01-01T00:00:00Z' });
    expect(moved.statusCode).toBe(409);
    expect(moved.json().errors.detail).toEqual([expect.objectContaining({ param: 'saleStartsAt' })]);
    expect((await patch({ admissionRatePerMinute: null, maxWaiting: null })).json()).toMatchObject({
      admissionRatePerMinute: null,
      maxWaiting: null,
    });
  });

  it('when the default room is asked to change, then its settings are the configuration: 409; suspending it is allowed', async () => {
    const view = (await kit.adminCall('GET', '/admin/rooms/default')).json();
    expect(view).toMatchObject({ id: 'default', concertId: null, sessionSeconds: 600, abandonSeconds: 120 });
    expect((await kit.adminCall('PATCH', '/admin/rooms/default', { maxActive: 1 })).statusCode).toBe(409);
    expect((await kit.adminCall('POST', '/admin/rooms/default/close')).statusCode).toBe(409);
    expect((await kit.adminCall('POST', '/admin/rooms/default/suspend')).json()).toMatchObject({ state: 'SUSPENDED' });
    expect((await kit.adminCall('POST', '/admin/rooms/default/open')).json()).toMatchObject({ state: 'OPEN' });
  });

  it('when the caller is not an admin, has no USER-TOKEN, or names an unknown room or bad settings, then 403, 401, 404, 422', async () => {
    const [user] = await kit.users(1);
    const asUser = await kit.app.inject({
      method: 'GET',
      url: '/admin/rooms/default',
      headers: { 'user-token': user!.accessToken },
    });
    expect(asUser.statusCode).toBe(403);
    const anonymous = await kit.app.inject({
      method: 'POST',
      url: '/admin/rooms',
      payload: { name: 'x', concertId: 7, maxActive: 1 },
    });
    expect(anonymous.statusCode).toBe(401);
    expect((await kit.adminCall('GET', '/admin/rooms/9b2e1c7a-0000-4000-8000-000000000000')).statusCode).toBe(404);
    expect((await kit.app.inject({ method: 'GET', url: '/rooms/not-a-room' })).statusCode).toBe(422);
    const bad = await kit.adminCall('POST', '/admin/rooms', {
      name: '',
      concertId: 0,
      maxActive: 0,
      queueingMethod: 'lottery',
      vip: true,
    });
    expect(bad.statusCode).toBe(422);
    expect(
      bad
        .json()
        .errors.detail.map((d: { param: string }) => d.param)
        .sort(),
    ).toEqual(['concertId', 'maxActive', 'name', 'queueingMethod', 'vip'].sort());
  });

  it('when a room changes, then each state is recorded in PostgreSQL and published as queue.room.changed', async () => {
    const room = await kit.room({ concertId: 43, state: 'CREATED' });
    await kit.adminCall('POST', `/admin/rooms/${room.id}/open`);
    await kit.recorded();
    const { rows } = await kit.app.pg.query('SELECT concert_id, state, revision FROM rooms WHERE id = $1', [room.id]);
    expect(rows).toEqual([{ concert_id: 43, state: 'OPEN', revision: 2 }]);
    const outbox = await kit.app.pg.query(
      'SELECT topic, type, payload FROM outbox WHERE aggregate_id = $1 ORDER BY seq',
      [room.id],
    );
    expect(
      outbox.rows.map((row) => [row.topic, row.type, row.payload.aggregateVersion, row.payload.payload.state]),
    ).toEqual([
      ['queue.rooms', 'queue.room.changed', 1, 'CREATED'],
      ['queue.rooms', 'queue.room.changed', 2, 'OPEN'],
    ]);
    expect(outbox.rows[1].payload.payload).toMatchObject({ roomId: room.id, concertId: 43, maxActive: 10 });
  });

  it("when users join by concert, then they are in that concert's room (named in the JWT), and a concert without one is in the default room", async () => {
    const room = await kit.room({ concertId: 44 });
    const [ann, ben] = await kit.users(2);
    const inRoom = await kit.joined(ann!, { concertId: 44 });
    expect(inRoom.roomId).toBe(room.id);
    expect(decodeJwt(inRoom.token)).toMatchObject({ room: room.id, concert: 44, sub: String(ann!.id) });
    const byId = await kit.joined(ann!, { roomId: room.id });
    expect(byId.uuid).toBe(inRoom.uuid); // the same place in the same room
    const elsewhere = await kit.joined(ben!, { concertId: 999_999 });
    expect(elsewhere.roomId).toBe('default');
    expect(decodeJwt(elsewhere.token).concert).toBeUndefined();
    const mismatch = await kit.join(ben!, ben!.id, { roomId: room.id, concertId: 45 });
    expect(mismatch.statusCode).toBe(422);
    expect((await kit.join(ben!, ben!.id, { roomId: '9b2e1c7a-0000-4000-8000-000000000000' })).statusCode).toBe(404);
  });

  it('when a room is not open yet or closed, then joining it is refused with 409', async () => {
    const room = await kit.room({ state: 'CREATED' });
    const [cat] = await kit.users(1);
    const early = await kit.join(cat!, cat!.id, { roomId: room.id });
    expect(early.statusCode).toBe(409);
    expect(early.json().errors.code).toBe('ROOM_NOT_OPEN');
    await kit.adminCall('POST', `/admin/rooms/${room.id}/close`);
    const late = await kit.join(cat!, cat!.id, { roomId: room.id });
    expect(late.statusCode).toBe(409);
    expect(late.json().errors.code).toBe('ROOM_CLOSED');
  });

  it('when a room holds its most waiting users, then the next joiner gets 429 QUEUE_FULL with Retry-After, while those in line keep their token', async () => {
    const room = await kit.room({ maxActive: 1, maxWaiting: 2, sessionSeconds: 600 });
    const [first, second, third, fourth] = await kit.users(4);
    const admitted = await kit.joined(first!, { roomId: room.id });
    await kit.untilActive(admitted.token);
    const waiting = [await kit.joined(second!, { roomId: room.id }), await kit.joined(third!, { roomId: room.id })];
    const full = await kit.join(fourth!, fourth!.id, { roomId: room.id });
    expect(full.statusCode).toBe(429);
    expect(full.json().errors.code).toBe('QUEUE_FULL');
    expect(Number(full.headers['retry-after'])).toBeGreaterThanOrEqual(5);
    // a user already in line asking again is not turned away
    expect((await kit.joined(second!, { roomId: room.id })).uuid).toBe(waiting[0]!.uuid);
    // the default room is not full
    expect((await kit.join(fourth!)).statusCode).toBe(201);
  });

  it('when /metrics is read, then every room has its waiting and ACTIVE users, and admissions are counted per room', async () => {
    const room = await kit.room({ maxActive: 1 });
    const [dan, eve] = await kit.users(2);
    const dans = await kit.joined(dan!, { roomId: room.id });
    await kit.joined(eve!, { roomId: room.id });
    await kit.untilActive(dans.token);
    const metrics = (await kit.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toContain(`queue_waiting_users{room="${room.id}",service="queue"} 1`);
    expect(metrics).toContain(`queue_active_users{room="${room.id}",service="queue"} 1`);
    expect(metrics).toContain(`queue_admitted_total{room="${room.id}",service="queue"} 1`);
    expect(metrics).toMatch(/queue_waiting_users\{room="default",service="queue"\} \d+/);
  });
});
