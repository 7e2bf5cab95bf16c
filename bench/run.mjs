#!/usr/bin/env node
// `npm run bench [-- <scenario> ...] [--profile test|durable] [--no-growth]`: runs the benchmark scenarios one after
// another on each PostgreSQL profile (bench/run-profiles.mjs: test = fsync off, durable = PostgreSQL's defaults;
// both unless --profile says one), each scenario starting the services it needs and measuring its baseline in its
// own run; the payment and item-list scenarios also at 10 and 1,000 concurrent clients (the growth table). Then it
// writes bench/results/REPORT.md with a chart. `npm run bench -- report` only writes the report from the results.
// Needs the infrastructure and a build: `npm run bench` does both first (scripts/bench.sh).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NAMED_RATIOS, meetsTarget, ratiosLine, targetText } from './ratios.mjs';
import { PROFILES, postgresFor } from './run-profiles.mjs';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
/** Where results are read and the report written; BENCH_RESULTS_DIR elsewhere (test/bench writes there). */
const RESULTS = process.env.BENCH_RESULTS_DIR ?? path.join(BENCH, 'results');

/**
 * The scenarios, in the order of the benchmark issue; each script writes bench/results/<prefix>-<time>.json.
 * `ratios`: the issue's named figures the scenario reports (its section's `Ratios:` line shows each, measured or
 * not); `growth`: the run (a key of the result) measured again at 10 and 1,000 concurrent clients.
 */
export const SCENARIOS = [
  {
    name: 'seat-hold-storm',
    script: 'ticket-hold-storm.mjs',
    prefix: 'ticket-hold-storm',
    about: '10,000 clients race for 1,000 seats; then 10,000 one-ticket reservations on 1,000 tickets',
    ratios: ['stormThroughputVsBaseline', 'stormP99VsBaseline', 'reservationsVsBaseline', 'tokenReplicaCatchUpSeconds'],
  },
  {
    name: 'waiting-room',
    script: 'queue-polling.mjs',
    prefix: 'queue-polling',
    about: '10,000 joins, then GET /tokens polling',
    ratios: ['joinsVsBaseline', 'pollingThroughputVsBaseline'],
  },
  {
    name: 'waiting-room-streams',
    script: 'queue-streams.mjs',
    prefix: 'queue-streams',
    about:
      '10,000 open GET /tokens/stream on one queue instance, then admission at 12,000/min: memory per waiter, admission → client sees ACTIVE',
    ratios: [],
  },
  {
    name: 'item-list',
    script: 'item-list.mjs',
    prefix: 'item-list',
    about: 'item list with the alarm service up vs stopped',
    ratios: ['itemListVsStaticBaseline'],
    growth: { run: 'alarmUp', ratio: 'itemListVsStaticBaseline' },
  },
  {
    name: 'gateway',
    script: 'gateway-overhead.mjs',
    prefix: 'gateway-overhead',
    about: 'the same request direct vs through the gateway',
    ratios: ['gatewayOverheadPercent', 'gatewayP99VsDirect'],
  },
  {
    name: 'tracing',
    script: 'tracing-overhead.mjs',
    prefix: 'tracing-overhead',
    about: 'the same path through the gateway with tracing off, at 10% sampling and at 100%',
    ratios: ['tracingOverheadPercent'],
  },
  {
    name: 'event-lag',
    script: 'event-lag.mjs',
    prefix: 'event-lag',
    about: 'write in the owner → visible in a replica, over 1,000 changes',
    ratios: [],
  },
  {
    name: 'payments',
    script: 'payment-ticket.mjs',
    prefix: 'payment-ticket',
    about: 'ticket payments under 100 concurrent users',
    ratios: ['paymentsVsBaseline'],
    growth: { run: 'payments', ratio: 'paymentsVsBaseline' },
  },
];
/** Concurrent clients of the growth table; the scenarios' own runs are the 100. */
export const GROWTH_CONNECTIONS = [10, 100, 1000];
const DEFAULT_CONNECTIONS = 100;

/** Results before profiles were recorded ran on the shared test-profile infrastructure. */
const profileOf = (data) => data.profile?.name ?? 'test';
const connectionsOf = (data) => data.connections ?? DEFAULT_CONNECTIONS;

/** Every result of a scenario, oldest first. */
function resultsOf(prefix) {
  if (!existsSync(RESULTS)) return [];
  return readdirSync(RESULTS)
    .filter((file) => file.startsWith(`${prefix}-`) && file.endsWith('.json'))
    .sort()
    .map((file) => ({ file, data: JSON.parse(readFileSync(path.join(RESULTS, file), 'utf8')) }));
}

/** The newest result of a scenario on a profile at a number of clients. */
function latestResult(results, profile, connections = DEFAULT_CONNECTIONS) {
  return results.filter(({ data }) => profileOf(data) === profile && connectionsOf(data) === connections).at(-1);
}

/** The baseline a result measured: `baseline`, or the median of its rounds' baselines. */
const baselineOf = (data) => data.baseline ?? data.baselineMedian;

/** Every measured run inside a result: any object with requestsPerSecond and p99Ms, except the baseline itself. */
function measuredRuns(data) {
  const runs = [];
  const visit = (value, key) => {
    if (!value || typeof value !== 'object') return;
    if (value === baselineOf(data)) return;
    if (typeof value.requestsPerSecond === 'number' && typeof value.p99Ms === 'number') {
      runs.push({ key, ...value });
      return;
    }
    for (const [childKey, child] of Object.entries(value)) visit(child, childKey);
  };
  visit(data, '');
  return runs;
}

/** Numbers a scenario reports about correctness (holds made, double holds, lost events...): shown as they are. */
function counters(data) {
  const rows = [];
  const visit = (value, trail) => {
    if (!value || typeof value !== 'object' || Array.isArray(value)) return;
    if (typeof value.requestsPerSecond === 'number') return;
    for (const [key, child] of Object.entries(value)) {
      if (typeof child === 'number' || typeof child === 'boolean') rows.push([[...trail, key].join('.'), child]);
      else visit(child, [...trail, key]);
    }
  };
  visit(data, []);
  const skipped = ['baseline.', 'baselineMedian.', 'ratios.', 'profile.', 'connections'];
  return rows.filter(([name]) => !skipped.some((prefix) => name.startsWith(prefix)));
}

function svgChart(bars) {
  const width = 760;
  const rowHeight = 26;
  const left = 330;
  const scaleMax = Math.max(1, ...bars.map((bar) => bar.ratio));
  const height = bars.length * rowHeight + 50;
  const x = (ratio) => left + ((width - left - 60) * ratio) / scaleMax;
  const rows = bars
    .map((bar, i) => {
      const y = 30 + i * rowHeight;
      const label = bar.label.length > 48 ? `${bar.label.slice(0, 47)}…` : bar.label;
      return `<text x="${left - 8}" y="${y + 15}" text-anchor="end" font-size="12">${escapeXml(label)}</text>
<rect x="${left}" y="${y + 3}" width="${Math.max(1, x(bar.ratio) - left)}" height="16" fill="${bar.ratio >= 0.5 ? '#2e7d32' : '#c62828'}"/>
<text x="${x(bar.ratio) + 5}" y="${y + 15}" font-size="12">${(bar.ratio * 100).toFixed(0)}% · p99 ${bar.p99} ms</text>`;
    })
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="10" y="18" font-size="14" font-weight="bold">Throughput as a share of the Fastify + Redis SET NX baseline (same run)</text>
<line x1="${x(0.5)}" y1="25" x2="${x(0.5)}" y2="${height - 10}" stroke="#555" stroke-dasharray="4 3"/>
<text x="${x(0.5) + 3}" y="${height - 12}" font-size="11" fill="#555">50% target</text>
<line x1="${x(1)}" y1="25" x2="${x(1)}" y2="${height - 10}" stroke="#999"/>
${rows}
</svg>
`;
}

const escapeXml = (text) =>
  text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]);

const PROFILE_ABOUT = {
  test: 'test profile: PostgreSQL with fsync, synchronous_commit and full_page_writes off (what `npm test` runs)',
  durable: 'durable profile: PostgreSQL with its defaults, fsync on (what `npm start` runs)',
};

/** One profile's part of a scenario's section: its runs, counters and the `Ratios:` line it ends with. */
function profileSection(scenario, profile, result, bars) {
  const heading = `### ${PROFILE_ABOUT[profile]}`;
  const expected = Object.fromEntries(scenario.ratios.map((name) => [name, undefined]));
  if (!result) {
    const how = `\`npm run bench -- ${scenario.name} --profile ${profile}\``;
    return [heading, '', `No result yet (${how}).`, '', ratiosLine(expected)];
  }
  const { data, file } = result;
  const baseline = baselineOf(data);
  const runs = measuredRuns(data);
  const lines = [heading, '', `Result: [\`${file}\`](${file}), measured ${data.at ?? ''}.`];
  if (baseline || runs.length > 0) {
    lines.push(
      '',
      '| run | req/s | share of baseline | p50 ms | p99 ms | non-2xx | errors |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    );
  }
  if (baseline) {
    lines.push(
      `| ${baseline.name ?? 'baseline'} | ${baseline.requestsPerSecond} | 100% | ${baseline.p50Ms ?? '–'} | ${baseline.p99Ms} | ${baseline.non2xx ?? '–'} | ${baseline.errors ?? '–'} |`,
    );
  }
  for (const run of runs) {
    const ratio = baseline ? run.requestsPerSecond / baseline.requestsPerSecond : undefined;
    lines.push(
      `| ${run.name ?? run.key} | ${run.requestsPerSecond} | ${ratio === undefined ? '–' : `${(ratio * 100).toFixed(1)}%`} | ${run.p50Ms ?? '–'} | ${run.p99Ms} | ${run.non2xx ?? '–'} | ${run.errors ?? '–'} |`,
    );
    if (ratio !== undefined) {
      bars.push({ label: `${profile} · ${scenario.name}: ${run.name ?? run.key}`, ratio, p99: run.p99Ms });
    }
  }
  const rows = counters(data);
  if (rows.length) {
    lines.push('', '| counter | value |', '| --- | ---: |', ...rows.map(([name, value]) => `| ${name} | ${value} |`));
  }
  lines.push('', ratiosLine({ ...expected, ...data.ratios }));
  return lines;
}

/** Every named figure against its target, per profile, from each scenario's newest result. */
function namedRatiosTable(latest) {
  const lines = [
    '| figure | target | test profile | durable profile | what it measures |',
    '| --- | ---: | ---: | ---: | --- |',
  ];
  for (const [name, { about }] of Object.entries(NAMED_RATIOS)) {
    const cells = PROFILES.map((profile) => {
      const value = latest[profile][name];
      if (value === undefined) return 'not measured';
      return `${value} ${meetsTarget(name, value) ? '✓' : '✗'}`;
    });
    lines.push(`| \`${name}\` | ${targetText(name)} | ${cells.join(' | ')} | ${about} |`);
  }
  return lines;
}

/** Payments and the item list at 10, 100 and 1,000 concurrent clients, per profile: how the cost grows. */
function growthTable(resultsByScenario) {
  const lines = [
    '| scenario | clients | test: req/s | test: vs baseline | test: p99 ms | durable: req/s | durable: vs baseline | durable: p99 ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const scenario of SCENARIOS.filter((s) => s.growth)) {
    for (const connections of GROWTH_CONNECTIONS) {
      const cells = PROFILES.flatMap((profile) => {
        const result = latestResult(resultsByScenario.get(scenario.name), profile, connections);
        const run = result?.data[scenario.growth.run];
        if (!run) return ['–', '–', '–'];
        const baseline = baselineOf(result.data);
        const perSecond = run.paymentsPerSecond ?? run.requestsPerSecond;
        const ratio =
          result.data.ratios?.[scenario.growth.ratio] ??
          (baseline ? Number((perSecond / baseline.requestsPerSecond).toFixed(3)) : '–');
        return [perSecond, ratio, run.p99Ms];
      });
      lines.push(`| ${scenario.name} | ${connections.toLocaleString('en')} | ${cells.join(' | ')} |`);
    }
  }
  return lines;
}

export function writeReport() {
  const sections = [];
  const bars = [];
  const resultsByScenario = new Map(SCENARIOS.map((s) => [s.name, resultsOf(s.prefix)]));
  const latest = Object.fromEntries(PROFILES.map((profile) => [profile, {}]));
  for (const scenario of SCENARIOS) {
    const lines = [`## ${scenario.name}`, `${scenario.about}.`];
    for (const profile of PROFILES) {
      const result = latestResult(resultsByScenario.get(scenario.name), profile);
      Object.assign(latest[profile], result?.data.ratios);
      lines.push('', ...profileSection(scenario, profile, result, bars));
    }
    sections.push(`${lines.join('\n')}\n`);
  }
  writeFileSync(path.join(RESULTS, 'chart.svg'), svgChart(bars));
  const report = `# Benchmark report

Generated by \`npm run bench\` on ${new Date().toISOString()}. Everything runs on one 2-core machine over loopback, so
absolute numbers are context; what matters is each run's share of the baseline measured in the same run (a bare
Fastify route doing one Redis \`SET NX\`, unless a scenario names another), and its correctness counters. Every
scenario runs on two PostgreSQL profiles, named in each result: the **${PROFILE_ABOUT.test}**, and the
**${PROFILE_ABOUT.durable}**. Redis and Kafka are the same in both.

![throughput as a share of the baseline](chart.svg)

What was profiled, what dominated and what changed, with before/after ratios: [PROFILE.md](PROFILE.md).

## Named ratios (issue 21)
The newest result of each scenario on each profile.

${namedRatiosTable(latest).join('\n')}

## Growth: payments and the item list at 10, 100 and 1,000 concurrent clients
Each row's baseline is driven with the same number of clients in the same run.

${growthTable(resultsByScenario).join('\n')}

${sections.join('\n')}`;
  writeFileSync(path.join(RESULTS, 'REPORT.md'), report);
  return path.join(RESULTS, 'REPORT.md');
}

/** `[scenario names], profiles, growth` from the command line. */
function parseArguments(argv) {
  const names = [];
  const profiles = [];
  let growth = true;
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i];
    if (argument === '--no-growth') growth = false;
    else if (argument === '--profile') profiles.push(...(argv[++i] ?? '').split(','));
    else if (argument.startsWith('--profile=')) profiles.push(...argument.slice('--profile='.length).split(','));
    else names.push(argument);
  }
  return { names, profiles: profiles.length ? profiles : PROFILES, growth };
}

function runScenario(scenario, env) {
  const script = path.join(BENCH, scenario.script);
  if (!existsSync(script)) {
    console.log(`[bench] ${scenario.name}: not written yet (${scenario.script}), skipped`);
    return true;
  }
  const clients = env.BENCH_CONNECTIONS ? `, ${env.BENCH_CONNECTIONS} clients` : '';
  console.log(`[bench] ${scenario.name} (${env.BENCH_PROFILE} profile${clients}): ${scenario.about}`);
  const result = spawnSync(process.execPath, [script], { stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.status !== 0) console.log(`[bench] ${scenario.name} failed (exit ${result.status})`);
  return result.status === 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { names, profiles, growth } = parseArguments(process.argv.slice(2));
  const unknown = names.filter((name) => !SCENARIOS.some((s) => s.name === name) && name !== 'report');
  const unknownProfiles = profiles.filter((profile) => !PROFILES.includes(profile));
  if (unknown.length || unknownProfiles.length) {
    console.error(
      `unknown scenario(s) or profile(s): ${[...unknown, ...unknownProfiles].join(', ')}; scenarios: ` +
        `${SCENARIOS.map((s) => s.name).join(', ')}, report; profiles: ${PROFILES.join(', ')}`,
    );
    process.exit(2);
  }
  const selected = names.length ? SCENARIOS.filter((s) => names.includes(s.name)) : SCENARIOS;
  let failed = 0;
  if (!(names.length === 1 && names[0] === 'report')) {
    for (const profile of profiles) {
      const postgres = await postgresFor(profile);
      try {
        const env = { TEST_POSTGRES_SERVER: postgres.server, BENCH_PROFILE: profile };
        for (const scenario of selected) if (!runScenario(scenario, env)) failed++;
        const growing = growth ? selected.filter((s) => s.growth) : [];
        for (const connections of GROWTH_CONNECTIONS.filter((c) => c !== DEFAULT_CONNECTIONS)) {
          for (const scenario of growing) {
            if (!runScenario(scenario, { ...env, BENCH_CONNECTIONS: String(connections) })) failed++;
          }
        }
      } finally {
        await postgres.stop();
      }
    }
  }
  console.log(`[bench] report: ${writeReport()}`);
  process.exit(failed ? 1 : 0);
}
