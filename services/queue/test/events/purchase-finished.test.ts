import { QueueTokenChanged, TOPICS } from '@boxoffice/contracts';
import { EventRecorder, waitFor } from '@boxoffice/testing';
import { QueueKit } from '../support/queue-kit';

describe("ticket.purchase-finished ends the buyer's ACTIVE token in the concert's room", () => {
  const kit = new QueueKit({ QUEUE_MAX_ACTIVE: '1' });
  let recorder: EventRecorder;
  beforeAll(async () => {
    await kit.start();
    recorder = await new EventRecorder(kit.env.KAFKA_TOPIC_PREFIX!, [TOPICS.queueTokens]).start();
  });
  afterAll(async () => {
    await recorder.stop();
    await kit.close();
  });

  it('when the ACTIVE user finishes buying, then their token is EXPIRED (reason paid) and the next waiting user is admitted', async () => {
    const [payer, next, shopper] = await kit.users(3);
    const paying = await kit.joined(payer!);
    await kit.untilActive(paying.token);
    const waiting = await kit.joined(next!);
    const alsoWaiting = await kit.joined(shopper!);
    expect(waiting.status).toBe('WAITING');

    // a purchase from before the token existed (a replayed event) and one by a WAITING user change nothing; the
    // default room guards every concert without a room of its own
    const concertWithoutRoom = 424_242;
    await kit.purchaseFinished(payer!.id, concertWithoutRoom, new Date(Date.now() - 3_600_000));
    await kit.purchaseFinished(shopper!.id, concertWithoutRoom);
    await kit.purchaseFinished(payer!.id, concertWithoutRoom);

    await waitFor("the payer's token expired", async () => (await kit.status(paying.token)).status === 'EXPIRED', {
      timeoutMs: 20_000,
    });
    await kit.untilActive(waiting.token);
    expect(await kit.status(alsoWaiting.token)).toMatchObject({ status: 'WAITING', waitingNo: 0 });

    const ended = await recorder.waitForEvent(
      QueueTokenChanged,
      'the EXPIRED event',
      (event) => event.aggregateId === paying.uuid && event.payload.status === 'EXPIRED',
    );
    expect(ended).toMatchObject({
      type: 'queue.token.changed',
      aggregateVersion: 3,
      payload: { userId: payer!.id, reason: 'paid', status: 'EXPIRED' },
    });
    await recorder.waitForEvent(
      QueueTokenChanged,
      'the next user ACTIVE event',
      (event) => event.aggregateId === waiting.uuid && event.payload.status === 'ACTIVE',
    );

    const history = await kit.app.pg.query(
      'SELECT revision, status, reason FROM queue_token_history WHERE token_id = $1 ORDER BY revision',
      [paying.uuid],
    );
    expect(history.rows).toEqual([
      { revision: 1, status: 'WAITING', reason: null },
      { revision: 2, status: 'ACTIVE', reason: null },
      { revision: 3, status: 'EXPIRED', reason: 'paid' },
    ]);

    const again = await kit.joined(payer!); // a user who paid may queue again, at the end
    expect(again.uuid).not.toBe(paying.uuid);
    expect(again.waitingNo).toBe(1);
  });

  it("when a buyer holds ACTIVE tokens in two concerts' rooms and finishes one, then only that room's token ends", async () => {
    const [buyer] = await kit.users(1);
    const first = await kit.room({ maxActive: 5 });
    const second = await kit.room({ maxActive: 5 });
    const inFirst = await kit.joined(buyer!, { concertId: first.concertId! });
    const inSecond = await kit.joined(buyer!, { concertId: second.concertId! });
    await waitFor('both ACTIVE', async () => {
      const [a, b] = await Promise.all([kit.status(inFirst.token), kit.status(inSecond.token)]);
      return a.status === 'ACTIVE' && b.status === 'ACTIVE';
    });

    await kit.purchaseFinished(buyer!.id, first.concertId!);
    await waitFor(
      "the first room's token expired",
      async () => (await kit.status(inFirst.token)).status === 'EXPIRED',
      {
        timeoutMs: 20_000,
      },
    );
    expect((await kit.status(inSecond.token)).status).toBe('ACTIVE');
    await kit.purchaseFinished(buyer!.id, second.concertId!);
    await waitFor(
      "the second room's token expired",
      async () => (await kit.status(inSecond.token)).status === 'EXPIRED',
      {
        timeoutMs: 20_000,
      },
    );
  });
});
