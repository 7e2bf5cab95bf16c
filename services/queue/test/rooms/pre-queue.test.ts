import { suiteKit, waitFor } from '@boxoffice/testing';
import { independenceTest } from '../support/chi-square';
import { QueueKit } from '../support/queue-kit';

const PRE_QUEUE = 1_000;
const LATE = 20;

describe('pre-queue: users who join before the sale opens are drawn at random at its start, then FIFO', () => {
  const kit = suiteKit(new QueueKit({ QUEUE_ADMITTER_INTERVAL_MS: '50' }));

  it('when 1,000 users join a random room before the sale, then at the opening their order is a uniform shuffle of their arrival (chi-square), later users queue FIFO behind them, and admission follows that order', async () => {
    const room = await kit.room({
      queueingMethod: 'random',
      maxActive: 5_000,
      saleStartsAt: '2047-10-21T09:00:00Z',
      abandonSeconds: 3_600,
    });
    const users = await kit.users(PRE_QUEUE + LATE);

    // arrival order is join order: one after the other
    const early: { uuid: string; token: string }[] = [];
    for (const [arrival, user] of users.slice(0, PRE_QUEUE).entries()) {
      const issued = await kit.joined(user, { roomId: room.id });
      // before the draw nobody's place is known: everyone already in the pre-queue may end up ahead
      expect(issued.waitingNo).toBe(arrival);
      early.push(issued);
    }
    const before = await kit.status(early[0]!.token);
    expect(before).toMatchObject({
      status: 'WAITING',
      roomStatus: 'PRE_QUEUE',
      waitingNo: PRE_QUEUE - 1,
      estimatedWaitSeconds: null,
      waitEstimate: 'NOT_KNOWN_YET',
    });

    // the sale opens while admission is paused, so the drawn order can be read before anyone leaves the line
    await kit.adminCall('POST', `/admin/rooms/${room.id}/suspend`);
    await kit.adminCall('PATCH', `/admin/rooms/${room.id}`, { saleStartsAt: new Date().toISOString() });
    await waitFor('the sale opened', async () => (await kit.roomNow(room.id)).openedAt !== null);

    const positions = await Promise.all(early.map(async ({ token }) => (await kit.status(token)).waitingNo));
    expect([...positions].sort((a, b) => a - b)).toEqual(Array.from({ length: PRE_QUEUE }, (_, i) => i));

    // Uniform shuffle ⇔ where a user ends up is independent of when they arrived. Arrival decile × position decile
    // (10 × 10, 10 expected per cell, 81 degrees of freedom). With a correct shuffle the p-value is uniform on
    // [0, 1], so this assertion fails one run in a million; a shuffle that kept any trace of arrival order over a
    // tenth of the line (e.g. early joiners drifting forward) drives p far below it (see chi-square.test.ts).
    const test = independenceTest(
      positions.map((to, from) => ({ from, to })),
      10,
    );
    expect(test.p).toBeGreaterThan(1e-6);

    // after the opening: first come, first served, behind the whole pre-queue
    const late: { uuid: string; token: string; waitingNo: number }[] = [];
    for (const user of users.slice(PRE_QUEUE)) late.push(await kit.joined(user, { roomId: room.id }));
    expect(late.map((token) => token.waitingNo)).toEqual(Array.from({ length: LATE }, (_, i) => PRE_QUEUE + i));

    // admission goes down the line in exactly that order
    await kit.adminCall('POST', `/admin/rooms/${room.id}/open`);
    const everyone = [
      ...early.map((token, i) => ({ ...token, place: positions[i]! })),
      ...late.map((t) => ({ ...t, place: t.waitingNo })),
    ];
    const admissionNos = await waitFor(
      'everyone admitted',
      async () => {
        const numbers = await Promise.all(
          everyone.map(async ({ uuid }) => Number((await kit.tokenFields(uuid)).admissionNo)),
        );
        return numbers.every((n) => n > 0) && numbers;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    const byAdmission = everyone
      .map((token, i) => ({ place: token.place, no: admissionNos[i]! }))
      .sort((a, b) => a.no - b.no);
    expect(byAdmission.map((token) => token.place)).toEqual(Array.from({ length: PRE_QUEUE + LATE }, (_, i) => i));
  }, 180_000);

  it('when a fifo room has a pre-queue, then arrival order is kept through the opening', async () => {
    const room = await kit.room({ queueingMethod: 'fifo', saleStartsAt: '2047-10-21T09:00:00Z', maxActive: 100 });
    const users = await kit.users(30);
    const issued: { uuid: string; token: string; waitingNo: number }[] = [];
    for (const user of users) issued.push(await kit.joined(user, { roomId: room.id }));
    expect(issued.map((token) => token.waitingNo)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect((await kit.status(issued[29]!.token)).roomStatus).toBe('PRE_QUEUE');
    await kit.adminCall('PATCH', `/admin/rooms/${room.id}`, { saleStartsAt: new Date().toISOString() });
    const numbers = await waitFor('all admitted', async () => {
      const all = await Promise.all(issued.map(async ({ uuid }) => Number((await kit.tokenFields(uuid)).admissionNo)));
      return all.every((n) => n > 0) && all;
    });
    expect(numbers.every((n, i) => i === 0 || n > numbers[i - 1]!)).toBe(true);
  });
});
