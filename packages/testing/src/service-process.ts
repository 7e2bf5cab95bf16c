import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { freePort } from './free-port';
import { waitFor } from './wait';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/**
 * A service run as a real OS process from its build (services/<name>/dist/server.js), for tests that stop a
 * peer for real: SIGTERM for a clean stop, SIGKILL for a crash. Its port stays the same across restarts.
 */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private output = '';

  constructor(
    readonly name: string,
    readonly env: Record<string, string>,
    readonly port: number,
    /** Every line it prints is also appended here, for tests that must search the whole output (secrets in logs). */
    readonly logFile?: string,
  ) {}

  static async create(name: string, env: Record<string, string>): Promise<ServiceProcess> {
    return new ServiceProcess(name, env, Number(env.PORT) > 0 ? Number(env.PORT) : await freePort());
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Everything it printed that is still kept (the last 50,000 characters, across restarts). */
  get keptOutput(): string {
    return this.output;
  }

  /** The last lines it printed: for a failing test's message. */
  get recentOutput(): string {
    return this.output.slice(-4_000);
  }

  async start(): Promise<void> {
    const entry = path.join(REPO_ROOT, 'services', this.name, 'dist', 'server.js');
    if (!existsSync(entry)) throw new Error(`${entry} is missing: build first (npx tsc -b tsconfig.build.json)`);
    const child = spawn(process.execPath, [entry], {
      env: { ...process.env, ...this.env, PORT: String(this.port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-50_000);
      if (this.logFile) appendFileSync(this.logFile, chunk);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) =>
        reject(new Error(`${this.name} exited with code ${code} before it was ready:\n${this.recentOutput}`)),
      ),
    );
    exited.catch(() => undefined);
    const ready = waitFor(
      `${this.name} to be ready on ${this.port}`,
      async () => (await fetch(`${this.url}/ready`)).ok,
      // /ready waits for the consumers' first sync with Kafka; a machine shared by other runs (load 30-40 on 2 cores
      // was seen) takes well over 30 s for that, which failed whole stack suites before a test had run
      { timeoutMs: 90_000, intervalMs: 100 },
    );
    try {
      await Promise.race([ready, exited]);
    } catch (error) {
      child.kill('SIGKILL');
      this.child = undefined;
      throw new Error(`${(error as Error).message}\n${this.recentOutput}`);
    }
  }

  /**
   * Stops it: SIGTERM (graceful) by default, SIGKILL to simulate a crash. Resolves with how it ended (the exit code,
   * or the signal that killed it), or undefined when it was not running.
   */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<ProcessEnd | undefined> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return undefined;
    return new Promise<ProcessEnd>((resolve) => {
      child.once('exit', (code, killedBy) => resolve({ code, signal: killedBy }));
      child.kill(signal);
      setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
    });
  }
}

export interface ProcessEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
}
