// Change event → replica visible: an alarm set or cleared through the alarm service, timed until the item
// service's list shows it (outbox → Kafka → consumer → replica). LAG_CHANGES changes (default 1,000, the benchmark issue's count), one at a
// time, each polled on the item list as fast as it answers. Target (shared/PERFORMANCE.md): p99 ≤ 200 ms.
import { writeResult } from './lib.mjs';
import { SHOPPER_TOKEN, call, startShoppingStack, waitForAlarmsInItemList } from './shopping-stack.mjs';

const CHANGES = Number(process.env.LAG_CHANGES ?? 1_000);
const LIMIT_MS = 5_000;

const stack = await startShoppingStack();
try {
  // one change first, so every consumer has joined its group and the replica is warm before timing starts
  await call('POST', `${stack.urls.alarm}/`, SHOPPER_TOKEN, { item_id: 1 });
  await waitForAlarmsInItemList(stack.urls, [1]);
  await call('DELETE', `${stack.urls.alarm}/`, SHOPPER_TOKEN, { item_id: 1 });
  await waitForAlarmsInItemList(stack.urls, []);

  const lags = [];
  let lost = 0;
  for (let i = 0; i < CHANGES; i++) {
    const itemId = 1 + (Math.floor(i / 2) % 50);
    const set = i % 2 === 0;
    const listUrl = `${stack.urls.item}/?offset=${50 - itemId}&limit=1`;
    const started = performance.now();
    const written = await call(set ? 'POST' : 'DELETE', `${stack.urls.alarm}/`, SHOPPER_TOKEN, { item_id: itemId });
    if (written.status !== (set ? 201 : 200)) throw new Error(`alarm change answered ${written.status}`);
    for (;;) {
      const list = await call('GET', listUrl, SHOPPER_TOKEN);
      if (list.body.payload[0].id !== itemId) throw new Error('item list page does not hold the item');
      if (list.body.payload[0].is_alarm_set === set) {
        lags.push(performance.now() - started);
        break;
      }
      if (performance.now() - started > LIMIT_MS) {
        lost++;
        break;
      }
    }
  }
  lags.sort((a, b) => a - b);
  const at = (q) => Number(lags[Math.min(lags.length - 1, Math.ceil(q * lags.length) - 1)].toFixed(1));
  writeResult('event-lag', {
    scenario: `alarm set/cleared in the alarm service → is_alarm_set in the item service's list, ${CHANGES} changes`,
    changes: CHANGES,
    seen: lags.length,
    notSeenWithin5s: lost,
    lagMs: {
      p50: at(0.5),
      p90: at(0.9),
      p99: at(0.99),
      max: at(1),
      mean: Number((lags.reduce((a, b) => a + b, 0) / lags.length).toFixed(1)),
    },
    withinOneSecond: lags.filter((lag) => lag <= 1_000).length,
  });
} finally {
  await stack.stopAll();
}
