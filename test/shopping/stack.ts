import pg from 'pg';
import type { App } from '@boxoffice/http';
import { ServiceProcess, dropDatabase, freePort, testEnv, uniqueSuffix, waitFor } from '@boxoffice/testing';
import { buildApp as buildAlarm } from '../../services/alarm/src/app';
import { readConfig as readAlarmConfig } from '../../services/alarm/src/config';
import { buildApp as buildItem } from '../../services/item/src/app';
import { readConfig as readItemConfig } from '../../services/item/src/config';
import type { ItemRecord } from '../../services/item/src/domain/item';
import { buildApp as buildUser } from '../../services/user/src/app';
import { readConfig as readUserConfig } from '../../services/user/src/config';

export type ShoppingService = 'item' | 'alarm' | 'user';

/** One service of the stack: in this process (fast) or as a real OS process (to stop it for real). */
export interface Running {
  readonly url: string;
  readonly env: Record<string, string>;
  start(): Promise<void>;
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** The in-process app (undefined for a real process). */
  readonly app: App | undefined;
  readonly output: string;
}

class InProcess implements Running {
  app: App | undefined;
  constructor(
    private readonly name: ShoppingService,
    readonly env: Record<string, string>,
    private readonly port: number,
  ) {}
  get url() {
    return `http://127.0.0.1:${this.port}`;
  }
  get output() {
    return '';
  }
  async start() {
    const build = {
      item: () => buildItem(readItemConfig(this.env)),
      alarm: () => buildAlarm(readAlarmConfig(this.env)),
      user: () => buildUser(readUserConfig(this.env)),
    }[this.name];
    this.app = await build();
    await this.app.listen({ host: '127.0.0.1', port: this.port });
  }
  async stop() {
    await this.app?.close();
    this.app = undefined;
  }
}

class AsProcess implements Running {
  constructor(private readonly process: ServiceProcess) {}
  get url() {
    return this.process.url;
  }
  get env() {
    return this.process.env;
  }
  get app() {
    return undefined;
  }
  get output() {
    return this.process.recentOutput;
  }
  start() {
    return this.process.start();
  }
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM') {
    await this.process.stop(signal);
  }
}

export interface ShoppingStack {
  item: Running;
  alarm: Running;
  user: Running;
  prefix: string;
  stop(): Promise<void>;
}

/** The demo admin's token (services/user demo data). */
export const ADMIN_TOKEN = '0b8f4c2e-6a55-4a3c-9d4e-2f1f6c0a0001';

/**
 * item, alarm and user wired to each other on their own ports, with their own databases and one topic prefix.
 * The user service loads its demo users (one admin); `demoItems` loads the 50 demo items.
 */
export async function startShoppingStack(options: {
  mode: 'in-process' | 'process';
  demoItems?: boolean;
  kafkaBrokers?: string;
  extraEnv?: Record<string, string>;
}): Promise<ShoppingStack> {
  const ports = { item: await freePort(), alarm: await freePort(), user: await freePort() };
  const prefix = `t${uniqueSuffix()}.`;
  const urls = {
    ITEM_SERVICE_URL: `http://127.0.0.1:${ports.item}`,
    ALARM_SERVICE_URL: `http://127.0.0.1:${ports.alarm}`,
    USER_SERVICE_URL: `http://127.0.0.1:${ports.user}`,
  };
  const shared = {
    ...urls,
    KAFKA_TOPIC_PREFIX: prefix,
    PEER_TIMEOUT_MS: '500',
    ...(options.kafkaBrokers ? { KAFKA_BROKERS: options.kafkaBrokers } : {}),
    ...options.extraEnv,
  };
  const envs: Record<ShoppingService, Record<string, string>> = {
    user: testEnv('user', { ...shared, DEMO_DATA: 'true', PORT: String(ports.user) }),
    item: testEnv('item', { ...shared, DEMO_DATA: options.demoItems ? 'true' : 'false', PORT: String(ports.item) }),
    alarm: testEnv('alarm', { ...shared, PORT: String(ports.alarm) }),
  };
  const make = async (name: ShoppingService): Promise<Running> =>
    options.mode === 'in-process'
      ? new InProcess(name, envs[name], ports[name])
      : new AsProcess(await ServiceProcess.create(name, envs[name]));
  const stack = { user: await make('user'), item: await make('item'), alarm: await make('alarm') };
  await Promise.all([stack.user.start(), stack.item.start(), stack.alarm.start()]);
  return {
    ...stack,
    prefix,
    async stop() {
      await Promise.all([stack.item.stop(), stack.alarm.stop(), stack.user.stop()]);
      await Promise.all(Object.values(envs).map((env) => dropDatabase(env.DATABASE_URL!)));
    },
  };
}

/** Reads rows from a service's own database: what a test may look at, never what a service does. */
export async function queryDb<T = Record<string, unknown>>(
  service: Running,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: service.env.DATABASE_URL });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** A small HTTP client for the tests: JSON in and out, USER-TOKEN on every call. */
export function as(token: string) {
  const call = async (method: string, url: string, body?: unknown) => {
    const response = await fetch(url, {
      method,
      headers: { 'user-token': token, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  };
  return {
    get: (url: string) => call('GET', url),
    post: (url: string, body?: unknown) => call('POST', url, body),
    patch: (url: string, body?: unknown) => call('PATCH', url, body),
    delete: (url: string, body?: unknown) => call('DELETE', url, body),
  };
}

/** Registers a user through the user service; answers its id and token. */
export async function newUser(stack: ShoppingStack, name = 'shopper'): Promise<{ id: number; token: string }> {
  const response = await fetch(`${stack.user.url}/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, login_id: `${name}${uniqueSuffix()}`, password: 'password123' }),
  });
  const body = (await response.json()) as { id: number; access_token: string };
  return { id: body.id, token: body.access_token };
}

/** Creates an item as the demo admin. */
export async function newItem(
  stack: ShoppingStack,
  fields: Partial<{ name: string; broadcaster: string; category: string; price: number; stock: number }> = {},
) {
  const response = await as(ADMIN_TOKEN).post(`${stack.item.url}/`, {
    name: `item ${uniqueSuffix()}`,
    broadcaster: 'cjmall',
    category: '생활용품',
    price: 1000,
    stock: 10,
    ...fields,
  });
  if (response.status !== 201) throw new Error(`item not created: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.payload as ItemRecord;
}

export { waitFor };
