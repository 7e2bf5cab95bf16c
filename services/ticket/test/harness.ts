import { createHash, randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { TOPICS, UserChanged } from '@boxoffice/contracts';
import { createEventBus, ensureTopics } from '@boxoffice/events';
import type { App } from '@boxoffice/http';
import { dropDatabase, testEnv, uniqueSuffix, waitFor } from '@boxoffice/testing';
import { buildApp as buildQueueService } from '../../queue/src/app';
import { readConfig as readQueueConfig } from '../../queue/src/config';
import { buildApp } from '../src/app';
import { readConfig } from '../src/config';

export interface TestUser {
  id: number;
  name: string;
  role: 'user' | 'admin';
  token: string;
}

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

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
  private producer: Producer | undefined;
  private nextUserId = 1;

  constructor(options: { ticket?: Record<string, string>; queue?: Record<string, string> } = {}) {
    const prefix = `t${uniqueSuffix()}.`;
    this.queueEnv = testEnv('queue', { KAFKA_TOPIC_PREFIX: prefix, QUEUE_MAX_ACTIVE: '100000', ...options.queue });
    this.ticketEnv = testEnv('ticket', {
      KAFKA_TOPIC_PREFIX: prefix,
      REDIS_KEY_PREFIX: `${prefix}ticket:`,
      USER_SERVICE_URL: 'http://127.0.0.1:9', // never needed: the tests wait for the replica
      ...options.ticket,
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
    await this.producer?.disconnect().catch(() => undefined);
    await this.app?.close().catch(() => undefined);
    await this.queue?.close().catch(() => undefined);
    await Promise.all([dropDatabase(this.ticketEnv.DATABASE_URL!), dropDatabase(this.queueEnv.DATABASE_URL!)]);
  }

  /** Announces users as the user service would, and waits until both services' replicas know them. */
  async users(count: number, role: 'user' | 'admin' = 'user'): Promise<TestUser[]> {
    const users: TestUser[] = Array.from({ length: count }, () => {
      const id = this.nextUserId++;
      return { id, name: `${role}${id}`, role, token: randomUUID() };
    });
    if (!this.producer) {
      const bus = createEventBus({
        brokers: this.ticketEnv.KAFKA_BROKERS!,
        clientId: 'test-user-service',
        topicPrefix: this.prefix,
        logger: quiet,
      });
      await ensureTopics(bus, [bus.topic(TOPICS.users)]);
      this.producer = bus.kafka.producer({ allowAutoTopicCreation: false });
      await this.producer.connect();
    }
    await this.producer.send({
      topic: `${this.prefix}${TOPICS.users}`,
      acks: -1,
      messages: users.map((user) => ({
        key: String(user.id),
        value: JSON.stringify({
          id: randomUUID(),
          type: UserChanged.type,
          version: UserChanged.version,
          occurredAt: new Date().toISOString(),
          source: 'user',
          aggregateType: UserChanged.aggregateType,
          aggregateId: String(user.id),
          aggregateVersion: 1,
          payload: {
            id: user.id,
            name: user.name,
            role: user.role,
            accessTokenSha256: createHash('sha256').update(user.token).digest('hex'),
            deleted: false,
          },
        }),
      })),
    });
    const ids = users.map((user) => user.id);
    for (const app of [this.app, this.queue]) {
      await waitFor(
        'users in the replica',
        async () =>
          (await app.pg.query('SELECT 1 FROM users_replica WHERE id = ANY($1)', [ids])).rowCount === ids.length,
        { timeoutMs: 30_000 },
      );
    }
    return users;
  }

  /** A waiting-room token from the real queue service, once it is in the wanted status. */
  async queueToken(user: TestUser, status: 'ACTIVE' | 'WAITING' = 'ACTIVE'): Promise<string> {
    const joined = await fetch(`${this.queueUrl}/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-token': user.token },
      body: JSON.stringify({ userId: user.id }),
    });
    if (joined.status !== 201) throw new Error(`queue join: ${joined.status} ${await joined.text()}`);
    const { token } = (await joined.json()) as { token: string };
    await waitFor(`a ${status} queue token`, async () => {
      const polled = await fetch(`${this.queueUrl}/tokens`, { headers: { authorization: `Bearer ${token}` } });
      return polled.ok && ((await polled.json()) as { status: string }).status === status;
    });
    return token;
  }

  /** An admin (USER-TOKEN) creates a concert and one showtime of `seats` seats; returns their ids. */
  async showtime(
    admin: TestUser,
    seats: number,
    price = 10_000,
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
        starts_at: '2047-10-21T19:00:00+09:00',
        venue: 'Test Hall',
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
