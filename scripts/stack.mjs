#!/usr/bin/env node
// The no-Docker way to run the whole stack: every service as a child process with prefixed logs, a readiness
// table, and a control socket so one service can be stopped and started while the rest run.
//
//   node scripts/stack.mjs start [--instances N] [--only a,b]   (what `npm start` runs after infra and build)
//   node scripts/stack.mjs svc stop|start|restart|kill <service> (what `npm run svc -- ...` runs)
//   node scripts/stack.mjs svc status
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SOCKET = path.join(ROOT, '.infra', 'stack.sock');

/** Start order matters only for a clean first start: owners of data first, the gateway last. */
export const SERVICES = [
  { name: 'user', port: 7001 },
  { name: 'item', port: 5001 },
  { name: 'alarm', port: 6001 },
  { name: 'queue', port: 8001 },
  { name: 'ticket', port: 8002 },
  { name: 'payment', port: 8003 },
  { name: 'gateway', port: 8080 },
];
/** Instance i of a service listens on its SPEC port + 100 * i (instance 0 on the SPEC port). */
export const instancePort = (port, index) => port + 100 * index;

const COLORS = [36, 32, 33, 35, 34, 31, 96, 92];
const color = (index, text) => (process.stdout.isTTY ? `\x1b[${COLORS[index % COLORS.length]}m${text}\x1b[0m` : text);

function parseArgs(argv) {
  const options = { instances: Number(process.env.STACK_INSTANCES ?? 1), only: undefined };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--instances') options.instances = Number(argv[++i]);
    else if (argv[i].startsWith('--instances=')) options.instances = Number(argv[i].split('=')[1]);
    else if (argv[i] === '--only') options.only = argv[++i].split(',');
    else throw new Error(`unknown option ${argv[i]}`);
  }
  if (!Number.isInteger(options.instances) || options.instances < 1 || options.instances > 8) {
    throw new Error('--instances must be an integer from 1 to 8');
  }
  return options;
}

/** Pino JSON lines become one short readable line; anything else is printed as it came. */
function formatLine(line) {
  try {
    const entry = JSON.parse(line);
    const time = new Date(entry.time ?? Date.now()).toISOString().slice(11, 23);
    const level =
      { 10: 'trace', 20: 'debug', 30: 'info', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' }[entry.level] ?? entry.level;
    const request = entry.method ? ` ${entry.method} ${entry.url} ${entry.status} ${entry.ms}ms` : '';
    const error = entry.err ? ` (${entry.err.message ?? entry.err.type ?? ''})` : '';
    return `${time} ${level} ${entry.msg}${request}${error}`;
  } catch {
    return line;
  }
}

class Instance {
  constructor(service, index, colorIndex) {
    this.service = service;
    this.index = index;
    this.port = instancePort(service.port, index);
    this.label = index === 0 && !Instance.multi ? service.name : `${service.name}#${index + 1}`;
    this.colorIndex = colorIndex;
    this.child = undefined;
    this.state = 'stopped';
  }

  get entry() {
    return path.join(ROOT, 'services', this.service.name, 'dist', 'server.js');
  }

  print(text) {
    for (const line of text.split('\n'))
      if (line.trim())
        process.stdout.write(`${color(this.colorIndex, `[${this.label.padEnd(10)}]`)} ${formatLine(line)}\n`);
  }

  start(env) {
    if (this.child) return;
    const child = spawn(process.execPath, [this.entry], {
      env: { ...process.env, ...env, PORT: String(this.port), SERVICE_INSTANCE: String(this.index + 1) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.state = 'starting';
    let buffer = '';
    const onData = (chunk) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop();
      this.print(lines.join('\n'));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code, signal) => {
      if (buffer) this.print(buffer);
      this.child = undefined;
      this.state = this.stopping ? 'stopped' : `exited (${signal ?? code})`;
      this.stopping = false;
      if (this.state !== 'stopped') this.print(`process ${this.state}`);
    });
  }

  async waitReady(timeoutMs = 60_000) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.child) return false;
      try {
        const response = await fetch(`http://127.0.0.1:${this.port}/ready`);
        if (response.ok) {
          this.state = 'ready';
          return true;
        }
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    this.state = 'not ready';
    return false;
  }

  stop(signal = 'SIGTERM') {
    const child = this.child;
    if (!child) return Promise.resolve();
    this.stopping = signal === 'SIGTERM';
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
      setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
    });
  }
}

/** Peer URLs for every service: with several instances, every list names them all. */
function stackEnv(services, instances) {
  const env = {};
  for (const service of services) {
    const urls = Array.from({ length: instances }, (_, i) => `http://127.0.0.1:${instancePort(service.port, i)}`);
    // peers rotate over every instance and skip one that refuses connections (ResilientClient)
    env[`${service.name.toUpperCase()}_SERVICE_URL`] = urls.join(',');
    env[`${service.name.toUpperCase()}_SERVICE_URLS`] = urls.join(',');
  }
  return env;
}

function table(instances) {
  const rows = instances.map((i) => [i.label, String(i.port), i.state]);
  const widths = [0, 1, 2].map((c) =>
    Math.max(...rows.map((r) => r[c].length), ['service', 'port', 'state'][c].length),
  );
  const line = (cells) => cells.map((cell, c) => cell.padEnd(widths[c])).join('  ');
  return [line(['service', 'port', 'state']), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

async function start(argv) {
  const options = parseArgs(argv);
  const wanted = SERVICES.filter((s) => !options.only || options.only.includes(s.name));
  const available = wanted.filter((s) => existsSync(path.join(ROOT, 'services', s.name, 'dist', 'server.js')));
  const missing = wanted.filter((s) => !available.includes(s));
  if (missing.length) console.log(`[stack] not built (skipped): ${missing.map((s) => s.name).join(', ')}`);
  Instance.multi = options.instances > 1;
  const env = stackEnv(available, options.instances);
  const instances = available.flatMap((service, s) =>
    Array.from({ length: options.instances }, (_, i) => new Instance(service, i, s)),
  );

  // Start the data owners first, one service at a time, so first-start migrations and demo data don't race.
  for (const service of available) {
    const own = instances.filter((i) => i.service === service);
    own.forEach((i) => i.start(env));
    const ready = await Promise.all(own.map((i) => i.waitReady()));
    if (ready.includes(false)) console.log(`[stack] ${service.name} did not become ready; see its log lines above`);
  }

  console.log(`\n${table(instances)}\n`);
  const gateway = instances.find((i) => i.service.name === 'gateway');
  const base = gateway ? `http://127.0.0.1:${gateway.port}` : `http://127.0.0.1:${available[0]?.port ?? 7001}`;
  console.log(
    `Boxoffice is up. ${gateway ? `Web: ${base}/   API: ${base}  (API docs: ${base}/docs)` : 'The gateway is not built yet; services answer on their own ports.'}`,
  );
  console.log('Try:');
  if (gateway) {
    console.log(
      `  curl -s ${base}/api/users/login -H 'content-type: application/json' -d '{"login_id":"gyugyeong","password":"boxoffice-demo"}'`,
    );
    console.log(`  curl -s ${base}/api/items/ -H 'USER-TOKEN: 4a49145e-45a8-4845-af45-1af2a59bb044'`);
    console.log(`  curl -s ${base}/events -H 'USER-TOKEN: 4a49145e-45a8-4845-af45-1af2a59bb044'`);
  } else {
    console.log(
      `  curl -s http://127.0.0.1:7001/login -H 'content-type: application/json' -d '{"login_id":"gyugyeong","password":"boxoffice-demo"}'`,
    );
    console.log(`  curl -s http://127.0.0.1:7001/ -H 'USER-TOKEN: 4a49145e-45a8-4845-af45-1af2a59bb044'`);
  }
  console.log('Stop one service: npm run svc -- stop alarm   (start it again: npm run svc -- start alarm)');
  console.log('Ctrl-C stops everything.\n');

  mkdirSync(path.dirname(SOCKET), { recursive: true });
  rmSync(SOCKET, { force: true });
  const control = net.createServer((socket) => {
    socket.setEncoding('utf8');
    socket.once('data', async (data) => {
      const { command, service } = JSON.parse(data);
      const targets = instances.filter((i) => i.service.name === service || i.label === service);
      let reply;
      if (command === 'status') reply = table(instances);
      else if (targets.length === 0)
        reply = `unknown service "${service}"; known: ${instances.map((i) => i.label).join(', ')}`;
      else if (command === 'stop' || command === 'kill') {
        await Promise.all(targets.map((i) => i.stop(command === 'kill' ? 'SIGKILL' : 'SIGTERM')));
        targets.forEach((i) => (i.state = command === 'kill' ? 'killed' : 'stopped'));
        reply = `${command === 'kill' ? 'killed' : 'stopped'} ${targets.map((i) => i.label).join(', ')}`;
      } else if (command === 'start' || command === 'restart') {
        if (command === 'restart') await Promise.all(targets.map((i) => i.stop()));
        targets.forEach((i) => i.start(env));
        const ok = await Promise.all(targets.map((i) => i.waitReady()));
        reply = `${targets.map((i) => i.label).join(', ')}: ${ok.every(Boolean) ? 'ready' : 'NOT ready'}`;
      } else reply = `unknown command "${command}"`;
      socket.end(`${reply}\n`);
    });
  });
  control.listen(SOCKET);

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\n[stack] stopping every service...');
    await Promise.all(instances.map((i) => i.stop()));
    control.close();
    rmSync(SOCKET, { force: true });
    console.log('[stack] all services stopped. The infrastructure keeps running: `npm run infra -- down` stops it.');
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

function svc(argv) {
  const [command, service] = argv;
  if (!command || (command !== 'status' && !service)) {
    console.error('usage: npm run svc -- stop|start|restart|kill <service>   |   npm run svc -- status');
    process.exit(2);
  }
  const socket = net.connect(SOCKET);
  socket.on('error', () => {
    console.error('The stack is not running (start it with `npm start` in another terminal).');
    process.exit(1);
  });
  socket.on('connect', () => socket.write(JSON.stringify({ command, service })));
  socket.setEncoding('utf8');
  socket.on('data', (data) => process.stdout.write(data));
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'start') {
  start(rest).catch((error) => {
    console.error(`[stack] ${error.message}`);
    process.exit(1);
  });
} else if (mode === 'svc') svc(rest);
else {
  console.error('usage: node scripts/stack.mjs start [--instances N] | svc <command> <service>');
  process.exit(2);
}
