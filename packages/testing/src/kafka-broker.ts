import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/**
 * A private, real Kafka broker for tests that stop and start Kafka: stopping the shared broker would break
 * every other test running meanwhile. Same jars and settings as scripts/infra.sh, its own ports and data.
 */
export class KafkaBrokerProcess {
  private process: ChildProcess | undefined;
  private readonly dir = mkdtempSync(path.join(os.tmpdir(), 'boxoffice-kafka-'));

  constructor(
    readonly port: number,
    private readonly controllerPort = port + 1,
  ) {}

  get brokers(): string {
    return `127.0.0.1:${this.port}`;
  }

  private get libDir(): string {
    const dir = process.env.KAFKA_LIB_DIR ?? path.join(REPO_ROOT, '.infra', 'kafka', 'lib');
    if (!existsSync(dir)) throw new Error(`Kafka jars not found in ${dir}: run scripts/infra.sh up first`);
    return dir;
  }

  private run(args: string[], waitFor?: string, timeoutMs = 90_000): Promise<ChildProcess> {
    const child = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`kafka on ${this.port}: no "${waitFor}" after ${timeoutMs} ms:\n${output.slice(-2000)}`)),
        timeoutMs,
      );
      const onData = (chunk: Buffer) => {
        output = (output + chunk.toString()).slice(-20_000);
        if (waitFor && output.includes(waitFor)) {
          clearTimeout(timer);
          resolve(child);
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        if (waitFor) reject(new Error(`kafka on ${this.port} exited with ${code}:\n${output.slice(-2000)}`));
        else resolve(child);
      });
    });
  }

  async start(): Promise<void> {
    const dataDir = path.join(this.dir, 'data');
    const properties = path.join(this.dir, 'server.properties');
    if (!existsSync(properties)) {
      mkdirSync(dataDir, { recursive: true });
      const template = readFileSync(path.join(REPO_ROOT, 'infra', 'kafka', 'server.properties'), 'utf8');
      writeFileSync(
        properties,
        template
          .replaceAll('@DATA_DIR@', dataDir)
          .replaceAll('@PORT@', String(this.port))
          .replaceAll('@CONTROLLER_PORT@', String(this.controllerPort)),
      );
      const classpath = `${this.libDir}/*`;
      await this.run([
        '-Xmx256m',
        '-cp',
        classpath,
        'kafka.tools.StorageTool',
        'format',
        '-t',
        'dGVzdC1rYWZrYS1icm9rZXI',
        '-c',
        properties,
        '-g',
      ]);
    }
    this.process = await this.run(
      [
        '-Xms128m',
        '-Xmx512m',
        '-XX:+UseG1GC',
        '-Djava.awt.headless=true',
        `-Dlog4j.configuration=file:${path.join(REPO_ROOT, 'infra', 'kafka', 'log4j.properties')}`,
        '-cp',
        `${this.libDir}/*`,
        'kafka.Kafka',
        properties,
      ],
      'Kafka Server started',
    );
  }

  /** SIGTERM and wait: a clean stop, as an operator would do it. */
  async stop(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 30_000).unref();
    });
  }

  /** SIGKILL and wait: a crash. A later start() reuses the same data directory, as a restarted broker would. */
  async kill(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  /** Deletes the broker's data directory; call it after stop() or kill(), once the broker is no longer needed. */
  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
