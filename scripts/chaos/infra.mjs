// Private PostgreSQL, Redis and Kafka for the chaos run. Other engineers and CI use the shared servers (54329, 63799,
// 9092) at the same time, so a run that kills its infrastructure must own every piece of it: own ports, own data
// directories in a temp dir, removed at the end.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';

const require = createRequire(import.meta.url);
const { KafkaBrokerProcess, freePort, waitFor } = require('../../packages/testing/dist/index.js');

const isRoot = () => process.getuid?.() === 0;

/** True when nothing listens on 127.0.0.1:port: a taken port would mean we are about to kill someone else's server. */
export function portIsFree(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function pickPort(wanted, what) {
  if (!wanted) return freePort();
  if (!(await portIsFree(wanted))) throw new Error(`${what} port ${wanted} is taken: choose another with the env`);
  return wanted;
}

function pgBinDir() {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(a) - Number(b)) : [];
  const dir = versions.length ? path.join(root, versions.at(-1), 'bin') : undefined;
  if (!dir || !existsSync(path.join(dir, 'postgres')))
    throw new Error('PostgreSQL server binaries not found: run scripts/infra.sh up once');
  return dir;
}

/** A throwaway PostgreSQL cluster (no fsync, synchronous commits). Runs as `postgres` when we are root, like scripts/infra.sh. */
export class PostgresCluster {
  constructor(port) {
    this.port = port;
    this.bin = pgBinDir();
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'boxoffice-chaos-pg-'));
    this.data = path.join(this.dir, 'data');
  }

  get server() {
    return `postgres://postgres@127.0.0.1:${this.port}`;
  }

  // async: a blocked event loop would stall the load that runs while PostgreSQL restarts
  async run(tool, args) {
    const command = path.join(this.bin, tool);
    const [file, argv] = isRoot() ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
    try {
      return (await promisify(execFile)(file, argv, { timeout: 120_000 })).stdout;
    } catch (error) {
      throw new Error(`${tool} failed: ${error.stderr || error.message}`);
    }
  }

  async init() {
    if (isRoot()) {
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
      chownSync(this.dir, uid, gid);
    }
    chmodSync(this.dir, 0o700);
    await this.run('initdb', ['-D', this.data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C.UTF-8']);
    await this.start();
  }

  async start() {
    const options = [
      `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=64MB`,
      // fsync=off is safe here (the OS never crashes, only PostgreSQL does); synchronous_commit=off is not: an
      // immediate shutdown would drop commits already acknowledged, which is exactly what the audit looks for
      '-c fsync=off -c full_page_writes=off',
    ].join(' ');
    await this.run('pg_ctl', [
      '-D',
      this.data,
      '-o',
      options,
      '-l',
      path.join(this.dir, 'server.log'),
      '-w',
      '-t',
      '60',
      'start',
    ]);
  }

  /** Immediate shutdown: every backend quits at once, no checkpoint, crash recovery on the next start. */
  async crash() {
    await this.run('pg_ctl', ['-D', this.data, '-m', 'immediate', '-w', 'stop']);
  }

  async destroy() {
    try {
      if (existsSync(path.join(this.data, 'postmaster.pid')))
        await this.run('pg_ctl', ['-D', this.data, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // already down: nothing to stop
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A private redis-server child process with append-only persistence, so a restart keeps the waiting line. */
export class RedisServer {
  constructor(port) {
    this.port = port;
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'boxoffice-chaos-redis-'));
    this.child = undefined;
  }

  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start() {
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--dir',
      this.dir,
      '--save',
      '',
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--maxclients',
      '10000',
      '--logfile',
      path.join(this.dir, 'redis.log'),
    ];
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    this.child = child;
    child.once('error', () => undefined);
    await waitFor(`redis on ${this.port}`, () => ping(this.port), { timeoutMs: 20_000, intervalMs: 100 });
  }

  async kill() {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGKILL');
    });
  }

  async destroy() {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function ping(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let answer = '';
    socket.setTimeout(1_000);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      answer += chunk.toString();
      if (answer.includes('\r\n')) {
        socket.destroy();
        resolve(answer.startsWith('+PONG'));
      }
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** Every private server the run needs, started; `destroy` stops and deletes them all, whatever state they are in. */
export async function startPrivateInfra({ pgPort, redisPort, kafkaPort, log }) {
  const ports = {
    pg: await pickPort(pgPort, 'PostgreSQL'),
    redis: await pickPort(redisPort, 'Redis'),
    kafka: await pickPort(kafkaPort, 'Kafka'),
  };
  if (!(await portIsFree(ports.kafka + 1))) throw new Error(`Kafka controller port ${ports.kafka + 1} is taken`);
  const postgres = new PostgresCluster(ports.pg);
  const redis = new RedisServer(ports.redis);
  const kafka = new KafkaBrokerProcess(ports.kafka, ports.kafka + 1);
  const destroy = async () => {
    await kafka.kill().catch(() => undefined);
    kafka.remove();
    await redis.destroy().catch(() => undefined);
    await postgres.destroy().catch(() => undefined);
  };
  try {
    log(
      `private infra: postgres 127.0.0.1:${ports.pg}, redis 127.0.0.1:${ports.redis}, kafka 127.0.0.1:${ports.kafka}`,
    );
    await Promise.all([postgres.init(), redis.start(), kafka.start()]);
  } catch (error) {
    await destroy();
    throw error;
  }
  return {
    postgres,
    redis,
    kafka,
    infra: { postgresServer: postgres.server, redisUrl: redis.url, kafkaBrokers: kafka.brokers },
    destroy,
  };
}
