// The chaos run's traffic: many users doing what real users do, through the gateway only, and a ledger of every
// write the system acknowledged (2xx), which the audit then looks for in the owners' databases.
import { randomUUID } from 'node:crypto';

const DEMO_TOKENS = [
  [2, '0b8f4c2e-6a55-4a3c-9d4e-2f1f6c0a0002'],
  [3, '0b8f4c2e-6a55-4a3c-9d4e-2f1f6c0a0003'],
  [4, '0b8f4c2e-6a55-4a3c-9d4e-2f1f6c0a0004'],
  [5, '0b8f4c2e-6a55-4a3c-9d4e-2f1f6c0a0005'],
  [6, '0b8f4c2e-6a55-4a3c-9d4e-2f1f6c0a0006'],
  [7, '0b8f4c2e-6a55-4a3c-9d4e-2f1f6c0a0007'],
  [8, '0b8f4c2e-6a55-4a3c-9d4e-2f1f6c0a0008'],
  [9, '0b8f4c2e-6a55-4a3c-9d4e-2f1f6c0a0009'],
  [10, '4a49145e-45a8-4845-af45-1af2a59bb044'],
];
export const ADMIN_TOKEN = '0b8f4c2e-6a55-4a3c-9d4e-2f1f6c0a0001';
const REQUEST_TIMEOUT_MS = 8_000;
const CARDS = ['4242424242424242', '4242424242424242', '4000000000000002', '5555555555554444'];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const pick = (list) => list[Math.floor(Math.random() * list.length)];
const chance = (p) => Math.random() < p;

/** Counts of one phase: requests, and the non-2xx answers by status ('net' = no answer at all). */
export function newCounters() {
  return { requests: 0, ok: 0, byStatus: {} };
}

/** What the system said yes to. A write whose answer was lost or 5xx is "uncertain": it may or may not have happened. */
export function newLedger() {
  return {
    tickets: new Map(), // ticketId → {userId}
    payments: new Map(), // paymentId → {ticketIds, userId, status: 201 | 202}
    reservations: new Map(), // id → {eventId, userId, noOfTickets, cancelled, uncertain}
    orders: new Map(), // orderId → {userId, amount, paid: null | 'points' | 'card'}
    idempotentWrites: [], // {service, scope, userId, key}: 2xx writes whose key row must exist
    alarms: new Map(), // `${userId}:${itemId}` → {userId, itemId, active, uncertain}
  };
}

export class Load {
  constructor({ gatewayUrl, log }) {
    this.base = gatewayUrl;
    this.log = log;
    this.counters = newCounters();
    this.ledger = newLedger();
    this.users = [];
    this.items = [];
    this.events = [];
    this.showtimes = [];
  }

  async call(method, path, { headers = {}, body, key } = {}) {
    this.counters.requests++;
    const allHeaders = { ...headers };
    if (body !== undefined) allHeaders['content-type'] = 'application/json';
    if (key) allHeaders['idempotency-key'] = key;
    try {
      const response = await fetch(`${this.base}${path}`, {
        method,
        headers: allHeaders,
        body: body !== undefined ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await response.text();
      let parsed;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = text;
      }
      if (response.status >= 200 && response.status < 300) this.counters.ok++;
      else this.counters.byStatus[response.status] = (this.counters.byStatus[response.status] ?? 0) + 1;
      return { status: response.status, body: parsed };
    } catch {
      this.counters.byStatus.net = (this.counters.byStatus.net ?? 0) + 1;
      return { status: 0, body: undefined };
    }
  }

  /** Users, events and the catalogue, before any fault. Retries: the stack may still be warming its replicas. */
  async setup({ extraUsers }) {
    for (const [id, token] of DEMO_TOKENS) this.users.push({ id, token, queueToken: undefined });
    const run = randomUUID().slice(0, 8);
    for (let i = 0; i < extraUsers; i++) {
      const created = await this.retry(`register user ${i}`, () =>
        this.call('POST', '/api/users/users', {
          body: { name: `chaos ${i}`, login_id: `chaos-${run}-${i}`, password: 'chaos-password' },
        }),
      );
      this.users.push({ id: created.body.id, token: created.body.access_token, queueToken: undefined });
    }
    const admin = { 'user-token': ADMIN_TOKEN };
    for (const availability of [40, 400]) {
      const event = await this.retry('create an event', () =>
        this.call('POST', '/events', {
          headers: admin,
          body: {
            name: `chaos ${run} ${availability}`,
            description: 'chaos run',
            date: '2047-01-01T10:00:00Z',
            availability,
          },
        }),
      );
      this.events.push(event.body.id);
    }
    const demoEvents = await this.retry('list events', () => this.call('GET', '/events', { headers: admin }));
    for (const event of demoEvents.body) if (!this.events.includes(event.id)) this.events.push(event.id);
    const items = await this.retry('list items', () =>
      this.call('GET', '/api/items', { headers: { 'user-token': this.users[0].token } }),
    );
    this.items = items.body.payload.map((item) => ({ id: item.id, price: item.price }));
    const user = this.users[0];
    await this.ensureActive(user, 60);
    const concerts = await this.retry('list concerts', () =>
      this.call('GET', '/concerts', { headers: this.bearer(user) }),
    );
    for (const concert of concerts.body) {
      const showtimes = await this.retry('list showtimes', () =>
        this.call('GET', `/concerts/${concert.id}`, { headers: this.bearer(user) }),
      );
      for (const showtime of showtimes.body) this.showtimes.push({ concertId: concert.id, id: showtime.id });
    }
    this.counters = newCounters();
  }

  async retry(what, attempt) {
    for (let i = 0; i < 60; i++) {
      const answer = await attempt();
      if (answer.status >= 200 && answer.status < 300) return answer;
      await sleep(500);
    }
    throw new Error(`setup: could not ${what}`);
  }

  bearer(user) {
    return { authorization: `Bearer ${user.queueToken}` };
  }

  /** Joins the line (or gets the live token back) and polls until ACTIVE, a bounded number of times. */
  async ensureActive(user, polls = 12) {
    if (!user.queueToken) {
      const joined = await this.call('POST', '/tokens', {
        headers: { 'user-token': user.token },
        body: { userId: user.id },
      });
      if (joined.status !== 201) return false;
      user.queueToken = joined.body.token;
      if (joined.body.status === 'ACTIVE') return true;
    }
    for (let i = 0; i < polls; i++) {
      const polled = await this.call('GET', '/tokens', { headers: this.bearer(user) });
      if (polled.status === 200 && polled.body.status === 'ACTIVE') return true;
      if ((polled.status === 200 && polled.body.status === 'EXPIRED') || polled.status === 401) {
        user.queueToken = undefined;
        return false;
      }
      await sleep(250);
    }
    return false;
  }

  /** Runs `workers` loops until `stopAt()` says stop; each loop takes its own users, one flow at a time. */
  async run(workers, shouldStop) {
    await Promise.all(
      Array.from({ length: workers }, async (_, worker) => {
        const mine = this.users.filter((_, index) => index % workers === worker);
        while (!shouldStop()) {
          const user = pick(mine);
          const roll = Math.random();
          try {
            if (roll < 0.35) await this.concertFlow(user);
            else if (roll < 0.6) await this.reservationFlow(user);
            else if (roll < 0.8) await this.orderFlow(user);
            else await this.alarmFlow(user);
          } catch (error) {
            this.log(`load: a flow threw (${error.message}): a bug in the load, not in the stack`);
            await sleep(200);
          }
        }
      }),
    );
  }

  async concertFlow(user) {
    if (!(await this.ensureActive(user))) return;
    const showtime = pick(this.showtimes);
    const seats = await this.call('GET', `/concerts/${showtime.concertId}/${showtime.id}`, {
      headers: this.bearer(user),
    });
    if (seats.status === 401 || seats.status === 403) user.queueToken = undefined;
    if (seats.status !== 200) return;
    const available = seats.body.filter((seat) => seat.status === 'AVAILABLE');
    if (available.length === 0) return;
    // the first seats of the list are everyone's favourites: concurrent users collide on them on purpose; a third
    // of the buyers take two seats and pay them in one payment (ticket_ids)
    const wanted = chance(0.33) && available.length > 1 ? 2 : 1;
    const chosen = [];
    for (let i = 0; i < wanted; i++) {
      const left = available.filter((candidate) => !chosen.includes(candidate));
      chosen.push(chance(0.5) ? pick(left.slice(0, 10)) : pick(left));
    }
    const heldIds = [];
    let price = 0;
    for (const seat of chosen) {
      const held = await this.call('POST', '/tickets', {
        headers: this.bearer(user),
        body: { showtime_id: showtime.id, seat_id: seat.id },
        key: randomUUID(),
      });
      if (held.status === 401 || held.status === 403) user.queueToken = undefined;
      if (held.status !== 201) continue;
      this.ledger.tickets.set(held.body.id, { userId: user.id });
      heldIds.push(held.body.id);
      price += seat.price;
    }
    if (heldIds.length === 0) return;
    if (chance(0.25)) {
      // given back by the buyer (RELEASED, the seat free at once) or left to expire (the sweeper must release them)
      if (chance(0.5))
        for (const ticketId of heldIds)
          await this.call('DELETE', `/tickets/${ticketId}`, { headers: this.bearer(user) });
      return;
    }
    if (!(await this.charge(user, price))) return;
    const paid = await this.call('POST', '/payments', {
      headers: this.bearer(user),
      body: heldIds.length === 1 ? { ticket_id: heldIds[0] } : { ticket_ids: heldIds },
      key: randomUUID(),
    });
    if (paid.status === 201 || paid.status === 202) {
      this.ledger.payments.set(paid.body.id, { ticketIds: heldIds, userId: user.id, status: paid.status });
      // the token ends once nothing is left to pay (ticket.purchase-finished): the next seat needs a new one
      if (paid.status === 201) user.queueToken = undefined;
      // some buyers change their mind: one ticket cancelled and refunded (the audit counts its refund once)
      if (paid.status === 201 && chance(0.2))
        await this.call('POST', `/tickets/${pick(heldIds)}/cancel`, {
          headers: { 'user-token': user.token },
          key: randomUUID(),
        });
    } else if (paid.status === 401 || paid.status === 403) user.queueToken = undefined;
  }

  async charge(user, points) {
    const key = randomUUID();
    const charged = await this.call('POST', '/points', {
      headers: { 'user-token': user.token },
      body: { point: points, pointType: 'CHARGE' },
      key,
    });
    if (charged.status !== 200) return false;
    this.ledger.idempotentWrites.push({ service: 'payment', scope: 'POST /points', userId: user.id, key });
    return true;
  }

  async reservationFlow(user) {
    const headers = { 'user-token': user.token };
    const eventId = chance(0.5) ? this.events[0] : pick(this.events);
    const noOfTickets = 1 + Math.floor(Math.random() * 3);
    const key = randomUUID();
    const made = await this.call('POST', '/reservations', {
      headers,
      body: { event_id: eventId, no_of_tickets: noOfTickets },
      key,
    });
    if (made.status !== 201) return;
    const entry = { eventId, userId: user.id, noOfTickets, cancelled: false, uncertain: false };
    this.ledger.reservations.set(made.body.id, entry);
    this.ledger.idempotentWrites.push({ service: 'ticket', scope: 'POST /reservations', userId: user.id, key });
    if (chance(0.35)) {
      const wanted = 1 + Math.floor(Math.random() * 4);
      const changed = await this.call('PATCH', `/reservations/${made.body.id}`, {
        headers,
        body: { no_of_tickets: wanted },
      });
      if (changed.status === 200) entry.noOfTickets = wanted;
      else if (changed.status === 0 || changed.status >= 500) entry.uncertain = true;
    }
    if (chance(0.3)) {
      const cancelled = await this.call('DELETE', `/reservations/${made.body.id}`, { headers });
      if (cancelled.status === 204) entry.cancelled = true;
      else if (cancelled.status === 0 || cancelled.status >= 500) entry.uncertain = true;
    }
  }

  async orderFlow(user) {
    const headers = { 'user-token': user.token };
    const lines = [];
    for (const item of [pick(this.items), pick(this.items)]) {
      if (!lines.some((line) => line.productId === item.id))
        lines.push({ productId: item.id, quantity: 1 + Math.floor(Math.random() * 2), price: item.price });
    }
    const amount = lines.reduce((sum, line) => sum + line.price * line.quantity, 0);
    const key = randomUUID();
    const created = await this.call('POST', '/api/orders/create', {
      headers,
      key,
      body: { orderAmount: amount, items: lines.map(({ productId, quantity }) => ({ productId, quantity })) },
    });
    if (created.status !== 201) return;
    const order = { userId: user.id, amount, paid: null };
    this.ledger.orders.set(created.body.orderId, order);
    this.ledger.idempotentWrites.push({ service: 'payment', scope: 'POST /api/orders/create', userId: user.id, key });
    let locked = false;
    for (let i = 0; i < 6 && !locked; i++) {
      await sleep(300);
      const seen = await this.call('GET', `/api/orders/${created.body.orderId}`, { headers });
      if (seen.status === 200 && seen.body.status === 'stock_locked') locked = true;
      if (seen.status === 200 && !['pending', 'stock_locked'].includes(seen.body.status)) return;
    }
    if (!locked) return;
    const byCard = chance(0.4);
    if (!byCard && !(await this.charge(user, amount))) return;
    const payKey = randomUUID();
    const paid = await this.call('POST', '/api/payment/process', {
      headers,
      key: payKey,
      body: byCard
        ? {
            orderId: created.body.orderId,
            paymentMethod: 'card',
            paymentDetails: { cardNumber: pick(CARDS), expiryDate: '12/39', cvv: '123' },
          }
        : { orderId: created.body.orderId, paymentMethod: 'points' },
    });
    if (paid.status === 200 || paid.status === 202) {
      order.paid = byCard ? 'card' : 'points';
      this.ledger.idempotentWrites.push({
        service: 'payment',
        scope: 'POST /api/payment/process',
        userId: user.id,
        key: payKey,
      });
    }
  }

  async alarmFlow(user) {
    const headers = { 'user-token': user.token };
    const item = pick(this.items.slice(0, 12));
    const id = `${user.id}:${item.id}`;
    const entry = this.ledger.alarms.get(id) ?? { userId: user.id, itemId: item.id, active: false, uncertain: false };
    const set = !entry.active || chance(0.3);
    const answer = set
      ? await this.call('POST', '/api/alarms', { headers, body: { item_id: item.id } })
      : await this.call('DELETE', '/api/alarms', { headers, body: { item_id: item.id } });
    if (answer.status === (set ? 201 : 200)) {
      entry.active = set;
      this.ledger.alarms.set(id, entry);
    } else if (answer.status === 0 || answer.status >= 500) {
      // sticky: an answer lost in a timeout may still commit later, so this pair's final state is unknown
      entry.uncertain = true;
      this.ledger.alarms.set(id, entry);
    }
    if (chance(0.3)) await this.call('GET', '/api/items', { headers });
    if (chance(0.2)) await this.call('GET', '/api/users/visit', { headers });
  }
}
