import pg from 'pg';
import {
  PeerPublisher,
  ServiceProcess,
  dropDatabase,
  testEnv,
  uniqueSuffix,
  waitFor,
  waitForActiveInReplica,
} from '@boxoffice/testing';

export interface ScaleUser {
  id: number;
  role: 'user' | 'admin';
  accessToken: string;
}

/**
 * Several ticket-service processes on one database, one topic prefix and one Redis key prefix (what N instances
 * of one service share in production), plus the real queue service as a process for waiting-room tokens.
 */
export class TicketScaleKit {
  readonly prefix = `t${uniqueSuffix()}.`;
  readonly queueEnv: Record<string, string>;
  readonly ticketEnv: Record<string, string>;
  queue!: ServiceProcess;
  readonly tickets: ServiceProcess[] = [];
  db!: pg.Client;
  private queueDb!: pg.Client;
  private readonly userService: PeerPublisher;

  constructor(ticketOverrides: Record<string, string> = {}) {
    const dead = 'http://127.0.0.1:9'; // the user service: never needed, replicas are fed by events
    this.queueEnv = testEnv('queue', {
      KAFKA_TOPIC_PREFIX: this.prefix,
      USER_SERVICE_URL: dead,
      QUEUE_MAX_ACTIVE: '100000',
      QUEUE_ACTIVE_TTL_SECONDS: '3600',
      QUEUE_ADMITTER_INTERVAL_MS: '50',
    });
    this.ticketEnv = testEnv('ticket', {
      KAFKA_TOPIC_PREFIX: this.prefix,
      REDIS_KEY_PREFIX: `${this.prefix}ticket:`,
      USER_SERVICE_URL: dead,
      ...ticketOverrides,
    });
    this.userService = new PeerPublisher({
      brokers: this.ticketEnv.KAFKA_BROKERS!,
      topicPrefix: this.prefix,
      clientId: 'test-user-service',
    });
  }

  async start(instances: number): Promise<this> {
    this.queue = await ServiceProcess.create('queue', this.queueEnv);
    await this.queue.start();
    for (let i = 0; i < instances; i++) {
      // PORT 0 in the env: each instance gets a free port of its own
      const instance = await ServiceProcess.create('ticket', { ...this.ticketEnv, QUEUE_SERVICE_URL: this.queue.url });
      await instance.start();
      this.tickets.push(instance);
    }
    this.db = new pg.Client({ connectionString: this.ticketEnv.DATABASE_URL });
    this.queueDb = new pg.Client({ connectionString: this.queueEnv.DATABASE_URL });
    await this.db.connect();
    await this.queueDb.connect();
    return this;
  }

  async stop(): Promise<void> {
    await this.db?.end().catch(() => undefined);
    await this.queueDb?.end().catch(() => undefined);
    await this.userService.stop().catch(() => undefined);
    await Promise.all([...this.tickets, this.queue].map((process) => process?.stop()));
    await Promise.all([dropDatabase(this.ticketEnv.DATABASE_URL!), dropDatabase(this.queueEnv.DATABASE_URL!)]);
  }

  /** Users as the user service announces them (user.changed), once both services' replicas know them. */
  async users(count: number, firstId: number, role: 'user' | 'admin' = 'user'): Promise<ScaleUser[]> {
    const users = await this.userService.announceUsers(count, {
      role,
      firstId,
      replicas: [this.db, this.queueDb],
      timeoutMs: 60_000,
      intervalMs: 200,
    });
    return users.map((user) => ({ id: user.id, role, accessToken: user.token }));
  }

  /** An ACTIVE waiting-room token for each user, from the real queue service. */
  async activeTokens(users: ScaleUser[]): Promise<string[]> {
    const tokens = await inBatches(users, 25, async (user) => {
      const joined = await fetch(`${this.queue.url}/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-token': user.accessToken },
        body: JSON.stringify({ userId: user.id }),
      });
      if (joined.status !== 201) throw new Error(`queue join: ${joined.status} ${await joined.text()}`);
      return ((await joined.json()) as { token: string }).token;
    });
    await waitFor(
      'every token ACTIVE',
      async () => {
        const polled = await fetch(`${this.queue.url}/tokens`, {
          headers: { authorization: `Bearer ${tokens.at(-1)}` },
        });
        return polled.ok && ((await polled.json()) as { status: string }).status === 'ACTIVE';
      },
      { timeoutMs: 30_000 },
    );
    await waitForActiveInReplica(this.db, tokens);
    return tokens;
  }

  /** A concert with one showtime of `seats` seats, created through the first instance; returns the seat ids. */
  async showtime(admin: ScaleUser, seats: number): Promise<{ showtimeId: number; seatIds: number[] }> {
    const base = this.tickets[0]!.url;
    const headers = { 'content-type': 'application/json', 'user-token': admin.accessToken };
    const concert = await fetch(`${base}/admin/concerts`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: `Scale ${uniqueSuffix()}`, performer: 'The Instances' }),
    });
    if (concert.status !== 201) throw new Error(`concert: ${concert.status} ${await concert.text()}`);
    const concertId = ((await concert.json()) as { id: number }).id;
    const showtime = await fetch(`${base}/admin/concerts/${concertId}/showtimes`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        starts_at: '2047-10-21T19:00:00+09:00',
        venue: 'Scale Hall',
        seats: Array.from({ length: seats }, (_, i) => ({ seat_no: `N${i + 1}`, price: 10_000 })),
      }),
    });
    if (showtime.status !== 201) throw new Error(`showtime: ${showtime.status} ${await showtime.text()}`);
    const showtimeId = ((await showtime.json()) as { id: number }).id;
    const { rows } = await this.db.query<{ id: number }>('SELECT id FROM seats WHERE showtime_id = $1 ORDER BY id', [
      showtimeId,
    ]);
    return { showtimeId, seatIds: rows.map((row) => row.id) };
  }
}

/** Runs `work` over `items`, at most `width` at a time (the machine is small and shared). */
export async function inBatches<T, R>(
  items: T[],
  width: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index]!, index);
      }
    }),
  );
  return results;
}
