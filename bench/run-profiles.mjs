// The two PostgreSQL profiles every scenario runs on. `test`: fsync, synchronous commits and full-page writes off,
// what `npm test` runs (scripts/infra.sh --fast). `durable`: PostgreSQL's defaults, what `npm start` runs. Each
// profile uses the shared server when it already runs that way, else a private cluster on a free port with the same
// memory settings as scripts/infra.sh, removed afterwards. Redis and Kafka are the shared ones in both.
import path from 'node:path';
import pg from 'pg';

export const PROFILES = ['test', 'durable'];
export const SHARED_POSTGRES = process.env.TEST_POSTGRES_SERVER ?? 'postgres://postgres@127.0.0.1:54329';

/** The profile a server runs, read from its settings. */
export async function postgresProfile(server) {
  const client = new pg.Client({ connectionString: `${server}/postgres` });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes')`,
    );
    const settings = Object.fromEntries(rows.map((row) => [row.name, row.setting]));
    const allOn = settings.fsync === 'on' && settings.synchronous_commit === 'on' && settings.full_page_writes === 'on';
    return { name: allOn ? 'durable' : settings.fsync === 'off' ? 'test' : 'mixed', postgres: settings };
  } finally {
    await client.end();
  }
}

const SETTINGS = {
  test: '-c fsync=off -c synchronous_commit=off -c full_page_writes=off',
  durable: '',
};

/** A server for `profile`: `{ server, profile, stop }`; `stop` removes a private cluster, and leaves a shared one. */
export async function postgresFor(profile) {
  const shared = await postgresProfile(SHARED_POSTGRES);
  if (shared.name === profile) return { server: SHARED_POSTGRES, profile: shared, stop: async () => undefined };
  // the chaos run's throwaway cluster (runs as `postgres` when we are root), started with this profile's settings
  const { PostgresCluster } = await import('../scripts/chaos/infra.mjs');
  const { freePort } = await import('./lib.mjs');
  class ProfileCluster extends PostgresCluster {
    async start() {
      const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c max_connections=400 -c shared_buffers=256MB ${SETTINGS[profile]}`;
      const log = path.join(this.dir, 'server.log');
      await this.run('pg_ctl', ['-D', this.data, '-o', options, '-l', log, '-w', '-t', '60', 'start']);
    }
  }
  const cluster = new ProfileCluster(await freePort());
  await cluster.init();
  const started = await postgresProfile(cluster.server);
  if (started.name !== profile) {
    await cluster.destroy();
    throw new Error(`a private PostgreSQL for the ${profile} profile came up as ${JSON.stringify(started.postgres)}`);
  }
  console.log(`[bench] ${profile} profile: private PostgreSQL on ${cluster.server}`);
  return { server: cluster.server, profile: started, stop: () => cluster.destroy() };
}
