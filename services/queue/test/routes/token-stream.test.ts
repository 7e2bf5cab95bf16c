import { waitFor } from '@boxoffice/testing';
import { QueueKit } from '../support/queue-kit';
import { SseClient } from '../support/sse-client';

describe('GET /tokens/stream: live standings as server-sent events', () => {
  const kit = new QueueKit({
    QUEUE_ADMITTER_INTERVAL_MS: '50',
    QUEUE_STREAM_REFRESH_MS: '200',
    QUEUE_STREAM_HEARTBEAT_MS: '1000',
  });
  let base: string;
  const streams: SseClient[] = [];
  const open = async (path: string, headers: Record<string, string> = {}) => {
    const stream = await SseClient.open(`${base}${path}`, headers);
    streams.push(stream);
    return stream;
  };
  /** A room of one place, its holder ACTIVE, and `waiters` more users joined behind in this order. */
  const lineBehindHolder = async (settings: Record<string, unknown>, waiters: number) => {
    const room = await kit.room({ maxActive: 1, abandonSeconds: 3_600, ...settings });
    const [first, ...rest] = await kit.users(waiters + 1);
    const holder = await kit.joined(first!, { roomId: room.id });
    await kit.untilActive(holder.token);
    const waiting = [];
    for (const user of rest) waiting.push(await kit.joined(user, { roomId: room.id }));
    return { room, holder, waiting };
  };
  beforeAll(async () => {
    await kit.start();
    base = await kit.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    streams.forEach((stream) => stream.close());
    await kit.close();
  });

  it('when a waiting user opens the stream, then it starts with their standing, pushes each change (places, ACTIVE, EXPIRED) without a poll, sends heartbeats, and ends after EXPIRED', async () => {
    const { room, waiting } = await lineBehindHolder({ sessionSeconds: 2 }, 2);
    const [second, third] = [waiting[0]!, waiting[1]!];

    const stream = await open('/tokens/stream', { authorization: `Bearer ${third.token}` });
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(stream.headers['cache-control']).toBe('no-cache, no-transform');
    const opening = await stream.next(() => true);
    expect(opening).toMatchObject({
      uuid: third.uuid,
      status: 'WAITING',
      waitingNo: 1,
      roomId: room.id,
      roomStatus: 'OPEN',
    });
    expect(stream.retryMs).toBe(3_000);

    // the holder's time runs out, second is admitted: third moves up to the head; second's time runs out: third is ACTIVE
    expect(await stream.next((event) => event.waitingNo === 0 && event.status === 'WAITING')).toBeDefined();
    const active = await stream.next((event) => event.status === 'ACTIVE');
    expect(active).toMatchObject({ uuid: third.uuid, waitingNo: 0, estimatedWaitSeconds: 0, waitEstimate: 'NO_WAIT' });
    expect(Date.parse(active.expiresAt)).toBe(Number((await kit.tokenFields(third.uuid)).activeExpiresAt));
    expect((await kit.status(second.token)).status).not.toBe('WAITING');
    // only changes are sent: no two events in a row say the same
    const keys = stream.events.map((event) => `${event.status}|${event.waitingNo}|${event.estimatedWaitSeconds}`);
    expect(keys.every((key, i) => i === 0 || key !== keys[i - 1])).toBe(true);

    expect(await stream.next((event) => event.status === 'EXPIRED')).toBeDefined();
    await stream.until(() => stream.ended);
    expect(stream.comments).toBeGreaterThan(0); // heartbeats while nothing changed (1 s here)
  }, 60_000);

  it('when the token comes as ?token= (EventSource cannot set headers), then the stream works the same; a bad token gets 401, an ended one 204', async () => {
    const { room, waiting: line } = await lineBehindHolder({ sessionSeconds: 600 }, 1);
    const waiting = line[0]!;
    const viaQuery = await open(`/tokens/stream?token=${encodeURIComponent(waiting.token)}`);
    expect(viaQuery.status).toBe(200);
    expect(await viaQuery.next(() => true)).toMatchObject({ uuid: waiting.uuid, status: 'WAITING', waitingNo: 0 });

    const forged = await open('/tokens/stream?token=not.a.jwt');
    expect(forged.status).toBe(401);
    await forged.until(() => forged.ended);
    expect(JSON.parse(forged.body).errors.code).toBe('UNAUTHORIZED');
    expect((await open('/tokens/stream')).status).toBe(401);

    await kit.adminCall('POST', `/admin/rooms/${room.id}/close`);
    await viaQuery.next((event) => event.status === 'EXPIRED' && event.roomStatus === 'CLOSED');
    await viaQuery.until(() => viaQuery.ended);
    const after = await open('/tokens/stream', { 'queue-token': waiting.token });
    expect(after.status).toBe(204);
  });

  it('when a waiter only keeps a stream open and another goes silent, then the silent one is evicted, the streaming one keeps their place and is admitted next', async () => {
    const { room, waiting } = await lineBehindHolder({ sessionSeconds: 4, abandonSeconds: 1 }, 2);
    const [silent, present] = [waiting[0]!, waiting[1]!];
    const stream = await open('/tokens/stream', { authorization: `Bearer ${present.token}` });
    expect(await stream.next(() => true)).toMatchObject({ waitingNo: 1 });

    // silent never polls again: after a second they are out of the line and present is first; present never polls, the stream is enough
    await stream.next((event) => event.status === 'WAITING' && event.waitingNo === 0);
    expect(await kit.tokenFields(silent.uuid)).toMatchObject({ status: 'EXPIRED', reason: 'abandoned' });
    const active = await stream.next((event) => event.status === 'ACTIVE', 30_000);
    expect(active.uuid).toBe(present.uuid);
    expect((await kit.roomNow(room.id)).abandonedTotal).toBe(1);
  }, 60_000);

  it("when any instance's admission round admits a streaming user, then the line's channel brings it to the stream's feed (no refresh needed)", async () => {
    const room = await kit.room({ maxActive: 5, abandonSeconds: 3_600, state: 'CREATED' });
    await kit.adminCall('POST', `/admin/rooms/${room.id}/open`);
    await kit.adminCall('POST', `/admin/rooms/${room.id}/suspend`);
    const [ivy] = await kit.users(1);
    const issued = await kit.joined(ivy!, { roomId: room.id });
    const stream = await open('/tokens/stream', { authorization: `Bearer ${issued.token}` });
    await stream.next(() => true);
    const admitted = jest.spyOn(kit.app.queue.feed, 'admitted');
    await kit.adminCall('POST', `/admin/rooms/${room.id}/open`);
    await waitFor('the admission heard on the channel', async () =>
      admitted.mock.calls.some(([roomId, ids]) => roomId === room.id && ids.includes(issued.uuid)),
    );
    const [, , ends] = admitted.mock.calls.find(([roomId]) => roomId === room.id)!;
    expect(ends[0]).toBe(Number((await kit.tokenFields(issued.uuid)).activeExpiresAt));
    admitted.mockRestore();
    expect(await stream.next((event) => event.status === 'ACTIVE')).toMatchObject({ uuid: issued.uuid });
  });

  it('when many streams are open in one room, then they are refreshed by one script call per tick, not one per stream', async () => {
    const { waiting } = await lineBehindHolder({ sessionSeconds: 600 }, 20);
    const many = await Promise.all(
      waiting.map((token) => open('/tokens/stream', { authorization: `Bearer ${token.token}` })),
    );
    await Promise.all(many.map((stream) => stream.next(() => true)));
    expect(kit.app.queue.feed.streams).toBeGreaterThanOrEqual(20);

    const line = kit.app.queue.line;
    const standings = jest.spyOn(line, 'standings');
    const poll = jest.spyOn(line, 'poll');
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // several ticks
    const forThisRoom = standings.mock.calls.filter(([ids]) => ids.includes(waiting[0]!.uuid));
    expect(forThisRoom.length).toBeGreaterThan(0);
    for (const [ids] of forThisRoom) expect(ids).toEqual(expect.arrayContaining(waiting.map((token) => token.uuid)));
    expect(poll).not.toHaveBeenCalled();
    standings.mockRestore();
    poll.mockRestore();
    many.forEach((stream) => stream.close());
    await waitFor('streams gone', async () => kit.app.queue.feed.streams < 20);
  });
});
