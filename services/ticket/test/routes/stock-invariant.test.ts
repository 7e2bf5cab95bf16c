import fc from 'fast-check';
import { TicketHarness, type TestUser } from '../harness';

type Op =
  | { kind: 'reserve'; n: number }
  | { kind: 'increase'; n: number }
  | { kind: 'decrease'; n: number }
  | { kind: 'cancel' };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('reserve' as const), n: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ kind: fc.constant('increase' as const), n: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ kind: fc.constant('decrease' as const), n: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ kind: fc.constant('cancel' as const) }),
);

describe('counted stock under concurrent random reservations', () => {
  const harness = new TicketHarness();
  let admin: TestUser;
  let users: TestUser[];

  beforeAll(async () => {
    await harness.start();
    [admin] = (await harness.users(1, 'admin')) as [TestUser];
    users = await harness.users(8);
  });
  afterAll(() => harness.stop());

  const call = (user: TestUser, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    harness.app.inject({ method, url, headers: { 'user-token': user.token }, ...(payload ? { payload } : {}) });

  /** One user's script, run in order; the user works on their latest live reservation. */
  async function play(user: TestUser, eventId: string, script: Op[]): Promise<number[]> {
    const codes: number[] = [];
    let current: { id: string; n: number } | undefined;
    for (const step of script) {
      if (step.kind === 'reserve' || !current) {
        const n = step.kind === 'cancel' ? 1 : step.n;
        const answer = await call(user, 'POST', '/reservations', { event_id: eventId, no_of_tickets: n });
        codes.push(answer.statusCode);
        if (answer.statusCode === 201) current = { id: answer.json().id, n };
      } else if (step.kind === 'cancel') {
        codes.push((await call(user, 'DELETE', `/reservations/${current.id}`)).statusCode);
        current = undefined;
      } else {
        const n = Math.max(1, step.kind === 'increase' ? current.n + step.n : current.n - step.n);
        const answer = await call(user, 'PATCH', `/reservations/${current.id}`, { no_of_tickets: n });
        codes.push(answer.statusCode);
        if (answer.statusCode === 200) current = { id: current.id, n };
      }
    }
    return codes;
  }

  it('when many users reserve, increase, decrease and cancel at once, then availability + live reserved = stock and availability >= 0', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 40 }),
        fc.array(fc.array(op, { minLength: 1, maxLength: 12 }), { minLength: 2, maxLength: users.length }),
        async (stock, scripts) => {
          const created = await call(admin!, 'POST', '/events', {
            name: 'Property',
            description: 'p',
            date: '2047-01-01T00:00:00Z',
            availability: stock,
          });
          const eventId = created.json().id as string;
          const codes = (
            await Promise.all(scripts.map((script, index) => play(users[index]!, eventId, script)))
          ).flat();
          expect(codes.every((code) => [200, 201, 204, 400].includes(code))).toBe(true);

          const availability = (await call(admin!, 'GET', `/events/${eventId}`)).json().availability as number;
          let reserved = 0;
          for (const user of users) {
            const mine = (await call(user, 'GET', '/reservations')).json() as {
              event_id: string;
              no_of_tickets: number;
              cancelled: boolean;
            }[];
            reserved += mine
              .filter((r) => r.event_id === eventId && !r.cancelled)
              .reduce((sum, r) => sum + r.no_of_tickets, 0);
          }
          expect(availability).toBeGreaterThanOrEqual(0);
          expect(availability + reserved).toBe(stock);
        },
      ),
      { numRuns: 30 },
    );
  });
});
