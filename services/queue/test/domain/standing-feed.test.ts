import type { TokenView } from '../../src/domain/queue-token';
import { StandingFeed, type StandingSink } from '../../src/domain/standing-feed';

const view = (tokenId: string, overrides: Partial<TokenView> = {}): TokenView => ({
  tokenId,
  userId: 1,
  status: 'WAITING',
  waitingNo: 5,
  jwt: 'jwt',
  activeExpiresAtMs: null,
  expiredAtMs: null,
  tokenExpiresAtMs: Date.now() + 3_600_000,
  roomId: 'room-a',
  roomStatus: 'OPEN',
  concertId: 7,
  observedPerMinute: null,
  saleStartsAtMs: null,
  ...overrides,
});

class Sink implements StandingSink {
  sent: TokenView[] = [];
  closed = false;
  get broken() {
    return this.closed;
  }
  send(update: TokenView) {
    this.sent.push(update);
  }
  heartbeat() {}
  close() {
    this.closed = true;
  }
}

// the line is replaced by a fake here only: this is the fan-out's unit test (token-stream.test.ts runs it on Redis)
function feedWith(answer: (ids: string[]) => (TokenView | undefined)[]) {
  const calls: string[][] = [];
  const feed = new StandingFeed(
    {
      standings: async (ids) => {
        calls.push(ids);
        return answer(ids);
      },
    },
    { refreshMs: 10, heartbeatMs: 60_000, maxStreams: 100, maxPerToken: 2, chunk: 2 },
    { warn: () => undefined },
  );
  return { feed, calls };
}

describe('the live standings fan-out', () => {
  it('when a room admits a watched token, then ACTIVE is pushed at once without asking the line', () => {
    const { feed, calls } = feedWith(() => []);
    const sink = new Sink();
    feed.watch(view('t1'), sink);
    feed.admitted('room-a', ['t1', 'elsewhere'], [123_456]);
    expect(sink.sent).toEqual([
      expect.objectContaining({ status: 'ACTIVE', waitingNo: 0, activeExpiresAtMs: 123_456 }),
    ]);
    feed.admitted('room-b', ['t1'], [1]); // another room's admission is not this token's
    expect(sink.sent).toHaveLength(1);
    expect(calls).toEqual([]);
  });

  it('when a room refreshes, then its tokens are asked in chunks, only changes are sent, and EXPIRED ends the stream', async () => {
    let waitingNo = 5;
    let status: TokenView['status'] = 'WAITING';
    const { feed, calls } = feedWith((ids) => ids.map((id) => view(id, { waitingNo, status })));
    const sinks = ['t1', 't2', 't3'].map((id) => {
      const sink = new Sink();
      feed.watch(view(id), sink);
      return sink;
    });
    feed.start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sinks.every((sink) => sink.sent.length === 0)).toBe(true); // nothing changed yet
    waitingNo = 3;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sinks.map((sink) => sink.sent.map((sent) => sent.waitingNo))).toEqual([[3], [3], [3]]);
    expect(calls.every((ids) => ids.length <= 2)).toBe(true);
    expect(sinks.every((sink) => !sink.closed)).toBe(true);
    status = 'EXPIRED';
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sinks.map((sink) => sink.sent.at(-1)?.status)).toEqual(['EXPIRED', 'EXPIRED', 'EXPIRED']);
    expect(sinks.every((sink) => sink.closed)).toBe(true);
    expect(feed.streams).toBe(0);
    await feed.stop();
  });

  it('when a waiter far back moves by one place, or by more but a moment after the last news, then that is not news; a move of 2% of their place after a quiet spell, or any change of status, is', async () => {
    let waitingNo = 5_000;
    let status: TokenView['status'] = 'WAITING';
    const { feed } = feedWith((ids) => ids.map((id) => view(id, { waitingNo, status })));
    const sink = new Sink();
    feed.watch(view('far', { waitingNo: 5_000 }), sink);
    feed.start();
    const tick = () => new Promise((resolve) => setTimeout(resolve, 40));
    waitingNo = 4_999;
    await tick();
    expect(sink.sent).toEqual([]);
    waitingNo = 4_900;
    await tick();
    expect(sink.sent).toEqual([]); // told nothing for 40 ms only: 10 s of quiet at 5,000 places back
    jest.spyOn(Date, 'now').mockReturnValue(Date.now() + 10_000);
    await tick();
    expect(sink.sent.map((sent) => sent.waitingNo)).toEqual([4_900]);
    waitingNo = 4_899;
    status = 'ACTIVE';
    await tick();
    expect(sink.sent.map((sent) => sent.status)).toEqual(['WAITING', 'ACTIVE']);
    jest.restoreAllMocks();
    await feed.stop();
  });

  it('when a token opens more streams than allowed, then its oldest is closed; a gone client is dropped', () => {
    const { feed } = feedWith(() => []);
    const [a, b, c] = [new Sink(), new Sink(), new Sink()];
    feed.watch(view('t1'), a);
    feed.watch(view('t1'), b);
    feed.watch(view('t1'), c);
    expect([a.closed, b.closed, c.closed]).toEqual([true, false, false]);
    expect(feed.streams).toBe(2);
    b.closed = true;
    feed.admitted('room-a', ['t1'], [1]);
    expect(feed.streams).toBe(1);
    expect(c.sent).toHaveLength(1);
  });
});
