import { TicketPurchaseFinished } from '@boxoffice/contracts';
import type { App } from '@boxoffice/http';
import { PeerPublisher, dropDatabase, testEnv, waitFor } from '@boxoffice/testing';
import { buildApp } from '../../src/app';
import { readConfig } from '../../src/config';

/** A concert with no room of its own: the default room guards it. */
export const CONCERT_IN_DEFAULT_ROOM = 424_242;

export interface TestUser {
  id: number;
  accessToken: string;
}

/** The operator's view of a room (GET /admin/rooms/{id}). */
export interface RoomBody {
  id: string;
  concertId: number | null;
  state: string;
  status: string;
  maxActive: number;
  admissionRatePerMinute: number | null;
  waiting: number;
  active: number;
  admittedTotal: number;
  admittedPerMinute: number | null;
  abandonedTotal: number;
  drainSeconds: number | null;
  openedAt: string | null;
  [setting: string]: unknown;
}

// concert ids unique across the test files of one run (each file has its own Redis prefix anyway)
let nextConcertId = 1_000 + Math.floor(Math.random() * 1_000_000);

/**
 * A queue service under test (its own database, topics and Redis keys), plus a producer that publishes to its
 * topics what the user and ticket services would: real events through the real broker, no mocks.
 */
export class QueueKit {
  readonly env: Record<string, string>;
  app!: App;
  private readonly peers: PeerPublisher;

  constructor(overrides: Record<string, string> = {}) {
    this.env = testEnv('queue', {
      USER_SERVICE_URL: 'http://127.0.0.1:9',
      QUEUE_ADMITTER_INTERVAL_MS: '50',
      ...overrides,
    });
    this.peers = new PeerPublisher({
      brokers: this.env.KAFKA_BROKERS!,
      topicPrefix: this.env.KAFKA_TOPIC_PREFIX!,
      clientId: 'queue-test',
      firstUserId: 1,
    });
  }

  async start(): Promise<this> {
    this.app = await buildApp(readConfig(this.env));
    await this.app.ready();
    return this;
  }

  async close(): Promise<void> {
    await this.app?.close();
    await this.peers.stop();
    await dropDatabase(this.env.DATABASE_URL!);
  }

  /**
   * Users as the user service announces them (user.changed), waited for until the in-process queue's replica has
   * them all (unless told not to: a queue run as a process waits on its own).
   */
  async users(count: number, options: { waitForReplica?: boolean; role?: 'user' | 'admin' } = {}): Promise<TestUser[]> {
    const users = await this.peers.announceUsers(count, {
      role: options.role,
      replicas: options.waitForReplica === false ? [] : [this.app.pg],
    });
    return users.map((user) => ({ id: user.id, accessToken: user.token }));
  }

  /** An operator (role admin), made once per kit. */
  async admin(): Promise<TestUser> {
    this.operator ??= (await this.users(1, { role: 'admin' }))[0]!;
    return this.operator;
  }
  private operator: TestUser | undefined;

  /** An admin call to the room routes. */
  async adminCall(method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) {
    const admin = await this.admin();
    return this.app.inject({ method, url, headers: { 'user-token': admin.accessToken }, payload });
  }

  /** A room for a concert of its own (a fresh concert id each time unless given), created as an operator would. */
  async room(settings: Record<string, unknown> = {}): Promise<RoomBody> {
    const response = await this.adminCall('POST', '/admin/rooms', {
      name: 'a sale',
      concertId: nextConcertId++,
      maxActive: 10,
      state: 'OPEN',
      ...settings,
    });
    if (response.statusCode !== 201) throw new Error(`room not created: ${response.statusCode} ${response.body}`);
    return response.json();
  }

  async roomNow(roomId: string): Promise<RoomBody> {
    return (await this.adminCall('GET', `/admin/rooms/${roomId}`)).json();
  }

  /** The Redis hash of a token (its state as the line holds it). */
  async tokenFields(tokenId: string): Promise<Record<string, string>> {
    return this.app.redis.hgetall(`${this.app.queue.line.prefix}token:${tokenId}`);
  }

  /** ticket.purchase-finished as the ticket service publishes it: the buyer's last hold on the concert ended. */
  async purchaseFinished(userId: number, concertId = CONCERT_IN_DEFAULT_ROOM, lastSoldAt = new Date()): Promise<void> {
    await this.peers.publish(TicketPurchaseFinished, [
      {
        aggregateId: `${userId}:${concertId}`,
        aggregateVersion: lastSoldAt.getTime(),
        payload: { userId, concertId, lastSoldAt: lastSoldAt.toISOString() },
      },
    ]);
  }

  join(user: TestUser, userId = user.id, where: { roomId?: string; concertId?: number } = {}) {
    return this.app.inject({
      method: 'POST',
      url: '/tokens',
      headers: { 'user-token': user.accessToken },
      payload: { userId, ...where },
    });
  }

  async joined(
    user: TestUser,
    where: { roomId?: string; concertId?: number } = {},
  ): Promise<{ token: string; uuid: string; waitingNo: number; status: string; expiresAt: string; roomId: string }> {
    const response = await this.join(user, user.id, where);
    if (response.statusCode !== 201) throw new Error(`join failed: ${response.statusCode} ${response.body}`);
    return response.json();
  }

  poll(jwt: string) {
    return this.app.inject({ method: 'GET', url: '/tokens', headers: { authorization: `Bearer ${jwt}` } });
  }

  /** Waits until the token's holder is let in (GET /tokens says ACTIVE). */
  async untilActive(jwt: string): Promise<void> {
    await waitFor('the token ACTIVE', async () => (await this.status(jwt)).status === 'ACTIVE');
  }

  async status(jwt: string): Promise<{
    uuid: string;
    waitingNo: number;
    status: string;
    estimatedWaitSeconds: number | null;
    waitEstimate: string;
    expiresAt: string;
    roomId: string;
    roomStatus: string;
  }> {
    return (await this.poll(jwt)).json();
  }

  /** Until the journal is recorded in PostgreSQL and the outbox published. */
  async recorded(): Promise<void> {
    await waitFor('journal recorded', async () => (await this.app.queue.line.journalLength()) === 0, {
      timeoutMs: 30_000,
    });
  }
}
