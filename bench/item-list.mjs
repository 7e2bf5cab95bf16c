// Item list with the alarm service running vs really stopped, in one run beside the baseline. The item service
// answers is_alarm_set from its own alarms replica, so stopping the alarm service should change nothing.
// Target (shared/PERFORMANCE.md): p99 with alarm stopped ≤ 1.2 × p99 with it running. p99 per side is the worst
// of its rounds; req/s the mean.
import { drive, startBaselineProcess, summarize, writeResult } from './lib.mjs';

const ROUNDS = Number(process.env.ITEM_LIST_ROUNDS ?? 2);
import { SHOPPER_TOKEN, call, startShoppingStack, waitForAlarmsInItemList } from './shopping-stack.mjs';

const stack = await startShoppingStack();
try {
  const alarmed = [3, 17, 29, 41, 50];
  for (const id of alarmed) await call('POST', `${stack.urls.alarm}/`, SHOPPER_TOKEN, { item_id: id });
  await waitForAlarmsInItemList(stack.urls, alarmed);
  const baselineServer = await startBaselineProcess();
  const headers = { 'user-token': SHOPPER_TOKEN };
  const url = `${stack.urls.item}/`;

  await drive({ url, headers, duration: 2 }); // warm-up
  const baseline = summarize(
    'baseline: Fastify + Redis SET NX',
    await drive({ url: baselineServer.url, method: 'POST' }),
  );
  // up and down alternate (up, down, up, down), so a change in the machine's load biases neither side
  const runs = { up: [], down: [] };
  let stillRight = true;
  for (let round = 0; round < ROUNDS; round++) {
    if (round > 0) {
      await stack.start('alarm');
      await drive({ url, headers, duration: 1 });
    }
    runs.up.push(await drive({ url, headers }));
    await stack.stop('alarm', 'SIGKILL');
    runs.down.push(await drive({ url, headers }));
    const after = await call('GET', url, SHOPPER_TOKEN);
    const shown = after.body.payload.filter((item) => item.is_alarm_set).map((item) => item.id);
    stillRight &&= after.status === 200 && JSON.stringify(shown) === JSON.stringify([...alarmed].sort((a, b) => b - a));
  }
  await baselineServer.stop();
  const combine = (name, results) => ({
    name,
    requestsPerSecond: Math.round(results.reduce((sum, r) => sum + r.requests.average, 0) / results.length),
    p50Ms: Math.max(...results.map((r) => r.latency.p50)),
    p99Ms: Math.max(...results.map((r) => r.latency.p99)),
    total: results.reduce((sum, r) => sum + r.requests.total, 0),
    non2xx: results.reduce((sum, r) => sum + r.non2xx, 0),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
    timeouts: results.reduce((sum, r) => sum + r.timeouts, 0),
    rounds: results.map((r) => ({ requestsPerSecond: Math.round(r.requests.average), p99Ms: r.latency.p99 })),
  });
  const alarmUp = combine('GET / (50 items), alarm service running', runs.up);
  const alarmDown = combine('GET / (50 items), alarm service stopped (SIGKILL)', runs.down);

  writeResult('item-list', {
    baseline,
    alarmUp,
    alarmDown,
    rounds: ROUNDS,
    isAlarmSetCorrectWithAlarmDown: stillRight,
    ratios: {
      throughputDownVsUp: Number((alarmDown.requestsPerSecond / alarmUp.requestsPerSecond).toFixed(3)),
      p99DownVsUp: Number((alarmDown.p99Ms / Math.max(1, alarmUp.p99Ms)).toFixed(2)),
      alarmUpVsBaseline: Number((alarmUp.requestsPerSecond / baseline.requestsPerSecond).toFixed(3)),
    },
  });
} finally {
  await stack.stopAll();
}
