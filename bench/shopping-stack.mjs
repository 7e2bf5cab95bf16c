// item, alarm and user as processes wired to each other: each needs the others' URLs before it starts, so the
// ports are chosen first (lib.startService picks its own). Databases are t_* (bench), topics get a run prefix.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { POSTGRES, ROOT, freePort, runId, waitUntil } from './lib.mjs';

export const ADMIN_TOKEN = '0b8f4c2e-6a55-4a3c-9d4e-2f1f6c0a0001';
export const SHOPPER_TOKEN = '4a49145e-45a8-4845-af45-1af2a59bb044'; // demo user 10

function stop(child, signal = 'SIGTERM') {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill(signal);
  });
}

export async function startShoppingStack() {
  const ports = { item: await freePort(), alarm: await freePort(), user: await freePort() };
  const urls = Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, `http://127.0.0.1:${port}`]));
  const children = {};
  const start = async (name) => {
    children[name] = spawn(process.execPath, [path.join(ROOT, 'services', name, 'dist', 'server.js')], {
      env: {
        ...process.env,
        PORT: String(ports[name]),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        DEMO_DATA: 'true',
        DATABASE_URL: `${POSTGRES}/t_${name}_bench_${runId}`,
        KAFKA_TOPIC_PREFIX: `bench${runId}.`,
        ITEM_SERVICE_URL: urls.item,
        ALARM_SERVICE_URL: urls.alarm,
        USER_SERVICE_URL: urls.user,
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    await waitUntil(`${name} ready`, async () => (await fetch(`${urls[name]}/ready`)).ok);
  };
  await start('user');
  await Promise.all([start('item'), start('alarm')]);
  return {
    urls,
    start,
    stop: (name, signal) => stop(children[name], signal),
    stopAll: () => Promise.all(Object.values(children).map((child) => stop(child))),
  };
}

export async function call(method, url, token, body) {
  const response = await fetch(url, {
    method,
    headers: { 'user-token': token, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

/** Waits until the item service's list shows what the alarm service was told, for the shopper. */
export async function waitForAlarmsInItemList(urls, expectedIds) {
  const want = JSON.stringify([...expectedIds].sort((a, b) => b - a));
  await waitUntil('the alarms in the item list', async () => {
    const list = await call('GET', `${urls.item}/`, SHOPPER_TOKEN);
    return JSON.stringify(list.body.payload.filter((item) => item.is_alarm_set).map((item) => item.id)) === want;
  });
}
