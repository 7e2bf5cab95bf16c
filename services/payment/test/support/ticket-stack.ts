import pg from 'pg';
import type { App } from '@boxoffice/http';
import { dropDatabase, guardedQueueTokenOf, ServiceProcess, testEnv, waitFor } from '@boxoffice/testing';
import { buildApp as buildQueueService } from '../../../queue/src/app';
import { readConfig as readQueueConfig } from '../../../queue/src/config';
import { buildApp as buildTicketService } from '../../../ticket/src/app';
import { readConfig as readTicketConfig } from '../../../ticket/src/config';
import { PaymentKit, type TestUser } from './payment-kit';

const listen = async (app: App) => {
  await app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
};

/**
 * The payment service with its real peers for ticket payments: the queue service (waiting-room tokens) and the
 * ticket service (holds, the internal confirm), all on this file's topic prefix. The ticket service runs
 * in-process, or as a real OS process (`ticketAsProcess`) for tests that stop it.
 */
export class TicketStack {
  readonly kit: PaymentKit;
  readonly queueEnv: Record<string, string>;
  readonly ticketEnv: Record<string, string>;
  queue!: App;
  queueUrl!: string;
  ticket: App | undefined;
  ticketProcess: ServiceProcess | undefined;
  ticketUrl!: string;
  /** The ticket service's database (its own pool when the service runs as a process), to see its replicas. */
  ticketDb!: pg.Pool;

  constructor(
    private readonly options: {
      ticket?: Record<string, string>;
      payment?: Record<string, string>;
      ticketAsProcess?: boolean;
    } = {},
  ) {
    this.kit = new PaymentKit(options.payment);
    const prefix = this.kit.prefix;
    this.queueEnv = testEnv('queue', {
      KAFKA_TOPIC_PREFIX: prefix,
      QUEUE_MAX_ACTIVE: '100000',
      USER_SERVICE_URL: 'http://127.0.0.1:9',
    });
    this.ticketEnv = testEnv('ticket', {
      KAFKA_TOPIC_PREFIX: prefix,
      REDIS_KEY_PREFIX: `${prefix}ticket:`,
      USER_SERVICE_URL: 'http://127.0.0.1:9',
      ...options.ticket,
    });
  }

  get payment(): PaymentKit {
    return this.kit;
  }

  async start(): Promise<this> {
    this.queue = await buildQueueService(readQueueConfig(this.queueEnv));
    this.queueUrl = await listen(this.queue);
    this.ticketEnv.QUEUE_SERVICE_URL = this.queueUrl;
    if (this.options.ticketAsProcess) {
      this.ticketProcess = await ServiceProcess.create('ticket', this.ticketEnv);
      await this.ticketProcess.start();
      this.ticketUrl = this.ticketProcess.url;
      this.ticketDb = new pg.Pool({ connectionString: this.ticketEnv.DATABASE_URL, max: 2 });
    } else {
      this.ticket = await buildTicketService(readTicketConfig(this.ticketEnv));
      this.ticketUrl = await listen(this.ticket);
      this.ticketDb = this.ticket.pg;
      this.kit.userReplicas.push(this.ticket);
    }
    this.kit.userReplicas.push(this.queue);
    await this.kit.start({
      QUEUE_SERVICE_URL: this.queueUrl,
      TICKET_SERVICE_URL: this.options.payment?.TICKET_SERVICE_URL ?? this.ticketUrl,
    });
    return this;
  }

  async stop(): Promise<void> {
    await this.kit.stop();
    await this.ticket?.close().catch(() => undefined);
    await this.ticketProcess?.stop().catch(() => undefined);
    if (this.ticketProcess) await this.ticketDb?.end().catch(() => undefined);
    await this.queue?.close().catch(() => undefined);
    await Promise.all([dropDatabase(this.ticketEnv.DATABASE_URL!), dropDatabase(this.queueEnv.DATABASE_URL!)]);
  }

  /** Users known to every service (a ticket service run as a process is waited for through its own API). */
  async users(count: number, role: 'user' | 'admin' = 'user'): Promise<TestUser[]> {
    const users = await this.kit.users(count, role);
    if (this.ticketProcess) {
      for (const user of users) {
        await waitFor(
          'user known to the ticket process',
          async () =>
            (await this.ticketCall('GET', '/tickets', { headers: { 'user-token': user.token } })).status === 200,
          { timeoutMs: 30_000 },
        );
      }
    }
    return users;
  }

  async ticketCall(method: string, path: string, options: { headers?: Record<string, string>; body?: unknown } = {}) {
    const response = await fetch(`${this.ticketUrl}${path}`, {
      method,
      headers: { ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  /** A waiting-room token from the real queue service (default room, or `where`), once it is in the wanted status. */
  queueToken(
    user: TestUser,
    ...rest: [status?: 'ACTIVE' | 'WAITING', where?: { roomId?: string; concertId?: number }]
  ) {
    return guardedQueueTokenOf(this.queueUrl, this.ticketDb, user, ...rest);
  }

  async tokenStatus(token: string): Promise<string> {
    const polled = await fetch(`${this.queueUrl}/tokens`, { headers: { authorization: `Bearer ${token}` } });
    return polled.ok ? ((await polled.json()) as { status: string }).status : `HTTP ${polled.status}`;
  }

  /** An admin creates a concert with one showtime of `seats` seats at `price`; returns the seat ids. */
  async showtime(
    admin: TestUser,
    seats: number,
    price: number,
    startsAt = '2047-10-21T19:00:00+09:00',
  ): Promise<{ concertId: number; showtimeId: number; seatIds: number[] }> {
    const adminQueueToken = await this.queueToken(admin);
    const headers = { 'user-token': admin.token };
    const concert = await this.ticketCall('POST', '/admin/concerts', {
      headers,
      body: { name: `Concert ${Date.now()}`, performer: 'The Testers' },
    });
    if (concert.status !== 201) throw new Error(`create concert: ${JSON.stringify(concert.body)}`);
    const showtime = await this.ticketCall('POST', `/admin/concerts/${concert.body.id}/showtimes`, {
      headers,
      body: {
        starts_at: startsAt,
        venue: 'Test Hall',
        seats: Array.from({ length: seats }, (_, index) => ({ seat_no: `S${index + 1}`, price })),
      },
    });
    if (showtime.status !== 201) throw new Error(`create showtime: ${JSON.stringify(showtime.body)}`);
    const seatsList = await this.ticketCall('GET', `/concerts/${concert.body.id}/${showtime.body.id}`, {
      headers: { authorization: `Bearer ${adminQueueToken}` },
    });
    const seatIds = Array.isArray(seatsList.body) ? seatsList.body.map((seat: { id: number }) => seat.id) : [];
    return { concertId: concert.body.id, showtimeId: showtime.body.id, seatIds };
  }

  /** Holds a seat for the token's user; returns the ticket id. */
  async hold(
    token: string,
    showtimeId: number,
    seatId: number,
  ): Promise<{ id: string; price: number; heldUntil: string }> {
    const held = await this.ticketCall('POST', '/tickets', {
      headers: { authorization: `Bearer ${token}` },
      body: { showtime_id: showtimeId, seat_id: seatId },
    });
    if (held.status !== 201) throw new Error(`hold: ${held.status} ${JSON.stringify(held.body)}`);
    return held.body;
  }

  async internalTicket(ticketId: string) {
    return this.ticketCall('GET', `/internal/tickets/${ticketId}`, {
      headers: { 'x-internal-token': this.ticketEnv.INTERNAL_API_TOKEN ?? 'dev-internal-token-change-me' },
    });
  }
}
