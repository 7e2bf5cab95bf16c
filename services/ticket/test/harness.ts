import type { App } from '@boxoffice/http';
import { TOPICS } from '@boxoffice/contracts';
import {
  EventRecorder,
  PeerPublisher,
  dropDatabase,
  guardedQueueTokenOf,
  testEnv,
  uniqueSuffix,
  type AnnouncedUser,
} from '@boxoffice/testing';
import { buildApp as buildQueueService } from '../../queue/src/app';
import { readConfig as readQueueConfig } from '../../queue/src/config';
import { buildApp } from '../src/app';
import { readConfig } from '../src/config';

/** The header the payment service calls the ticket service's internal routes with (the dev default). */
export const INTERNAL = { 'x-internal-token': 'dev-internal-token-change-me' };

/** The users these tests act as, announced as the user service would. */
export type TestUser = AnnouncedUser;

/**
 * The ticket service in-process with its real peers: PostgreSQL, Redis and Kafka, and the real queue service
 * (in-process, listening) for waiting-room tokens. Users appear the way the user service announces them: as
 * user.changed events on this test file's topic prefix.
 */
export class TicketHarness {
  readonly ticketEnv: Record<string, string>;
  readonly queueEnv: Record<string, string>;
  app!: App;
  queue!: App;
  queueUrl!: string;
  private readonly userService: PeerPublisher;

  constructor(options: { ticket?: Record<string, string>; queue?: Record<string, string> } = {}) {
    const prefix = `t${uniqueSuffix()}.`;
    this.queueEnv = testEnv('queue', { KAFKA_TOPIC_PREFIX: prefix, QUEUE_MAX_ACTIVE: '100000', ...options.queue });
    this.ticketEnv = testEnv('ticket', {
      KAFKA_TOPIC_PREFIX: prefix,
      REDIS_KEY_PREFIX: `${prefix}ticket:`,
      USER_SERVICE_URL: 'http://127.0.0.1:9', // never needed: the tests wait for the replica
      ...options.ticket,
    });
    this.userService = new PeerPublisher({
      brokers: this.ticketEnv.KAFKA_BROKERS!,
      topicPrefix: prefix,
      clientId: 'test-user-service',
      firstUserId: 1,
    });
  }

  get prefix(): string {
    return this.ticketEnv.KAFKA_TOPIC_PREFIX!;
  }

  async start(): Promise<this> {
    this.queue = await buildQueueService(readQueueConfig(this.queueEnv));
    await this.queue.listen({ host: '127.0.0.1', port: 0 });
    this.queueUrl = `http://127.0.0.1:${(this.queue.server.address() as { port: number }).port}`;
    this.app = await buildApp(readConfig({ ...this.ticketEnv, QUEUE_SERVICE_URL: this.queueUrl }));
    await this.app.ready();
    return this;
  }

  async stop(): Promise<void> {
    await this.userService.stop().catch(() => undefined);
    await this.app?.close().catch(() => undefined);
    await this.queue?.close().catch(() => undefined);
    await Promise.all([dropDatabase(this.ticketEnv.DATABASE_URL!), dropDatabase(this.queueEnv.DATABASE_URL!)]);
  }

  /** Announces users as the user service would, and waits until both services' replicas know them. */
  users(count: number, role: 'user' | 'admin' = 'user'): Promise<TestUser[]> {
    return this.userService.announceUsers(count, { role, replicas: [this.app.pg, this.queue.pg] });
  }

  /** `count` users, each with an ACTIVE waiting-room token (tokens[i] is users[i]'s). */
  async buyers(count: number): Promise<{ users: TestUser[]; tokens: string[] }> {
    const users = await this.users(count);
    return { users, tokens: await Promise.all(users.map((user) => this.queueToken(user))) };
  }

  /** POST /tickets with a waiting-room token: `body` is usually `{ showtime_id, seat_id }`. */
  hold(token: string, body: object, headers: Record<string, string> = {}) {
    return this.app.inject({
      method: 'POST',
      url: '/tickets',
      headers: { authorization: `Bearer ${token}`, ...headers },
      payload: body,
    });
  }

  /** POST /internal/tickets/{id}/confirm, as the payment service sells a held ticket. */
  confirm(ticketId: string, paymentId: string, userId: number, headers: Record<string, string> = INTERNAL) {
    return this.app.inject({
      method: 'POST',
      url: `/internal/tickets/${ticketId}/confirm`,
      headers,
      payload: { paymentId, userId },
    });
  }

  async seatStatus(seatId: number): Promise<string> {
    return (await this.app.pg.query('SELECT status FROM seats WHERE id = $1', [seatId])).rows[0].status;
  }

  /** A waiting-room token from the real queue service (default room, or `where`), once it is in the wanted status. */
  queueToken(
    user: TestUser,
    ...rest: [status?: 'ACTIVE' | 'WAITING', where?: { roomId?: string; concertId?: number }]
  ) {
    return guardedQueueTokenOf(this.queueUrl, this.app.pg, user, ...rest);
  }

  /**
   * An admin (USER-TOKEN) creates a concert and one showtime of `seats` seats (in 2047 and on sale unless `times`
   * says otherwise); returns their ids.
   */
  /** POST /events by the admin: a general-admission event of `availability` tickets, 201, as the service answered it. */
  async gaEvent(admin: TestUser, availability: number): Promise<{ id: string; availability: number }> {
    const created = await this.app.inject({
      method: 'POST',
      url: '/events',
      headers: { 'user-token': admin.token },
      payload: {
        name: `Event ${uniqueSuffix()}`,
        description: 'a test event',
        date: '2047-10-21T09:00:00Z',
        availability,
      },
    });
    expect(created.statusCode).toBe(201);
    return created.json();
  }

  async showtime(
    admin: TestUser,
    seats: number,
    price = 10_000,
    times: { startsAt?: string; salesOpenAt?: string } = {},
  ): Promise<{ concertId: number; showtimeId: number; seatIds: number[] }> {
    const headers = { 'user-token': admin.token };
    const concert = await this.app.inject({
      method: 'POST',
      url: '/admin/concerts',
      headers,
      payload: { name: `Concert ${uniqueSuffix()}`, performer: 'The Testers' },
    });
    if (concert.statusCode !== 201) throw new Error(`create concert: ${concert.body}`);
    const concertId = concert.json().id as number;
    const showtime = await this.app.inject({
      method: 'POST',
      url: `/admin/concerts/${concertId}/showtimes`,
      headers,
      payload: {
        starts_at: times.startsAt ?? '2047-10-21T19:00:00+09:00',
        venue: 'Test Hall',
        ...(times.salesOpenAt !== undefined && { sales_open_at: times.salesOpenAt }),
        seats: Array.from({ length: seats }, (_, index) => ({ seat_no: `S${index + 1}`, price })),
      },
    });
    if (showtime.statusCode !== 201) throw new Error(`create showtime: ${showtime.body}`);
    const showtimeId = showtime.json().id as number;
    const { rows } = await this.app.pg.query<{ id: number }>(
      'SELECT id FROM seats WHERE showtime_id = $1 ORDER BY id',
      [showtimeId],
    );
    return { concertId, showtimeId, seatIds: rows.map((row) => row.id) };
  }
}

/**
 * One test file's ticket service on `harness`: started before its tests with an admin, `buyers` users holding ACTIVE
 * waiting-room tokens and a recorder of ticket events, stopped after them. `beforeAll` fills the answer in.
 */
export function ticketSuite(harness: TicketHarness, buyers: number) {
  const suite = { users: [], tokens: [] } as unknown as {
    admin: TestUser;
    users: TestUser[];
    tokens: string[];
    recorder: EventRecorder;
  };
  beforeAll(async () => {
    await harness.start();
    suite.recorder = await new EventRecorder(harness.prefix, [TOPICS.tickets]).start();
    [suite.admin] = (await harness.users(1, 'admin')) as [TestUser];
    const { users, tokens } = await harness.buyers(buyers);
    suite.users.push(...users);
    suite.tokens.push(...tokens);
  });
  afterAll(async () => {
    await suite.recorder?.stop();
    await harness.stop();
  });
  return suite;
}
