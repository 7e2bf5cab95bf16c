import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { readMigrations, type MigrationSource } from '@boxoffice/db';
import { dropDatabase, testEnv } from '@boxoffice/testing';
import { ALARM_MIGRATIONS } from '../../services/alarm/src/app';
import { ITEM_MIGRATIONS } from '../../services/item/src/app';
import { PAYMENT_MIGRATIONS } from '../../services/payment/src/app';
import { QUEUE_MIGRATIONS } from '../../services/queue/src/app';
import { TICKET_MIGRATIONS } from '../../services/ticket/src/app';
import { USER_MIGRATIONS } from '../../services/user/src/app';

// The Helm chart's init containers run `node services/<name>/dist/migrate.js` in every pod: several at once on one
// database during a rollout, before the service itself starts.
const SERVICES: Record<string, MigrationSource[]> = {
  alarm: ALARM_MIGRATIONS,
  item: ITEM_MIGRATIONS,
  payment: PAYMENT_MIGRATIONS,
  queue: QUEUE_MIGRATIONS,
  ticket: TICKET_MIGRATIONS,
  user: USER_MIGRATIONS,
};
const REPO_ROOT = path.resolve(__dirname, '..', '..');

function runEntry(service: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const entry = path.join(REPO_ROOT, 'services', service, 'dist', 'migrate.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: build first (npx tsc -b tsconfig.build.json)`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

async function appliedMigrations(databaseUrl: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ key: string }>(
      "SELECT namespace || '/' || version AS key FROM schema_migrations ORDER BY 1",
    );
    return rows.map((row) => row.key);
  } finally {
    await client.end();
  }
}

describe.each(Object.entries(SERVICES))('node services/%s/dist/migrate.js', (service, sources) => {
  const env = testEnv(service);
  afterAll(() => dropDatabase(env.DATABASE_URL!));

  it('when three pods migrate a new database at once, then all exit 0 and every migration is applied once', async () => {
    const runs = await Promise.all([runEntry(service, env), runEntry(service, env), runEntry(service, env)]);
    expect(runs.map((run) => run.code)).toEqual([0, 0, 0]);
    expect(runs.filter((run) => run.output.includes(`${service}: applied `))).toHaveLength(1);
    const expected = readMigrations(sources)
      .map((migration) => `${migration.namespace}/${migration.version}`)
      .sort();
    expect(await appliedMigrations(env.DATABASE_URL!)).toEqual(expected);
  });

  it('when run again, then it exits 0 and says the database was already migrated', async () => {
    const run = await runEntry(service, env);
    expect(run).toEqual({ code: 0, output: `${service}: database already migrated\n` });
  });
});

it('when the database cannot be reached, then migrate.js exits 1 with one line naming the failure', async () => {
  const run = await runEntry('ticket', {
    ...testEnv('ticket'),
    DATABASE_URL: 'postgres://postgres@127.0.0.1:1/t_unreachable',
  });
  expect(run.code).toBe(1);
  expect(run.output).toMatch(/^ticket: migration failed: .+\n$/);
});
