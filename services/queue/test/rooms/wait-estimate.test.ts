import { suiteKit, waitFor } from '@boxoffice/testing';
import { QueueKit } from '../support/queue-kit';

describe('estimated wait: from the pace the line is observed to move at', () => {
  const kit = suiteKit(new QueueKit({ QUEUE_ADMITTER_INTERVAL_MS: '50' }));

  it('when a room admits at a steady rate, then a waiting user is told their wait within 25% of what it turns out to be, and later answers agree', async () => {
    const room = await kit.room({ maxActive: 1_000, admissionRatePerMinute: 120, sessionSeconds: 600 });
    await kit.adminCall('POST', `/admin/rooms/${room.id}/suspend`);
    const users = await kit.users(60);
    const tokens = [];
    for (const user of users) tokens.push(await kit.joined(user, { roomId: room.id }));
    const last = tokens.at(-1)!;
    // the line has not moved yet: nothing to estimate from
    expect(await kit.status(last.token)).toMatchObject({ estimatedWaitSeconds: null, waitEstimate: 'NOT_KNOWN_YET' });

    await kit.adminCall('POST', `/admin/rooms/${room.id}/open`);
    const first = await waitFor(
      'an observed estimate',
      async () => {
        const askedAt = Date.now();
        const status = await kit.status(last.token);
        return status.waitEstimate === 'OBSERVED' && { ...status, askedAt };
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    expect(first.waitingNo).toBeGreaterThan(20); // still far enough back for the wait to be measured
    expect(first.roomStatus).toBe('OPEN');

    // asked again a few seconds later, the estimate has gone down with the line
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const secondAskedAt = Date.now();
    const second = await kit.status(last.token);
    expect(second.waitingNo).toBeLessThan(first.waitingNo);

    await waitFor('the last user admitted', async () => (await kit.status(last.token)).status === 'ACTIVE', {
      timeoutMs: 60_000,
      intervalMs: 100,
    });
    const activatedAt = Number((await kit.tokenFields(last.uuid)).activatedAt);
    const actual = (activatedAt - first.askedAt) / 1000;
    expect(Math.abs(first.estimatedWaitSeconds! - actual)).toBeLessThanOrEqual(0.25 * actual);
    const actualSecond = (activatedAt - secondAskedAt) / 1000;
    expect(Math.abs(second.estimatedWaitSeconds! - actualSecond)).toBeLessThanOrEqual(0.25 * actualSecond);

    // the operator sees the same pace
    const view = await kit.roomNow(room.id);
    expect(Math.abs(view.admittedPerMinute! - 120)).toBeLessThanOrEqual(0.25 * 120);
  }, 120_000);
});
