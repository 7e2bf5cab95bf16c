import { suiteKit, waitFor } from '@boxoffice/testing';
import { QueueKit } from '../support/queue-kit';

describe('admission: FIFO, never more than QUEUE_MAX_ACTIVE', () => {
  const kit = suiteKit(
    new QueueKit({
      QUEUE_MAX_ACTIVE: '100',
      QUEUE_ACTIVE_TTL_SECONDS: '1',
      QUEUE_ADMITTER_INTERVAL_MS: '50',
    }),
  );

  it('when 1,000 users join at once, then waitingNo is 0..999, they are admitted in join order and at most 100 are ever ACTIVE', async () => {
    // the line fills before the sale opens: the admitter is held until everyone has joined
    await kit.app.queue.admitter.stop();
    const users = await kit.users(1_000);
    const issued = await Promise.all(users.map((user) => kit.joined(user)));
    expect(issued.map((token) => token.waitingNo).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 1_000 }, (_, i) => i),
    );
    expect(issued.every((token) => token.status === 'WAITING')).toBe(true);
    const joinOrder = [...issued].sort((a, b) => a.waitingNo - b.waitingNo).map((token) => token.uuid);

    const samples: number[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        samples.push((await kit.app.queue.line.counts()).active);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    kit.app.queue.admitter.start();
    await waitFor(
      'all 1,000 admitted and recorded',
      async () =>
        (
          await kit.app.pg.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM queue_tokens WHERE admission_no IS NOT NULL',
          )
        ).rows[0]!.n === 1_000,
      { timeoutMs: 40_000, intervalMs: 200 },
    );
    sampling = false;
    await sampler;

    expect(samples.length).toBeGreaterThan(50);
    expect(Math.max(...samples)).toBeLessThanOrEqual(100);
    expect(Math.max(...samples)).toBe(100); // the slots were actually used

    const admitted = await kit.app.pg.query<{ id: string }>('SELECT id FROM queue_tokens ORDER BY admission_no');
    expect(admitted.rows.map((row) => row.id)).toEqual(joinOrder);

    // the whole recorded history agrees: at no instant more than 100 tokens between activation and expiry
    await kit.recorded();
    const overlap = await kit.app.pg.query<{ peak: number }>(
      `SELECT max(running)::int AS peak FROM (
         SELECT sum(delta) OVER (ORDER BY at, delta) AS running FROM (
           SELECT activated_at AS at, 1 AS delta FROM queue_tokens WHERE activated_at IS NOT NULL
           UNION ALL SELECT expired_at, -1 FROM queue_tokens WHERE activated_at IS NOT NULL AND expired_at IS NOT NULL) AS changes
       ) AS levels`,
    );
    expect(overlap.rows[0]!.peak).toBeLessThanOrEqual(100);
  });
});

describe('abandonment: WAITING users who stop polling leave the line', () => {
  const kit = suiteKit(
    new QueueKit({ QUEUE_MAX_ACTIVE: '1', QUEUE_ABANDON_TTL_SECONDS: '1', QUEUE_ADMITTER_INTERVAL_MS: '50' }),
  );

  it('when a waiting user stops polling, then they leave the line and the users behind move up', async () => {
    const [ann, ben, cid, dot] = await kit.users(4);
    const first = await kit.joined(ann!);
    await kit.untilActive(first.token);
    const gone = await kit.joined(ben!);
    const second = await kit.joined(cid!);
    const third = await kit.joined(dot!);
    expect([gone.waitingNo, second.waitingNo, third.waitingNo]).toEqual([0, 1, 2]);

    // cid and dot keep polling; ben has closed the tab
    let polling = true;
    const pollers = [second, third].map(async (token) => {
      while (polling) {
        await kit.poll(token.token);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    });
    const record = await waitFor(
      'ben recorded as abandoned',
      async () =>
        (await kit.app.pg.query('SELECT status, reason FROM queue_tokens WHERE id = $1 AND revision = 2', [gone.uuid]))
          .rows[0],
      { timeoutMs: 10_000 },
    );
    polling = false;
    await Promise.all(pollers);
    expect(record).toEqual({ status: 'EXPIRED', reason: 'abandoned' });
    expect((await kit.status(second.token)).waitingNo).toBe(0);
    expect((await kit.status(third.token)).waitingNo).toBe(1);
    expect((await kit.status(first.token)).status).toBe('ACTIVE'); // ACTIVE users are never abandoned
    expect((await kit.status(gone.token)).status).toBe('EXPIRED');

    const back = await kit.joined(ben!);
    expect(back.uuid).not.toBe(gone.uuid);
    expect(back.waitingNo).toBe(2); // a new place, at the end
  });
});
