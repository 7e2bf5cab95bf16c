import type { App } from '@boxoffice/http';
import { QUEUE_GUARD_MIGRATIONS, queueGuardPlugin } from '@boxoffice/queue-guard';
import { ResilientClient } from '@boxoffice/resilience';
import { createPluginHost, dropDatabase, testEnv, waitFor } from '@boxoffice/testing';
import { ConcertRooms } from '../src/room-check';
import { QueueKit, type TestUser } from '../../../services/queue/test/support/queue-kit';

async function buildGuarded(env: Record<string, string>, queueServiceUrl: string): Promise<App> {
  const app = await createPluginHost('guarded', env, [QUEUE_GUARD_MIGRATIONS]);
  await app.register(queueGuardPlugin, { queueServiceUrl, consumerGroup: 'guarded', roomCacheMs: 0 });
  app.get(
    '/concerts/:concert_id',
    {
      preHandler: app.requireActiveQueueTokenFor((request) =>
        Number((request.params as { concert_id: string }).concert_id),
      ),
    },
    async (request) => request.queueToken,
  );
  app.get('/concerts', { preHandler: app.requireActiveQueueToken }, async (request) => request.queueToken);
  await app.ready();
  return app;
}

describe('queue-guard: a token admits only to the concerts of its own waiting room', () => {
  const kit = new QueueKit();
  let guarded: App;
  let guardedEnv: Record<string, string>;
  let queueUrl: string;
  let room: { id: string; concertId: number | null };
  let inRoom: { token: string; user: TestUser };
  let inDefault: { token: string; user: TestUser };

  const concert = (concertId: number, token: string) =>
    guarded.inject({ method: 'GET', url: `/concerts/${concertId}`, headers: { authorization: `Bearer ${token}` } });
  const replicaRoom = async (roomId: string) =>
    (await guarded.pg.query('SELECT concert_id, state FROM queue_rooms_replica WHERE room_id = $1', [roomId])).rows[0];

  beforeAll(async () => {
    await kit.start();
    await kit.app.listen({ host: '127.0.0.1', port: 0 });
    queueUrl = `http://127.0.0.1:${(kit.app.server.address() as { port: number }).port}`;
    guardedEnv = testEnv('guarded', { KAFKA_TOPIC_PREFIX: kit.env.KAFKA_TOPIC_PREFIX! });
    guarded = await buildGuarded(guardedEnv, queueUrl);
    room = await kit.room({ concertId: 11 });
    const [ann, ben] = await kit.users(2);
    const annToken = await kit.joined(ann!, { concertId: 11 });
    const benToken = await kit.joined(ben!);
    for (const { token } of [annToken, benToken])
      await waitFor('admitted', async () => (await kit.status(token)).status === 'ACTIVE');
    inRoom = { token: annToken.token, user: ann! };
    inDefault = { token: benToken.token, user: ben! };
    await waitFor('the room in the guard replica', async () => (await replicaRoom(room.id)) !== undefined);
  });
  afterAll(async () => {
    await guarded.close();
    await kit.close();
    await dropDatabase(guardedEnv.DATABASE_URL!);
  });

  it("when a concert room's token asks for its concert, then it is let in and the holder names the room", async () => {
    const response = await concert(11, inRoom.token);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ userId: inRoom.user.id, status: 'ACTIVE', roomId: room.id, concertId: 11 });
    // routes of no one concert (the concert list) take any room's ACTIVE token
    expect(
      (await guarded.inject({ method: 'GET', url: '/concerts', headers: { authorization: `Bearer ${inRoom.token}` } }))
        .statusCode,
    ).toBe(200);
  });

  it("when a concert room's token asks for another concert, then 403 WrongRoom", async () => {
    const response = await concert(12, inRoom.token);
    expect(response.statusCode).toBe(403);
    expect(response.json().errors.detail).toEqual([
      expect.objectContaining({ error: 'WrongRoom', tokenRoomId: room.id, concertId: 12 }),
    ]);
  });

  it('when a default-room token asks for a concert with a room of its own, then 403 naming that room; for one without, it is let in', async () => {
    const refused = await concert(11, inDefault.token);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().errors.detail).toEqual([
      expect.objectContaining({ error: 'WrongRoom', tokenRoomId: 'default', roomId: room.id }),
    ]);
    const other = await concert(13, inDefault.token);
    expect(other.statusCode).toBe(200);
    expect(other.json()).toMatchObject({ roomId: 'default', concertId: null });
  });

  it('when the replica has not caught up yet (a cold start), then the queue service tells which room guards a concert', async () => {
    const queueService = new ResilientClient({
      peer: 'queue-rooms-test',
      baseUrl: queueUrl,
      redis: guarded.redis,
      timeoutMs: 2_000,
    });
    const cold = new ConcertRooms({ db: guarded.pg, queueService, replicaComplete: () => false, cacheMs: 0 });
    const second = await kit.room({ concertId: 14 }); // not waited for in the replica
    expect(await cold.roomOf(14)).toBe(second.id);
    expect(await cold.roomOf(11)).toBe(room.id);
    expect(await cold.roomOf(15)).toBe('default');
    queueService.shutdown();
  });

  it("when a concert's room closes, then the concert is the default room's again, while the closed room's ACTIVE token keeps its concert", async () => {
    const closing = await kit.room({ concertId: 16 });
    const [cid] = await kit.users(1);
    const cids = await kit.joined(cid!, { concertId: 16 });
    await waitFor('cid admitted', async () => (await kit.status(cids.token)).status === 'ACTIVE');
    await waitFor('the room in the replica', async () => (await replicaRoom(closing.id)) !== undefined);
    expect((await concert(16, inDefault.token)).statusCode).toBe(403);
    await kit.adminCall('POST', `/admin/rooms/${closing.id}/close`);
    await waitFor('closed in the replica', async () => (await replicaRoom(closing.id))?.state === 'CLOSED');
    expect((await concert(16, inDefault.token)).statusCode).toBe(200);
    expect((await concert(16, cids.token)).statusCode).toBe(200);
  });
});
