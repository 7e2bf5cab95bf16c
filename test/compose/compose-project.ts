import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort, uniqueSuffix } from '@boxoffice/testing';

const run = promisify(execFile);
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** `docker compose` (v2) where the plugin is installed, else `docker-compose` (v1); COMPOSE=... picks one. */
function composeCommand(): string[] {
  if (process.env.COMPOSE) return process.env.COMPOSE.split(' ');
  const v2 = spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' });
  return v2.status === 0 ? ['docker', 'compose'] : ['docker-compose'];
}

/**
 * docker-compose.yaml + docker-compose.test.yaml as one project of its own (its own name, volumes and network, a
 * fresh .env with random secrets, the gateway on a free port of 127.0.0.1), so it runs beside anything else.
 */
export class ComposeProject {
  readonly name = `boxoffice-test-${uniqueSuffix()}`;
  readonly command = composeCommand();
  private readonly dir = mkdtempSync(path.join(os.tmpdir(), 'boxoffice-compose-'));
  private readonly envFile = path.join(this.dir, '.env');
  gatewayPort = 0;

  get gatewayUrl(): string {
    return `http://127.0.0.1:${this.gatewayPort}`;
  }

  /** Writes the project's .env the way a user gets theirs (scripts/compose-env.sh), on a free gateway port. */
  async prepare(): Promise<void> {
    this.gatewayPort = await freePort();
    execFileSync('bash', [path.join(REPO_ROOT, 'scripts', 'compose-env.sh'), this.envFile], { stdio: 'ignore' });
    const env = readFileSync(this.envFile, 'utf8')
      .replace(/^COMPOSE_PROJECT_NAME=.*$/m, `COMPOSE_PROJECT_NAME=${this.name}`)
      .replace(/^GATEWAY_BIND=.*$/m, 'GATEWAY_BIND=127.0.0.1')
      .replace(/^GATEWAY_PORT=.*$/m, `GATEWAY_PORT=${this.gatewayPort}`);
    writeFileSync(this.envFile, env);
  }

  /** Runs one compose command; its output, or the error with the output, comes back. */
  async compose(...args: string[]): Promise<string> {
    const [file, ...prefix] = this.command;
    const { stdout, stderr } = await run(
      file!,
      [
        ...prefix,
        ...['--project-name', this.name, '--env-file', this.envFile, '--profile', 'demo'],
        ...['-f', path.join(REPO_ROOT, 'docker-compose.yaml'), '-f', path.join(REPO_ROOT, 'docker-compose.test.yaml')],
        ...args,
      ],
      { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024 },
    );
    return stdout + stderr;
  }

  /** The project's containers by service, asked of the engine directly (a compose command costs seconds). */
  private async containers(): Promise<Map<string, string>> {
    const { stdout: ids } = await run('docker', [
      'ps',
      '-a',
      '-q',
      '--no-trunc',
      '--filter',
      `label=com.docker.compose.project=${this.name}`,
    ]);
    const list = ids.trim().split('\n').filter(Boolean);
    if (list.length === 0) return new Map();
    const { stdout } = await run('docker', [
      'inspect',
      '--format',
      '{{index .Config.Labels "com.docker.compose.service"}} {{.Id}}',
      ...list,
    ]);
    return new Map(
      stdout
        .trim()
        .split('\n')
        .map((line) => line.split(' ') as [string, string]),
    );
  }

  private ids = new Map<string, string>();

  /** A container keeps its id across stop and start, so the lookup is done once per service. */
  async containerId(service: string): Promise<string> {
    if (!this.ids.has(service)) this.ids = await this.containers();
    const id = this.ids.get(service);
    if (!id) throw new Error(`no container for ${service} in ${this.name}`);
    return id;
  }

  /** `running healthy`, `exited 0`, ...: the container's state, and its health where it has a check. */
  async state(service: string): Promise<string> {
    const { stdout } = await run('docker', [
      'inspect',
      '--format',
      '{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.ExitCode}}{{end}}',
      await this.containerId(service),
    ]);
    return stdout.trim();
  }

  /** Every host address a container of the project publishes on, as `service ip:port`. */
  async publishedPorts(): Promise<string[]> {
    const all = await this.containers();
    const { stdout } = await run('docker', [
      'inspect',
      '--format',
      '{{index .Config.Labels "com.docker.compose.service"}} {{json .NetworkSettings.Ports}}',
      ...all.values(),
    ]);
    return stdout
      .trim()
      .split('\n')
      .flatMap((line) => {
        const [service, json] = [line.slice(0, line.indexOf(' ')), line.slice(line.indexOf(' ') + 1)];
        const ports = JSON.parse(json) as Record<string, { HostIp: string; HostPort: string }[] | null>;
        return Object.values(ports ?? {})
          .flatMap((bindings) => bindings ?? [])
          .map((binding) => `${service} ${binding.HostIp}:${binding.HostPort}`);
      });
  }

  /** Runs a command in a service's container; its output, trimmed. */
  async exec(service: string, ...command: string[]): Promise<string> {
    const { stdout } = await run('docker', ['exec', await this.containerId(service), ...command]);
    return stdout.trim();
  }

  /** One value from a service's own PostgreSQL, asked inside its container (no port is published for it). */
  sql(database: string, query: string): Promise<string> {
    return this.exec(`pg-${database}`, 'psql', '-U', 'boxoffice', '-d', `boxoffice_${database}`, '-Atc', query);
  }

  /**
   * Each container's state, restarts and last health checks, one line each: what `up` means by "Container X is
   * unhealthy" (compose names only the id), and whether the check failed on a live process or on one that died.
   */
  async healthReport(): Promise<string> {
    const all = await this.containers().catch(() => new Map<string, string>());
    if (all.size === 0) return 'no containers';
    const { stdout } = await run('docker', [
      'inspect',
      '--format',
      '{{index .Config.Labels "com.docker.compose.service"}} {{printf "%.12s" .Id}} {{.State.Status}} ' +
        'restarts={{.RestartCount}} exit={{.State.ExitCode}}{{if .State.Health}} health={{.State.Health.Status}} ' +
        'failing={{.State.Health.FailingStreak}}{{range .State.Health.Log}} [{{.End}} ' +
        'exit {{.ExitCode}} {{printf "%.120q" .Output}}]{{end}}{{end}}',
      ...all.values(),
    ]).catch((error: Error) => ({ stdout: error.message }));
    return stdout.trim();
  }

  async logs(): Promise<string> {
    return this.compose('logs', '--no-color', '--tail', '40').catch((error: Error) => error.message);
  }

  async down(): Promise<void> {
    try {
      await this.compose('down', '-v', '--remove-orphans', '--timeout', '5');
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}
