import { suiteKit, waitFor } from '@boxoffice/testing';
import { QueueKit } from '../support/queue-kit';

/**
 * The most admissions a room's token bucket allows in any stretch of time: what it holds at the start (one
 * second's worth, at least one) plus what accrues during it.
 */
function worstStretch(admittedAtMs: number[], ratePerMinute: number): { admitted: number; allowed: number } {
  const times = [...admittedAtMs].sort((a, b) => a - b);
  const burst = Math.max(1, ratePerMinute / 60);
  let worst = { admitted: 0, allowed: Infinity, excess: -Infinity };
  for (let i = 0; i < times.length; i++)
    for (let j = i; j < times.length; j++) {
      const allowed = burst + (ratePerMinute * (times[j]! - times[i]!)) / 60_000;
      const admitted = j - i + 1;
      if (admitted - allowed > worst.excess) worst = { admitted, allowed, excess: admitted - allowed };
    }
  return { admitted: worst.admitted, allowed: worst.allowed };
}

describe('two rooms admit independently, each at its own capacity and rate', () => {
  const kit = suiteKit(new QueueKit({ QUEUE_ADMITTER_INTERVAL_MS: '50' }));

  it('when both rooms fill at once, then neither exceeds its capacity or rate, and a full room does not hold up the other', async () => {
    // A turns over fast (1 s sessions, 3 at once); B admits 2 a second until its 8 slots are taken, then stays full
    const a = await kit.room({ maxActive: 3, admissionRatePerMinute: 600, sessionSeconds: 1, abandonSeconds: 3_600 });
    const b = await kit.room({ maxActive: 8, admissionRatePerMinute: 120, sessionSeconds: 600, abandonSeconds: 3_600 });
    await kit.adminCall('POST', `/admin/rooms/${a.id}/suspend`);
    await kit.adminCall('POST', `/admin/rooms/${b.id}/suspend`);
    const users = await kit.users(42);
    const inA = await Promise.all(users.slice(0, 30).map((user) => kit.joined(user, { roomId: a.id })));
    const inB = await Promise.all(users.slice(30).map((user) => kit.joined(user, { roomId: b.id })));

    const samples: { a: number; b: number }[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const [countA, countB] = await Promise.all([kit.app.queue.line.counts(a.id), kit.app.queue.line.counts(b.id)]);
        samples.push({ a: countA.active, b: countB.active });
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    await kit.adminCall('POST', `/admin/rooms/${a.id}/open`);
    await kit.adminCall('POST', `/admin/rooms/${b.id}/open`);

    const admittedAt = async (tokens: { uuid: string }[]) =>
      (
        await Promise.all(tokens.map(async ({ uuid }) => Number((await kit.tokenFields(uuid)).activatedAt) || 0))
      ).filter((at) => at > 0);
    // A's 30 users go through while B sits full with 4 waiting: B's line does not stall A's
    await waitFor('B full', async () => (await kit.app.queue.line.counts(b.id)).active === 8, { timeoutMs: 30_000 });
    await waitFor('all of A admitted', async () => (await admittedAt(inA)).length === 30, { timeoutMs: 60_000 });
    sampling = false;
    await sampler;

    expect(Math.max(...samples.map((s) => s.a))).toBeLessThanOrEqual(3);
    expect(Math.max(...samples.map((s) => s.b))).toBeLessThanOrEqual(8);
    expect(Math.max(...samples.map((s) => s.a))).toBe(3); // A's slots were used
    const inBAdmitted = await admittedAt(inB);
    expect(inBAdmitted).toHaveLength(8);
    expect((await kit.app.queue.line.counts(b.id)).waiting).toBe(4);
    expect((await kit.roomNow(b.id)).waiting).toBe(4);

    // every stretch of time respects each room's own rate
    const worstA = worstStretch(await admittedAt(inA), 600);
    expect(worstA.admitted).toBeLessThanOrEqual(worstA.allowed + 1e-9);
    const worstB = worstStretch(inBAdmitted, 120);
    expect(worstB.admitted).toBeLessThanOrEqual(worstB.allowed + 1e-9);

    // the rooms' own figures agree
    expect(await kit.roomNow(a.id)).toMatchObject({ admittedTotal: 30, waiting: 0 });
    expect(await kit.roomNow(b.id)).toMatchObject({ admittedTotal: 8, active: 8 });
  }, 120_000);
});
