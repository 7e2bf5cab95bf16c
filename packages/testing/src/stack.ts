import path from 'node:path';
import { dropDatabase, testInfra, uniqueSuffix } from './infra';
import { freePort } from './free-port';
import { ServiceProcess } from './service-process';

export const STACK_SERVICES = ['user', 'item', 'alarm', 'queue', 'ticket', 'payment', 'gateway'] as const;
export type StackService = (typeof STACK_SERVICES)[number];

export interface Stack {
  /** Every instance of every service, in start order. */
  instances: Map<StackService, ServiceProcess[]>;
  /** The first gateway instance; a test that stops it may point this at another. */
  gatewayUrl: string;
  url(service: StackService, instance?: number): string;
  stop(): Promise<void>;
}

/**
 * The whole stack as real processes, as `npm start` runs it but on free ports, fresh databases and its own topic
 * and Redis prefixes, so it can run beside anything else. Needs a build (`dist/`). Demo data is loaded.
 */
export async function startStack(
  options: {
    instances?: number;
    /** The services to start (default: all); the others' URLs are still given to the peers, as if they were down. */
    services?: readonly StackService[];
    env?: Partial<Record<StackService, Record<string, string>>>;
    /** Variables for every service (before each one's own `env`). */
    sharedEnv?: Record<string, string>;
    /** Other PostgreSQL, Redis and Kafka than `testInfra` (e.g. private ones a chaos run may kill). */
    infra?: Partial<typeof testInfra>;
    /** When set, each process's whole output is appended to `<logDir>/<service>-<instance>.log`. */
    logDir?: string;
  } = {},
): Promise<Stack> {
  const count = options.instances ?? 1;
  const infra = { ...testInfra, ...options.infra };
  const suffix = uniqueSuffix();
  const prefix = `e${suffix}.`;
  const ports = new Map<StackService, number[]>();
  for (const service of STACK_SERVICES)
    ports.set(service, await Promise.all(Array.from({ length: count }, () => freePort())));
  const urls = (service: StackService) => ports.get(service)!.map((port) => `http://127.0.0.1:${port}`);
  const shared: Record<string, string> = {
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    REDIS_URL: infra.redisUrl,
    KAFKA_BROKERS: infra.kafkaBrokers,
    KAFKA_TOPIC_PREFIX: prefix,
    REDIS_KEY_PREFIX: `${prefix}ticket:`,
    DEMO_DATA: 'true',
    RATE_LIMIT_MAX: '100000',
    RATE_LIMIT_IP_MAX: '1000000',
    SIGNUP_RATE_LIMIT_MAX: '1000000',
    ...options.sharedEnv,
  };
  for (const service of STACK_SERVICES) {
    // peers call every instance (ResilientClient rotates and skips a refused one), the gateway balances over them
    shared[`${service.toUpperCase()}_SERVICE_URL`] = urls(service).join(',');
    shared[`${service.toUpperCase()}_SERVICE_URLS`] = urls(service).join(',');
  }
  const databases: string[] = [];
  const instances = new Map<StackService, ServiceProcess[]>();
  const stop = async () => {
    const all = [...instances.values()].flat().reverse();
    await Promise.all(all.map((instance) => instance.stop()));
    await Promise.all(databases.map((url) => dropDatabase(url).catch(() => undefined)));
  };
  try {
    for (const service of STACK_SERVICES.filter((name) => options.services?.includes(name) ?? true)) {
      const databaseUrl = `${infra.postgresServer}/t_${service}_e2e_${suffix}`;
      if (service !== 'gateway') databases.push(databaseUrl);
      const started = ports
        .get(service)!
        .map(
          (port, index) =>
            new ServiceProcess(
              service,
              { ...shared, DATABASE_URL: databaseUrl, SERVICE_INSTANCE: String(index + 1), ...options.env?.[service] },
              port,
              options.logDir ? path.join(options.logDir, `${service}-${index + 1}.log`) : undefined,
            ),
        );
      instances.set(service, started);
      // one instance first: it migrates and loads the demo data; the others then start on a ready database
      await started[0]!.start();
      await Promise.all(started.slice(1).map((instance) => instance.start()));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    instances,
    gatewayUrl: urls('gateway')[0]!,
    url: (service, instance = 0) => urls(service)[instance]!,
    stop,
  };
}

/**
 * The whole stack for a suite: started before its tests (`startTimeoutMs` for that), stopped after them. The tests
 * read it as `stack`: `const suite = suiteStack({ env: ... })`, then `suite.stack.gatewayUrl`.
 */
export function suiteStack(
  options?: Parameters<typeof startStack>[0],
  startTimeoutMs = 180_000,
): { readonly stack: Stack } {
  const suite = {} as { stack: Stack };
  beforeAll(async () => {
    suite.stack = await startStack(options);
  }, startTimeoutMs);
  afterAll(async () => {
    await suite.stack?.stop();
  });
  return suite;
}
