// The chaos run's audit. It reads every owner's database directly, which only an audit may do (the services never
// read each other's): the owners' tables are the truth the invariants are stated about.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const pg = require('pg');

const SERVICES = ['user', 'item', 'alarm', 'queue', 'ticket', 'payment'];

// Each replica against its source: the SELECTs return the same columns, in the same order and text form.
const asText = (columns) => columns.map((column) => `coalesce((${column})::text, '~')`).join(` || '|' || `);
const REPLICAS = [
  {
    name: 'users',
    source: {
      service: 'user',
      select: `SELECT id AS k, ${asText(['id', 'name', 'role', "encode(sha256(access_token::text::bytea), 'hex')", 'false', 'revision'])} AS line FROM users`,
    },
    replicas: ['item', 'alarm', 'queue', 'ticket', 'payment'].map((service) => ({
      service,
      select: `SELECT id AS k, ${asText(['id', 'name', 'role', 'access_token_sha256', 'deleted', 'revision'])} AS line FROM users_replica`,
    })),
  },
  {
    name: 'items',
    source: {
      service: 'item',
      select: `SELECT id AS k, ${asText(['id', 'name', 'broadcaster', 'category', 'price', 'stock', 'deleted', 'revision'])} AS line FROM items`,
    },
    replicas: ['alarm', 'user'].map((service) => ({
      service,
      select: `SELECT id AS k, ${asText(['id', 'name', 'broadcaster', 'category', 'price', 'stock', 'deleted', 'revision'])} AS line FROM items_replica`,
    })),
  },
  {
    name: 'items (prices)',
    source: {
      service: 'item',
      select: `SELECT id AS k, ${asText(['id', 'name', 'price', 'stock', 'deleted', 'revision'])} AS line FROM items`,
    },
    replicas: [
      {
        service: 'payment',
        select: `SELECT id AS k, ${asText(['id', 'name', 'price', 'stock', 'deleted', 'revision'])} AS line FROM items_replica`,
      },
    ],
  },
  {
    name: 'alarms',
    source: {
      service: 'alarm',
      select: `SELECT user_id::bigint * 1000000000 + item_id AS k, ${asText(['user_id', 'item_id', 'active', 'revision'])} AS line FROM alarms`,
    },
    replicas: ['item', 'user'].map((service) => ({
      service,
      select: `SELECT user_id::bigint * 1000000000 + item_id AS k, ${asText(['user_id', 'item_id', 'active', 'revision'])} AS line FROM alarms_replica`,
    })),
  },
  {
    name: 'queue tokens',
    source: {
      service: 'queue',
      select: `SELECT id::text AS k, ${asText(['id', 'user_id', 'status', '(extract(epoch FROM active_expires_at) * 1000)::bigint', 'revision'])} AS line FROM queue_tokens`,
    },
    replicas: ['ticket', 'payment'].map((service) => ({
      service,
      select: `SELECT token_id::text AS k, ${asText(['token_id', 'user_id', 'status', '(extract(epoch FROM active_expires_at) * 1000)::bigint', 'revision'])} AS line FROM queue_tokens_replica`,
    })),
  },
];
/** Rows as text, one line per row in key order, and their md5: two tables are equal when count and checksum are. */
const checksum = (select) =>
  `SELECT count(*)::int AS n, coalesce(md5(string_agg(line, E'\\n' ORDER BY k)), '') AS sum FROM (${select}) s`;

/** One pool per owner's database, small: the audit runs beside the services. */
export class Databases {
  constructor(urls) {
    this.pools = Object.fromEntries(
      SERVICES.map((service) => {
        const pool = new pg.Pool({ connectionString: urls[service], max: 2, connectionTimeoutMillis: 5_000 });
        pool.on('error', () => undefined); // an idle connection dropped by a PostgreSQL restart: the next query reconnects
        return [service, pool];
      }),
    );
  }

  async rows(service, sql, params) {
    return (await this.pools[service].query(sql, params)).rows;
  }

  async close() {
    await Promise.all(Object.values(this.pools).map((pool) => pool.end().catch(() => undefined)));
  }
}

export async function itemStocks(dbs) {
  return new Map((await dbs.rows('item', 'SELECT id, stock FROM items')).map((row) => [row.id, row.stock]));
}

/** What must be quiet before an audit means anything: outboxes empty, replicas caught up, nothing in doubt. */
export async function unsettled(dbs) {
  const reasons = [];
  for (const service of SERVICES) {
    const [{ n }] = await dbs.rows(service, "SELECT count(*)::int AS n FROM outbox WHERE state = 'pending'");
    if (n > 0) reasons.push(`${service}: ${n} outbox rows pending`);
  }
  for (const replica of await replicaChecks(dbs)) if (!replica.ok) reasons.push(replica.detail);
  const [{ n: pending }] = await dbs.rows(
    'payment',
    "SELECT count(*)::int AS n FROM payments WHERE status = 'PENDING'",
  );
  if (pending > 0) reasons.push(`payment: ${pending} payments PENDING`);
  const [{ n: processing }] = await dbs.rows(
    'payment',
    "SELECT count(*)::int AS n FROM card_charges WHERE status = 'processing'",
  );
  if (processing > 0) reasons.push(`payment: ${processing} card charges processing`);
  return reasons;
}

async function replicaChecks(dbs, detailed = false) {
  const results = [];
  for (const replica of REPLICAS) {
    const [source] = await dbs.rows(replica.source.service, checksum(replica.source.select));
    for (const copy of replica.replicas) {
      const [seen] = await dbs.rows(copy.service, checksum(copy.select));
      const ok = seen.n === source.n && seen.sum === source.sum;
      results.push({
        name: `replica ${replica.name} in ${copy.service}`,
        ok,
        detail: ok
          ? `${seen.n} rows, md5 ${seen.sum.slice(0, 8)}`
          : `${copy.service} ${replica.name} replica: ${seen.n} rows md5 ${seen.sum.slice(0, 8)} vs ${replica.source.service}: ${source.n} rows md5 ${source.sum.slice(0, 8)}` +
            (detailed ? `; ${await rowDiff(dbs, replica.source, copy)}` : ''),
      });
    }
  }
  return results;
}

/** The first rows that differ, for an operator to start from. */
async function rowDiff(dbs, source, copy) {
  const lines = async ({ service, select }) =>
    new Map((await dbs.rows(service, select)).map((row) => [String(row.k), row.line]));
  const [want, have] = await Promise.all([lines(source), lines(copy)]);
  const differences = [];
  for (const [key, line] of want) {
    if (have.get(key) !== line) differences.push(`${key}: source [${line}] replica [${have.get(key) ?? 'absent'}]`);
  }
  for (const [key, line] of have) if (!want.has(key)) differences.push(`${key}: source [absent] replica [${line}]`);
  return `${differences.length} rows differ, e.g. ${differences.slice(0, 3).join(', ')}`;
}

const check = (name, failures, okDetail) => ({
  name,
  ok: failures.length === 0,
  detail: failures.length === 0 ? okDetail : `${failures.length} failing: ${failures.slice(0, 5).join('; ')}`,
});

/** Every invariant, each a named check with a detail line. `initialStocks` is the items' stock before any order. */
export async function audit(dbs, ledger, initialStocks) {
  const checks = [];

  // Seats: never two live tickets on one seat, the seat's status is its ticket's, SOLD ⇔ one COMPLETED payment.
  const doubles = await dbs.rows(
    'ticket',
    "SELECT seat_id, count(*)::int AS n FROM tickets WHERE status IN ('HELD', 'SOLD') GROUP BY seat_id HAVING count(*) > 1",
  );
  checks.push(
    check(
      'no seat with two live tickets',
      doubles.map((r) => `seat ${r.seat_id}: ${r.n}`),
      'none',
    ),
  );
  const mismatched = await dbs.rows(
    'ticket',
    `SELECT s.id, s.status, t.status AS ticket_status FROM seats s LEFT JOIN tickets t ON t.id = s.ticket_id
      WHERE (s.status <> 'AVAILABLE' AND (t.id IS NULL OR t.status <> s.status))
      UNION ALL
     SELECT s.id, s.status, t.status FROM tickets t JOIN seats s ON s.id = t.seat_id
      WHERE t.status IN ('HELD', 'SOLD') AND s.ticket_id IS DISTINCT FROM t.id`,
  );
  checks.push(
    check(
      'every seat agrees with its ticket',
      mismatched.map((r) => `seat ${r.id} ${r.status} / ticket ${r.ticket_status}`),
      'all',
    ),
  );
  // a payment buys one or several tickets (multi-seat checkout): its lines name them, with the price paid for each
  const sold = await dbs.rows('ticket', "SELECT id, payment_id, price FROM tickets WHERE status = 'SOLD'");
  const completed = await dbs.rows(
    'payment',
    `SELECT p.id, p.amount, pt.ticket_id, pt.price FROM payments p JOIN payment_tickets pt ON pt.payment_id = p.id
      WHERE p.status = 'COMPLETED'`,
  );
  const completedByTicket = new Map();
  const linesOfPayment = new Map();
  for (const line of completed) {
    completedByTicket.set(line.ticket_id, [...(completedByTicket.get(line.ticket_id) ?? []), line.id]);
    linesOfPayment.set(line.id, [...(linesOfPayment.get(line.id) ?? []), line]);
  }
  // a cancelled ticket was sold to its payment, which stays COMPLETED (its price came back as a ticket refund)
  const cancelled = await dbs.rows(
    'ticket',
    "SELECT id, payment_id, price FROM tickets WHERE status = 'CANCELLED' AND payment_id IS NOT NULL",
  );
  const soldById = new Map([...sold, ...cancelled].map((ticket) => [ticket.id, ticket]));
  const saleFailures = [];
  for (const ticket of sold) {
    const payments = completedByTicket.get(ticket.id) ?? [];
    if (payments.length !== 1 || payments[0] !== ticket.payment_id)
      saleFailures.push(`SOLD ticket ${ticket.id} has completed payment lines [${payments}]`);
  }
  for (const [paymentId, lines] of linesOfPayment) {
    for (const line of lines)
      if (soldById.get(line.ticket_id)?.payment_id !== paymentId)
        saleFailures.push(`COMPLETED payment ${paymentId} but ticket ${line.ticket_id} not SOLD (or CANCELLED) to it`);
    const total = lines.reduce((sum, line) => sum + Number(line.price), 0);
    if (total !== Number(lines[0].amount))
      saleFailures.push(`COMPLETED payment ${paymentId} of ${lines[0].amount} but its tickets cost ${total}`);
  }
  const multi = [...linesOfPayment.values()].filter((lines) => lines.length > 1).length;
  checks.push(
    check(
      'SOLD ticket ⇔ exactly one COMPLETED payment line; a payment = Σ its tickets',
      saleFailures,
      `${sold.length} sold, ${linesOfPayment.size} completed payments (${multi} of several seats)`,
    ),
  );
  // Cancelled tickets (issue 14): each refunded exactly once, its price, keyed by (payment, ticket); no sold ticket
  // refunded.
  const ticketRefunds = await dbs.rows(
    'payment',
    `SELECT payment_id, ticket_id, count(*)::int AS n, sum(amount)::bigint AS amount FROM point_transactions
      WHERE point_type = 'REFUND' AND ticket_id IS NOT NULL GROUP BY payment_id, ticket_id`,
  );
  const refundOf = new Map(ticketRefunds.map((r) => [`${r.payment_id}:${r.ticket_id}`, r]));
  const refundFailures = [];
  for (const ticket of cancelled) {
    const refund = refundOf.get(`${ticket.payment_id}:${ticket.id}`);
    if (ticket.price > 0 && (!refund || refund.n !== 1 || Number(refund.amount) !== ticket.price))
      refundFailures.push(
        `CANCELLED ticket ${ticket.id}: ${refund ? `${refund.n} refunds of ${refund.amount}` : 'no refund'}`,
      );
  }
  for (const ticket of sold) {
    if (refundOf.has(`${ticket.payment_id}:${ticket.id}`)) refundFailures.push(`SOLD ticket ${ticket.id} was refunded`);
  }
  checks.push(
    check(
      'every CANCELLED ticket refunded exactly once, no SOLD one',
      refundFailures,
      `${cancelled.length} cancelled, ${ticketRefunds.length} ticket refunds`,
    ),
  );
  const stuckHolds = await dbs.rows(
    'ticket',
    "SELECT id FROM tickets WHERE status = 'HELD' AND held_until < now() - interval '30 seconds'",
  );
  checks.push(
    check(
      'expired holds released',
      stuckHolds.map((r) => r.id),
      'none left over',
    ),
  );

  // Counted stock.
  const events = await dbs.rows(
    'ticket',
    `SELECT e.id, e.availability, e.stock, coalesce(sum(r.no_of_tickets) FILTER (WHERE NOT r.cancelled), 0)::int AS reserved
       FROM ga_events e LEFT JOIN reservations r ON r.ga_event_id = e.id GROUP BY e.id`,
  );
  checks.push(
    check(
      'no oversold event (availability ≥ 0, availability + Σ live = stock)',
      events
        .filter((e) => e.availability < 0 || e.availability + e.reserved !== e.stock)
        .map((e) => `event ${e.id}: ${e.availability} + ${e.reserved} ≠ ${e.stock}`),
      `${events.length} events`,
    ),
  );

  // Acknowledged writes.
  const ticketIds = [...ledger.tickets.keys()];
  const foundTickets = new Set(
    (await dbs.rows('ticket', 'SELECT id FROM tickets WHERE id = ANY($1::uuid[])', [ticketIds])).map((r) => r.id),
  );
  checks.push(
    check(
      'every acknowledged hold present',
      ticketIds.filter((id) => !foundTickets.has(id)),
      `${ticketIds.length}`,
    ),
  );
  const paymentIds = [...ledger.payments.keys()];
  const payments = new Map(
    (await dbs.rows('payment', 'SELECT id, status FROM payments WHERE id = ANY($1::uuid[])', [paymentIds])).map((r) => [
      r.id,
      r.status,
    ]),
  );
  const paymentFailures = [];
  for (const [id, acked] of ledger.payments) {
    const status = payments.get(id);
    if (!status) paymentFailures.push(`${id} missing`);
    else if (acked.status === 201 && status !== 'COMPLETED')
      paymentFailures.push(`${id} answered 201 but is ${status}`);
    else if (acked.status === 202 && status === 'PENDING')
      paymentFailures.push(`${id} answered 202 and is still PENDING`);
  }
  checks.push(
    check(
      'every acknowledged payment present and settled',
      paymentFailures,
      `${paymentIds.length} (${[...ledger.payments.values()].filter((p) => p.status === 202).length} were 202)`,
    ),
  );
  const reservationIds = [...ledger.reservations.keys()];
  const reservations = new Map(
    (
      await dbs.rows('ticket', 'SELECT id, no_of_tickets, cancelled FROM reservations WHERE id = ANY($1::uuid[])', [
        reservationIds,
      ])
    ).map((r) => [r.id, r]),
  );
  const reservationFailures = [];
  for (const [id, acked] of ledger.reservations) {
    const row = reservations.get(id);
    if (!row) reservationFailures.push(`${id} missing`);
    else if (!acked.uncertain && row.cancelled !== acked.cancelled)
      reservationFailures.push(`${id} cancelled=${row.cancelled}, acknowledged ${acked.cancelled}`);
    else if (!acked.uncertain && !acked.cancelled && row.no_of_tickets !== acked.noOfTickets)
      reservationFailures.push(`${id} has ${row.no_of_tickets}, acknowledged ${acked.noOfTickets}`);
  }
  checks.push(
    check('every acknowledged reservation present as acknowledged', reservationFailures, `${reservationIds.length}`),
  );
  const orderIds = [...ledger.orders.keys()];
  const orders = new Map(
    (await dbs.rows('payment', 'SELECT id, status FROM orders WHERE id = ANY($1::uuid[])', [orderIds])).map((r) => [
      r.id,
      r.status,
    ]),
  );
  const orderFailures = [];
  for (const [id, acked] of ledger.orders) {
    const status = orders.get(id);
    if (!status) orderFailures.push(`${id} missing`);
    else if (acked.paid === 'points' && status !== 'paid')
      orderFailures.push(`${id} paid by points (200) but ${status}`);
    else if (acked.paid === 'card' && !['paid', 'payment_failed'].includes(status))
      orderFailures.push(`${id} paid by card (202) but ${status}`);
  }
  checks.push(
    check(
      'every acknowledged order present (paid ones paid)',
      orderFailures,
      `${orderIds.length} (${[...ledger.orders.values()].filter((o) => o.paid).length} paid)`,
    ),
  );
  const keyFailures = [];
  for (const write of ledger.idempotentWrites) {
    const rows = await dbs.rows(
      write.service,
      'SELECT 1 FROM idempotency_keys WHERE scope = $1 AND user_id = $2 AND key = $3',
      [write.scope, write.userId, write.key],
    );
    if (rows.length === 0) keyFailures.push(`${write.scope} key ${write.key}`);
  }
  checks.push(
    check('every acknowledged keyed write recorded (points, orders)', keyFailures, `${ledger.idempotentWrites.length}`),
  );
  const alarmRows = new Map(
    (await dbs.rows('alarm', 'SELECT user_id, item_id, active FROM alarms')).map((r) => [
      `${r.user_id}:${r.item_id}`,
      r.active,
    ]),
  );
  const alarmFailures = [];
  for (const [id, acked] of ledger.alarms) {
    if (acked.uncertain) continue;
    if ((alarmRows.get(id) ?? false) !== acked.active)
      alarmFailures.push(`${id} active=${alarmRows.get(id)}, acknowledged ${acked.active}`);
  }
  checks.push(check('every acknowledged alarm change present', alarmFailures, `${ledger.alarms.size} pairs`));

  // Money.
  const wallets = await dbs.rows(
    'payment',
    `SELECT coalesce(w.user_id, l.user_id) AS user_id, w.balance, l.total
       FROM wallets w FULL JOIN (
         SELECT user_id, sum(CASE WHEN point_type = 'USE' THEN -amount ELSE amount END) AS total FROM point_transactions GROUP BY user_id
       ) l ON l.user_id = w.user_id
      WHERE w.balance IS DISTINCT FROM coalesce(l.total, 0) OR w.balance < 0`,
  );
  checks.push(
    check(
      'every wallet = its ledger, ≥ 0',
      wallets.map((w) => `user ${w.user_id}: ${w.balance} vs ledger ${w.total}`),
      'all',
    ),
  );
  const ledgerOfPayments = await dbs.rows(
    'payment',
    `SELECT p.id, p.status,
            count(*) FILTER (WHERE t.point_type = 'USE')::int AS uses,
            count(*) FILTER (WHERE t.point_type = 'REFUND' AND t.ticket_id IS NULL)::int AS refunds
       FROM payments p LEFT JOIN point_transactions t ON t.payment_id = p.id
      GROUP BY p.id, p.status
     HAVING count(*) FILTER (WHERE t.point_type = 'USE') <> 1
         OR count(*) FILTER (WHERE t.point_type = 'REFUND' AND t.ticket_id IS NULL)
            <> (CASE WHEN p.status = 'FAILED' THEN 1 ELSE 0 END)`,
  );
  checks.push(
    check(
      'every payment debited once, refunded whole iff FAILED (ticket refunds checked above)',
      ledgerOfPayments.map((p) => `${p.id} ${p.status}: ${p.uses} USE, ${p.refunds} REFUND`),
      'all',
    ),
  );

  // Orders' money and stock (issue 15): a cancelled order's stock is back, and money held or paid for an order that
  // ended unpaid (cancelled, rejected) went back exactly once; a paid or open order was debited once, never refunded.
  const orderMoney = await dbs.rows(
    'payment',
    `SELECT o.id, o.status, o.payment_status,
            count(*) FILTER (WHERE t.point_type = 'USE')::int AS uses,
            count(*) FILTER (WHERE t.point_type = 'REFUND')::int AS refunds
       FROM orders o JOIN point_transactions t ON t.order_id = o.id
      GROUP BY o.id, o.status, o.payment_status
     HAVING count(*) FILTER (WHERE t.point_type = 'USE') <> 1
         OR count(*) FILTER (WHERE t.point_type = 'REFUND')
            <> (CASE WHEN o.status IN ('cancelled', 'rejected') THEN 1 ELSE 0 END)`,
  );
  const cardsKept = await dbs.rows(
    'payment',
    `SELECT o.id, o.status FROM orders o JOIN card_charges c ON c.order_id = o.id
      WHERE o.status IN ('cancelled', 'rejected', 'payment_failed') AND c.status = 'approved'`,
  );
  checks.push(
    check(
      'every order paid by points debited once, refunded once iff it ended cancelled or rejected; no ended order keeps a card charge',
      [
        ...orderMoney.map((o) => `${o.id} ${o.status}/${o.payment_status}: ${o.uses} USE, ${o.refunds} REFUND`),
        ...cardsKept.map((o) => `${o.id} ${o.status} with an approved card charge`),
      ],
      'all',
    ),
  );
  const cancelledHolding = await dbs.rows(
    'payment',
    "SELECT id, stock_status FROM orders WHERE status = 'cancelled' AND stock_status IN ('locked', 'committed')",
  );
  checks.push(
    check(
      'every cancelled order has its stock returned',
      cancelledHolding.map((o) => `${o.id}: stock still ${o.stock_status}`),
      'all',
    ),
  );
  const remindedTwice = await dbs.rows(
    'alarm',
    "SELECT trigger, count(*)::int AS n FROM notifications WHERE trigger LIKE 'broadcast:%' GROUP BY trigger HAVING count(*) > 1",
  );
  checks.push(
    check(
      'no broadcast reminder sent twice for one slot and user',
      remindedTwice.map((r) => `${r.trigger}: ${r.n}`),
      'all',
    ),
  );

  // Shopping stock: never negative, and what left the shelf is what the orders hold (locked) or bought (committed).
  const stocks = await itemStocks(dbs);
  const held = new Map();
  for (const order of await dbs.rows(
    'payment',
    "SELECT items FROM orders WHERE stock_status IN ('locked', 'committed')",
  )) {
    for (const line of order.items) held.set(line.productId, (held.get(line.productId) ?? 0) + line.quantity);
  }
  const stockFailures = [];
  for (const [id, stock] of stocks) {
    if (stock < 0) stockFailures.push(`item ${id}: stock ${stock}`);
    const expected = (initialStocks.get(id) ?? stock) - (held.get(id) ?? 0);
    if (initialStocks.has(id) && stock !== expected)
      stockFailures.push(`item ${id}: stock ${stock}, expected ${expected}`);
  }
  checks.push(check('item stock ≥ 0 and = initial − locked − committed', stockFailures, `${stocks.size} items`));

  // Plumbing: every outbox drained, nothing dead-lettered, every replica equal to its source.
  const outboxFailures = [];
  const deadLetters = [];
  for (const service of SERVICES) {
    // Background jobs (the hold sweeper, reconcilers) keep writing after the load stops, so a row a few seconds old may
    // still be on its way; one pending longer than the relay ever needs means it is stuck.
    const [{ n }] = await dbs.rows(
      service,
      "SELECT count(*)::int AS n FROM outbox WHERE state = 'pending' AND created_at < now() - interval '5 seconds'",
    );
    if (n > 0) outboxFailures.push(`${service}: ${n} pending for over 5 s`);
    const [{ n: dead }] = await dbs.rows(
      service,
      `SELECT (SELECT count(*)::int FROM dead_letters WHERE state <> 'replayed')
            + (SELECT count(*)::int FROM outbox WHERE state = 'dead') AS n`,
    );
    if (dead > 0) deadLetters.push(`${service}: ${dead}`);
  }
  checks.push(check('every outbox drained (nothing pending over 5 s)', outboxFailures, 'all 6'));
  checks.push(check('no dead letters', deadLetters, 'none'));
  checks.push(...(await replicaChecks(dbs, true)));
  return checks;
}
