import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The short chaos run (scripts/chaos.mjs --ci): the whole stack on its own PostgreSQL, Redis and Kafka, a mixed
 * load through the gateway, and a SIGKILL of the payment service, of Redis and of Kafka and an immediate
 * PostgreSQL restart, each followed by an audit of the owners' databases. Needs a build (dist/).
 */
const ROOT = path.resolve(__dirname, '..', '..');

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}
interface Row {
  fault: string;
  requests: number;
  ok: number;
  passed: boolean;
  checks: Check[];
}

function runChaos(jsonFile: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'scripts', 'chaos.mjs'), '--ci', '--json', jsonFile], {
      cwd: ROOT,
      // free ports for PostgreSQL and Redis, and a Kafka pair apart from a hand run's 19110/19111
      env: {
        ...process.env,
        CHAOS_PG_PORT: '0',
        CHAOS_REDIS_PORT: '0',
        CHAOS_KAFKA_PORT: process.env.CHAOS_KAFKA_PORT ?? '19120',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

describe('chaos (short form)', () => {
  it('when services, Redis, Kafka and PostgreSQL are killed under load, then every audit passes after each fault', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'boxoffice-chaos-test-'));
    try {
      const jsonFile = path.join(dir, 'result.json');
      const { code, output } = await runChaos(jsonFile);
      // a run that stopped before its audits wrote no result: what it printed is the only account of why
      if (!existsSync(jsonFile))
        throw new Error(
          `chaos run exited with ${code} before writing its result; its output:\n${output.slice(-12_000)}`,
        );
      const result = JSON.parse(readFileSync(jsonFile, 'utf8')) as { rows: Row[] };
      const failed = result.rows.flatMap((row) =>
        row.checks.filter((c) => !c.ok).map((c) => `${row.fault}: ${c.name}: ${c.detail}`),
      );
      if (failed.length > 0 || code !== 0)
        throw new Error(`chaos run failed:\n${failed.join('\n')}\n${output.slice(-6_000)}`);
      expect(result.rows.map((row) => row.fault)).toEqual(['payment', 'redis', 'kafka', 'postgres']);
      for (const row of result.rows) {
        expect(row.ok).toBeGreaterThan(0); // load really ran through each fault
        expect(row.passed).toBe(true);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);
});
