import { TOPICS } from '@boxoffice/contracts';
import type { App } from '@boxoffice/http';
import { EventRecorder } from './event-recorder';
import { dropDatabase, testEnv } from './infra';
import { PeerPublisher, type AnnouncedUser } from './peer-publisher';
import { ServiceProcess } from './service-process';

/** A peer URL nothing listens on, for peers a test never lets the service ask. */
export const NEVER_ASKED = 'http://127.0.0.1:9';

/**
 * One service in-process on real PostgreSQL, Redis and Kafka under its own database and topic prefix. Its peers are
 * played the way they publish (real events on Kafka through `peers`: users as the user service announces them);
 * what the service publishes is read back by `recorder`. Service kits extend it with their own helpers.
 */
export class ServiceKit {
  readonly env: Record<string, string>;
  readonly recorder: EventRecorder;
  private readonly recorded: string[];
  protected readonly peers: PeerPublisher;
  app!: App;
  admin!: AnnouncedUser;

  constructor(
    service: string,
    private readonly build: (env: Record<string, string>) => Promise<App>,
    options: {
      env?: Record<string, string>;
      /** The topics its peers publish to (the users topic is always one). */
      peerTopics: string[];
      /** The topics the recorder reads (none: no recorder runs). */
      recorded?: string[];
    },
  ) {
    // the user service is never asked: users are announced over Kafka and the kit waits for the users replica
    this.env = testEnv(service, { USER_SERVICE_URL: NEVER_ASKED, ...options.env });
    this.recorded = options.recorded ?? [];
    this.recorder = new EventRecorder(this.env.KAFKA_TOPIC_PREFIX!, this.recorded);
    this.peers = new PeerPublisher({
      brokers: this.env.KAFKA_BROKERS!,
      topicPrefix: this.env.KAFKA_TOPIC_PREFIX!,
      topics: [...new Set([TOPICS.users, ...options.peerTopics, ...this.recorded])],
    });
  }

  async start(): Promise<this> {
    // topics first, from one client: creating them while the app's consumers create them too can race in Kafka
    await this.peers.connect();
    if (this.recorded.length > 0) await this.recorder.start();
    this.app = await this.build(this.env);
    await this.app.ready();
    [this.admin] = (await this.users(1, 'admin')) as [AnnouncedUser];
    return this;
  }

  async stop(): Promise<void> {
    await this.recorder.stop().catch(() => undefined);
    await this.peers.stop().catch(() => undefined);
    await this.app?.close().catch(() => undefined);
    await dropDatabase(this.env.DATABASE_URL!);
  }

  /** Announces users as the user service would and waits until the service's users replica knows them. */
  users(count: number, role: 'user' | 'admin' = 'user'): Promise<AnnouncedUser[]> {
    return this.peers.announceUsers(count, { role, replicas: [this.app.pg] });
  }
}

type SuiteKitShape = { start(): Promise<unknown> } & ({ close(): Promise<unknown> } | { stop(): Promise<unknown> });

/**
 * A kit started before its suite's tests and closed (or stopped) after them: `const kit = suiteKit(new ItemKit())`.
 * `startTimeoutMs`: how long its start may take (a service with its consumers, default 60 s).
 */
export function suiteKit<Kit extends SuiteKitShape>(kit: Kit, startTimeoutMs = 60_000): Kit {
  beforeAll(() => kit.start(), startTimeoutMs);
  afterAll(() => ('close' in kit ? kit.close() : kit.stop()));
  return kit;
}

/**
 * A built service as a real process for a whole suite: started before its tests, stopped after them and its database
 * (`env.DATABASE_URL`) dropped. The tests read the process as `running`: `const user = suiteProcess('user', env)`,
 * then `user.running.url`.
 */
export function suiteProcess(name: string, env: Record<string, string>): { readonly running: ServiceProcess } {
  const suite = {} as { running: ServiceProcess };
  beforeAll(async () => {
    suite.running = await ServiceProcess.create(name, env);
    await suite.running.start();
  });
  afterAll(async () => {
    await suite.running.stop();
    await dropDatabase(env.DATABASE_URL!);
  });
  return suite;
}

/** Another instance of the service, started and sent SIGTERM: it exits 0, having said it shuts down. */
export async function expectCleanShutdown(name: string, env: Record<string, string>): Promise<void> {
  const other = await ServiceProcess.create(name, { ...env, DEMO_DATA: 'false' });
  await other.start();
  const ended = await other.stop('SIGTERM');
  expect(ended).toEqual({ code: 0, signal: null });
  // the whole output: the consumers' disconnect warnings that follow can push this line out of the last 4,000
  expect(other.keptOutput).toContain(`${name}: shutting down`);
}

/** The service started with `variable` set to an invalid `value`: it exits non-zero naming the variable. */
export async function expectStartRefused(
  name: string,
  env: Record<string, string>,
  variable: string,
  value: string,
): Promise<void> {
  const broken = await ServiceProcess.create(name, { ...env, [variable]: value });
  await expect(broken.start()).rejects.toThrow(
    new RegExp(`${name}: failed to start: Invalid configuration:[\\s\\S]*${variable}`),
  );
}
