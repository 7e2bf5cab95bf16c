import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The benchmark report (bench/run.mjs) written from results made up here, in a directory of their own: which result
 * each table takes, the Ratios line every profile's section ends with, and the ratios() helper scenarios call. The
 * scenarios themselves are not run: they are measurements, not tests.
 */
const ROOT = path.resolve(__dirname, '../..');
let dir: string;

const run = (name: string, requestsPerSecond: number, p99Ms: number) => ({
  name,
  requestsPerSecond,
  p50Ms: p99Ms / 2,
  p99Ms,
  non2xx: 0,
  errors: 0,
});

function writeResultFile(file: string, data: object) {
  writeFileSync(path.join(dir, file), JSON.stringify(data));
}

function payments(at: string, profile: string | undefined, connections: number, perSecond: number) {
  const baseline = run('baseline', 10_000, 20);
  writeResultFile(`payment-ticket-${at}.json`, {
    at,
    ...(profile && { profile: { name: profile, postgres: {} } }),
    connections,
    machine: { cores: 2, loadAverage1m: 3.5 },
    baseline,
    payments: { ...run('ticket payments', perSecond, 140), paymentsPerSecond: perSecond },
    ratios: { paymentsVsBaseline: perSecond / baseline.requestsPerSecond },
  });
}

function writeReport(): string {
  execFileSync(process.execPath, [path.join(ROOT, 'bench', 'run.mjs'), 'report'], {
    env: { ...process.env, BENCH_RESULTS_DIR: dir },
    stdio: 'pipe',
  });
  return readFileSync(path.join(dir, 'REPORT.md'), 'utf8');
}

/** The lines of the section that starts with `heading`, up to the next heading of the same or a higher level. */
function section(report: string, heading: string): string[] {
  const lines = report.split('\n');
  const start = lines.findIndex((line) => line === heading);
  expect(start).toBeGreaterThanOrEqual(0);
  const level = heading.indexOf(' ');
  const end = lines.findIndex((line, i) => i > start && /^#+ /.test(line) && line.indexOf(' ') <= level);
  return lines.slice(start, end < 0 ? undefined : end).filter((line) => line.trim() !== '');
}

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'boxoffice-bench-report-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the benchmark report', () => {
  it('when results exist on both profiles, then the named ratios table takes the newest of each at 100 clients and marks its target', () => {
    payments('2026-12-01T00-00-00-000Z', 'test', 100, 5_000); // older: must not show
    payments('2026-12-02T00-00-00-000Z', 'test', 100, 118);
    payments('2026-12-02T00-00-01-000Z', 'durable', 100, 2_000);
    payments('2026-12-02T00-00-02-000Z', 'test', 10, 500); // growth row, not the headline figure

    const report = writeReport();

    expect(report).toContain('| `paymentsVsBaseline` | ≥ 0.11 | 0.0118 ✗ | 0.2 ✓ |');
    expect(report).toMatch(/\| `gatewayOverheadPercent` \| ≤ 10 \| not measured \| not measured \|/);
  });

  it('when payments ran at 10, 100 and 1,000 clients, then the growth table has a row for each with its ratio', () => {
    payments('2026-12-02T00-00-00-000Z', 'test', 10, 500);
    payments('2026-12-02T00-00-01-000Z', 'test', 100, 1_000);
    payments('2026-12-02T00-00-02-000Z', 'test', 1000, 300);
    payments('2026-12-02T00-00-03-000Z', 'durable', 1000, 200);

    const growth = section(
      writeReport(),
      '## Growth: payments and the item list at 10, 100 and 1,000 concurrent clients',
    );

    expect(growth).toContain('| payments | 10 | 500 | 0.05 | 140 | – | – | – |');
    expect(growth).toContain('| payments | 100 | 1000 | 0.1 | 140 | – | – | – |');
    expect(growth).toContain('| payments | 1,000 | 300 | 0.03 | 140 | 200 | 0.02 | 140 |');
    expect(growth).toContain('| item-list | 100 | – | – | – | – | – | – |');
  });

  it("when a scenario has a result on one profile only, then each profile's section ends with its Ratios line, measured or not", () => {
    payments('2026-12-02T00-00-00-000Z', 'durable', 100, 2_000);
    // a result from before profiles were recorded: the shared infrastructure ran the test profile
    writeResultFile('gateway-overhead-2026-11-23T18-31-26-409Z.json', {
      at: '2026-11-23T18:31:26.409Z',
      baseline: run('baseline', 9_000, 29),
      direct: run('direct', 3_000, 61),
      viaGateway: run('through the gateway', 2_000, 100),
      ratios: { gatewayOverheadPercent: 34.1, gatewayP99VsDirect: 1.64, gatewayCpuMicrosPerRequest: 630 },
    });

    const report = writeReport();

    // every profile's section (from its ### heading to the next heading) ends with its Ratios line
    const lines = report.split('\n');
    const starts = lines.flatMap((line, i) => (line.startsWith('### ') ? [i] : []));
    expect(starts.length).toBe(2 * (report.match(/^## (?!Named|Growth)/gm) ?? []).length);
    for (const start of starts) {
      const next = lines.findIndex((line, i) => i > start && /^#+ /.test(line));
      const body = lines.slice(start, next < 0 ? undefined : next).filter((line) => line.trim() !== '');
      expect(body.at(-1)).toMatch(/^Ratios: .*\.$/);
    }

    const gateway = section(report, '## gateway');
    expect(gateway).toContain(
      'Ratios: gatewayOverheadPercent = 34.1, gatewayP99VsDirect = 1.64, gatewayCpuMicrosPerRequest = 630.',
    );
    expect(gateway).toContain('Ratios: gatewayOverheadPercent = not measured, gatewayP99VsDirect = not measured.');
    const payment = section(report, '## payments');
    expect(payment).toContain('Ratios: paymentsVsBaseline = not measured.');
    expect(payment).toContain('Ratios: paymentsVsBaseline = 0.2.');
    expect(payment).toContain('| machine.loadAverage1m | 3.5 |');
    expect(section(report, '## seat-hold-storm')).toContain(
      // in the order of bench/ratios.mjs
      'Ratios: reservationsVsBaseline = not measured, tokenReplicaCatchUpSeconds = not measured, ' +
        'stormThroughputVsBaseline = not measured, stormP99VsBaseline = not measured.',
    );
  });
});

describe('ratios()', () => {
  const callRatios = (figures: string) =>
    spawnSync(
      process.execPath,
      ['--input-type=module', '-e', `import { ratios } from './bench/ratios.mjs'; ratios(${figures});`],
      { cwd: ROOT, encoding: 'utf8' },
    );

  it('when a scenario reports its figures, then the Ratios line lists the named ones first', () => {
    const printed = callRatios('{ twoInstancesVsOne: 0.64, stormP99VsBaseline: 3.1, stormThroughputVsBaseline: 0.61 }');
    expect(printed.status).toBe(0);
    expect(printed.stdout.trim()).toBe(
      'Ratios: stormThroughputVsBaseline = 0.61, stormP99VsBaseline = 3.1, twoInstancesVsOne = 0.64.',
    );
  });

  it('when a figure is not a finite number, then the scenario fails naming it', () => {
    const printed = callRatios('{ paymentsVsBaseline: 0 / 0 }');
    expect(printed.status).not.toBe(0);
    expect(printed.stderr).toContain('ratio paymentsVsBaseline is NaN');
  });
});
