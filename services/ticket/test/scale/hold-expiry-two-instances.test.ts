import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { TOPICS, TicketChanged } from '@boxoffice/contracts';
import { EventRecorder, waitFor } from '@boxoffice/testing';
import { TicketScaleKit, inBatches, type ScaleUser } from './scale-kit';

const REPO = path.resolve(__dirname, '..', '..', '..', '..');
const HOLDS = 500;

/**
 * Two ticket-service processes share one database, topic prefix and Redis prefix; both run the hold sweeper.
 * Holds last 1 s, so the sweepers race each other for every one of them.
 */
describe('hold expiry with two ticket-service instances', () => {
  const kit = new TicketScaleKit({ SEAT_HOLD_TTL_SECONDS: '1', SEAT_SWEEP_INTERVAL_MS: '100' });
  let recorder: EventRecorder;
  let admin: ScaleUser;
  let tokens: string[];

  beforeAll(async () => {
    execFileSync('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: REPO, stdio: 'ignore' });
    await kit.start(2);
    recorder = await new EventRecorder(kit.prefix, [TOPICS.tickets]).start();
    [admin] = (await kit.users(1, 1, 'admin')) as [ScaleUser];
    const users = await kit.users(HOLDS, 2);
    tokens = await kit.activeTokens(users);
  }, 240_000);
  afterAll(async () => {
    await recorder?.stop();
    await kit.stop();
  });

  /** Seat i held with token i on one of the instances still alive; the answer's status (0: cut off by a kill). */
  async function holdOne(showtimeId: number, seatId: number, i: number, alive: number[]): Promise<number> {
    const instance = kit.tickets[alive[i % alive.length]!]!;
    try {
      const response = await fetch(`${instance.url}/tickets`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[i]}` },
        body: JSON.stringify({ showtime_id: showtimeId, seat_id: seatId }),
      });
      return response.status;
    } catch {
      return 0; // the instance was killed under this request: the hold may or may not have committed
    }
  }

  const ticketEventsOf = (showtimeSeats: Set<number>) =>
    recorder.of(TicketChanged).filter((event) => showtimeSeats.has(event.payload.seatId));

  /** Every ticket of the showtime EXPIRED, every seat AVAILABLE and released once, one release per ticket on Kafka. */
  async function expectEachReleasedOnce(
    showtimeId: number,
    seatIds: number[],
  ): Promise<{ tickets: number; redeliveries: number }> {
    const seats = new Set(seatIds);
    await waitFor(
      'every hold expired',
      async () =>
        (await kit.db.query(`SELECT 1 FROM tickets WHERE showtime_id = $1 AND status = 'HELD' LIMIT 1`, [showtimeId]))
          .rowCount === 0,
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    const { rows: tickets } = await kit.db.query<{ id: string; seat_id: number; status: string; revision: number }>(
      'SELECT id, seat_id, status, revision FROM tickets WHERE showtime_id = $1',
      [showtimeId],
    );
    expect(tickets.every((ticket) => ticket.status === 'EXPIRED')).toBe(true);
    // HELD at revision 1, EXPIRED at 2: a second expiry would have moved it on
    expect(tickets.every((ticket) => ticket.revision === 2)).toBe(true);
    const { rows: seatRows } = await kit.db.query<{ status: string; n: number }>(
      'SELECT status, count(*)::int AS n FROM seats WHERE showtime_id = $1 GROUP BY status',
      [showtimeId],
    );
    expect(seatRows).toEqual([{ status: 'AVAILABLE', n: seatIds.length }]);

    const ticketIds = new Set(tickets.map((ticket) => ticket.id));
    await waitFor(
      'a release event for every ticket',
      () => {
        const released = new Set(
          ticketEventsOf(seats)
            .filter((e) => e.payload.status === 'EXPIRED')
            .map((e) => e.aggregateId),
        );
        return [...ticketIds].every((id) => released.has(id));
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    // the sweeper's batch and what the relay publishes after it: let late duplicates, if any, arrive
    await new Promise((resolve) => setTimeout(resolve, 3_000));

    const expiredEvents = ticketEventsOf(seats).filter((e) => e.payload.status === 'EXPIRED');
    const distinctPerTicket = new Map<string, Set<string>>();
    for (const event of expiredEvents)
      distinctPerTicket.set(event.aggregateId, (distinctPerTicket.get(event.aggregateId) ?? new Set()).add(event.id));
    expect(distinctPerTicket.size).toBe(ticketIds.size);
    expect([...distinctPerTicket.values()].filter((ids) => ids.size !== 1)).toEqual([]);

    // the seat side: each seat that was held changed exactly twice (HELD, then AVAILABLE), the others never
    const heldSeats = new Set(tickets.map((ticket) => ticket.seat_id));
    const { rows: seatRevisions } = await kit.db.query<{ id: number; revision: number }>(
      'SELECT id, revision FROM seats WHERE showtime_id = $1',
      [showtimeId],
    );
    expect(seatRevisions.filter((seat) => seat.revision !== (heldSeats.has(seat.id) ? 3 : 1))).toEqual([]);

    return { tickets: tickets.length, redeliveries: expiredEvents.length - ticketIds.size };
  }

  it('when 500 holds of 1 s are made across both instances, then each is released exactly once with one release event', async () => {
    const { showtimeId, seatIds } = await kit.showtime(admin, HOLDS);
    const statuses = await inBatches(seatIds, 20, (seatId, i) => holdOne(showtimeId, seatId, i, [0, 1]));
    expect(statuses.filter((status) => status !== 201)).toEqual([]);

    const { tickets, redeliveries } = await expectEachReleasedOnce(showtimeId, seatIds);
    expect(tickets).toBe(HOLDS);
    expect(redeliveries).toBe(0); // nobody died: not even an at-least-once redelivery
  }, 180_000);

  it('when one instance is SIGKILLed mid-way, then the survivor releases every hold exactly once', async () => {
    const { showtimeId, seatIds } = await kit.showtime(admin, HOLDS);
    let alive = [0, 1];
    let made = 0;
    const killer = (async () => {
      // kill the second instance once half the holds are in: some of its holds are due, some are still to come
      await waitFor('half the holds made', () => made >= HOLDS / 2, { timeoutMs: 120_000, intervalMs: 20 });
      alive = [0];
      await kit.tickets[1]!.stop('SIGKILL');
    })();
    const statuses = await inBatches(seatIds, 20, async (seatId, i) => {
      const status = await holdOne(showtimeId, seatId, i, alive);
      made++;
      return status;
    });
    await killer;
    // only a request the kill cut short may have failed; everything else was answered 201
    expect(statuses.filter((status) => status !== 201 && status !== 0)).toEqual([]);

    const { tickets } = await expectEachReleasedOnce(showtimeId, seatIds);
    expect(tickets).toBeGreaterThanOrEqual(statuses.filter((status) => status === 201).length);
  }, 240_000);
});
