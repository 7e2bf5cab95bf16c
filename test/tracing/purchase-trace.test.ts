import { randomBytes } from 'node:crypto';
import { OtlpReceiver, startStack, waitFor, type ReceivedSpan, type Stack } from '@boxoffice/testing';
import { admittedDemoUser, gatewayCall, tokenReaches, USER_TOKEN, type Call } from '../journeys/seed-journeys';

/**
 * Tracing (issue 17, docs/operations.md "Tracing"): the services a ticket purchase crosses run as real processes
 * with OTEL_EXPORTER_OTLP_ENDPOINT pointing at a receiver in this process, on real PostgreSQL, Redis and Kafka.
 * The buyer's client starts one trace (its own traceparent on the hold and on the payment), and every span of the
 * purchase must hang under it: gateway → ticket hold, gateway → payment → ticket read and confirm → outbox → Kafka
 * → the queue's consumer, which ends the buyer's token.
 */
let stack: Stack;
let receiver: OtlpReceiver;
const call: Call = gatewayCall(() => stack.gatewayUrl);
const CONFIRM_ROUTE = '/internal/tickets/:ticket_id/confirm';

beforeAll(async () => {
  receiver = await OtlpReceiver.start();
  stack = await startStack({
    services: ['user', 'queue', 'ticket', 'payment', 'gateway'], // what a purchase crosses (the user: buyers)
    sharedEnv: {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_TRACES_SAMPLER_ARG: '1',
      OTEL_BSP_SCHEDULE_DELAY: '200', // export within a moment, not the default 5 s
    },
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await receiver?.stop();
});

/** The span of `service` of this kind whose attributes include `match` (method, route), exactly one. */
function only(
  spans: ReceivedSpan[],
  service: string,
  kind: ReceivedSpan['kind'],
  where: (span: ReceivedSpan) => boolean,
) {
  const found = spans.filter((span) => span.service === service && span.kind === kind && where(span));
  if (found.length !== 1)
    throw new Error(
      `expected one ${kind} span of ${service}, found ${found.length} among:\n${spans.map(shown).join('\n')}`,
    );
  return found[0]!;
}

const shown = (span: ReceivedSpan) =>
  `${span.service} ${span.kind} "${span.name}" ${span.spanId} <- ${span.parentSpanId || '(root)'} ${JSON.stringify(span.attributes)}`;

const request = (method: string, route: string) => (span: ReceivedSpan) =>
  span.attributes['http.request.method'] === method && span.attributes['http.route'] === route;

/** The chain of parents from `span` up to the trace's root, `span` first. */
function ancestry(spans: ReceivedSpan[], span: ReceivedSpan): ReceivedSpan[] {
  const byId = new Map(spans.map((one) => [one.spanId, one]));
  const chain = [span];
  for (let parent = byId.get(span.parentSpanId); parent; parent = byId.get(parent.parentSpanId)) chain.push(parent);
  return chain;
}

/** `child` is (under) `ancestor`, through spans of the trace only, and its direct parent is of `parentService`. */
function expectUnder(spans: ReceivedSpan[], child: ReceivedSpan, ancestor: ReceivedSpan) {
  const chain = ancestry(spans, child);
  if (!chain.includes(ancestor))
    throw new Error(`${shown(child)}\nis not under\n${shown(ancestor)}\nits chain:\n${chain.map(shown).join('\n')}`);
}

describe('a purchase is one trace', () => {
  it('when a buyer holds a seat and pays it, then every span from the gateway to the queue ending the token is in the one trace the client started, each under its caller', async () => {
    const headers = { 'user-token': USER_TOKEN };
    const bearer = await admittedDemoUser(call);
    const concerts = await call('GET', '/concerts', { headers: bearer });
    const concertId = concerts.body[0].id;
    const showtime = (await call('GET', `/concerts/${concertId}`, { headers: bearer })).body[0];
    const seats = await call('GET', `/concerts/${concertId}/${showtime.id}`, { headers: bearer });
    const seat = seats.body.find((s: { status: string }) => s.status === 'AVAILABLE');
    expect((await call('POST', '/points', { headers, body: { point: seat.price, pointType: 'CHARGE' } })).status).toBe(
      200,
    );

    // the client's own span: the root of the purchase
    const traceId = randomBytes(16).toString('hex');
    const clientSpanId = randomBytes(8).toString('hex');
    const traced = { ...bearer, traceparent: `00-${traceId}-${clientSpanId}-01` };
    const held = await call('POST', '/tickets', {
      headers: traced,
      body: { showtime_id: showtime.id, seat_id: seat.id },
    });
    expect(held.status).toBe(201);
    const paid = await call('POST', '/payments', { headers: traced, body: { ticket_id: held.body.id } });
    expect(paid.status).toBe(201);
    await tokenReaches(call, bearer, 'EXPIRED');

    // The queue's handling of ticket.purchase-finished is the last step. A span is exported once it ends, after the
    // spans under it, so the trace is complete once that consumer span is in and no span's parent is missing.
    const purchaseFinished = (span: ReceivedSpan) =>
      span.service === 'queue' &&
      span.kind === 'CONSUMER' &&
      String(span.attributes['messaging.destination.name']).endsWith('tickets');
    const orphansOf = (spans: ReceivedSpan[]) => {
      const ids = new Set(spans.map((span) => span.spanId));
      return spans.filter((span) => span.parentSpanId !== clientSpanId && !ids.has(span.parentSpanId));
    };
    await waitFor(
      'the queue consumer span of the purchase, and every parent of the trace',
      async () => {
        const spans = receiver.trace(traceId);
        const publishes = new Set(
          spans
            .filter(
              (span) =>
                span.attributes['messaging.message.type'] === 'ticket.purchase-finished' &&
                ancestry(spans, span).some((step) => step.attributes['http.route'] === CONFIRM_ROUTE),
            )
            .map((span) => span.spanId),
        );
        return (
          spans.some((span) => purchaseFinished(span) && publishes.has(span.parentSpanId)) &&
          orphansOf(spans).length === 0
        );
      },
      { timeoutMs: 20_000 },
    );
    const spans = receiver.trace(traceId);
    expect(receiver.unreadable).toEqual([]);

    // one trace, and every span's parent is in it (or is the client's span): nothing dangles, nothing starts anew
    expect(orphansOf(spans).map(shown)).toEqual([]);
    expect(new Set(spans.map((span) => span.service))).toEqual(new Set(['gateway', 'ticket', 'payment', 'queue']));

    // the hold: client → gateway → ticket
    const gatewayHold = only(spans, 'gateway', 'SERVER', (span) => span.attributes['url.path'] === '/tickets');
    expect(gatewayHold.parentSpanId).toBe(clientSpanId);
    const ticketHold = only(spans, 'ticket', 'SERVER', request('POST', '/tickets'));
    expect(ancestry(spans, ticketHold)[1]).toMatchObject({ service: 'gateway', kind: 'CLIENT' });
    expectUnder(spans, ticketHold, gatewayHold);

    // the payment: client → gateway → payment → ticket (read the hold, then confirm the sale)
    const gatewayPay = only(spans, 'gateway', 'SERVER', (span) => span.attributes['url.path'] === '/payments');
    expect(gatewayPay.parentSpanId).toBe(clientSpanId);
    const payment = only(spans, 'payment', 'SERVER', request('POST', '/payments'));
    expect(ancestry(spans, payment)[1]).toMatchObject({ service: 'gateway', kind: 'CLIENT' });
    expectUnder(spans, payment, gatewayPay);
    const readHold = only(spans, 'ticket', 'SERVER', request('GET', '/internal/tickets/:ticket_id'));
    const confirm = only(spans, 'ticket', 'SERVER', request('POST', CONFIRM_ROUTE));
    for (const step of [readHold, confirm]) {
      expect(ancestry(spans, step)[1]).toMatchObject({ service: 'payment', kind: 'CLIENT' });
      expectUnder(spans, step, payment);
    }
    // the sale's transaction writes its outbox rows in the confirm
    const outboxInserts = spans.filter(
      (span) => span.service === 'ticket' && String(span.attributes['db.query.text']).includes('INSERT INTO outbox'),
    );
    expect(outboxInserts.filter((span) => ancestry(spans, span).includes(confirm)).length).toBeGreaterThan(0);

    // outbox → Kafka: the relay's publish of ticket.purchase-finished, a child of the confirm's context (the ticket
    // service's own consumer of payment.completed may publish it once more, in the consumer's trace context)
    const publishes = spans.filter(
      (span) =>
        span.service === 'ticket' &&
        span.kind === 'PRODUCER' &&
        span.attributes['messaging.message.type'] === 'ticket.purchase-finished' &&
        ancestry(spans, span).includes(confirm),
    );
    expect(publishes.map(shown)).toHaveLength(1);
    const publish = publishes[0]!;
    // Kafka → queue: the consumer's span is the publish's child, and the token's end is written under it
    const consumed = spans.filter((span) => purchaseFinished(span) && span.parentSpanId === publish.spanId);
    expect(consumed).toHaveLength(1);
    const queueCalls = spans.filter((span) => span.service === 'queue' && span.kind === 'CLIENT');
    const ending = queueCalls.filter((span) => ancestry(spans, span).includes(consumed[0]!));
    const systems = (span: ReceivedSpan) => `${span.attributes['db.system.name']}: ${span.attributes['db.query.text']}`;
    // the token's end (a Redis script) and the event's inbox row, in the consumer's transaction
    expect(ending.map(systems)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^redis: eval/) /* evalsha, or eval when Redis lost the script */,
        expect.stringMatching(/^postgresql: INSERT INTO inbox/),
      ]),
    );
    // and every call the queue made in this trace was made handling one of these events, or a request to it (the
    // ticket service fetching its signing keys for the hold)
    for (const call of queueCalls)
      expect(['SERVER', 'CONSUMER']).toContain(
        ancestry(spans, call).find((span) => span.service !== 'queue' || span.kind !== 'CLIENT')?.kind,
      );

    // a call belongs to a step only while the step runs: a timer set from a handler (a background loop it woke)
    // would otherwise keep adding its rounds to this trace. 100 ms of slack: a span's times come from its local
    // root's clock (wall time anchored once, then the monotonic clock), so two of them may disagree by a few ms.
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    const late = spans.filter((span) => {
      const parent = byId.get(span.parentSpanId);
      return span.kind === 'CLIENT' && parent !== undefined && span.startMs > parent.endMs + 100;
    });
    expect(late.map((span) => `${shown(span)}\n  under ${shown(byId.get(span.parentSpanId)!)}`)).toEqual([]);
  });
});
