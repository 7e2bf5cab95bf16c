#!/usr/bin/env node
// `npm run bench [-- <scenario> ...]`: runs the benchmark scenarios one after another (each starts the services it
// needs and measures the Fastify + Redis baseline in its own run), then writes bench/results/REPORT.md with a chart.
// Needs the infrastructure and a build: `npm run bench` does both first (scripts/bench.sh).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const RESULTS = path.join(BENCH, 'results');

/** The scenarios, in the order of the benchmark issue; each script writes bench/results/<prefix>-<time>.json. */
export const SCENARIOS = [
  {
    name: 'seat-hold-storm',
    script: 'ticket-hold-storm.mjs',
    prefix: 'ticket-hold-storm',
    about: '10,000 clients race for 1,000 seats; then 10,000 one-ticket reservations on 1,000 tickets',
  },
  {
    name: 'waiting-room',
    script: 'queue-polling.mjs',
    prefix: 'queue-polling',
    about: '10,000 joins, then GET /tokens polling',
  },
  {
    name: 'waiting-room-streams',
    script: 'queue-streams.mjs',
    prefix: 'queue-streams',
    about:
      '10,000 open GET /tokens/stream on one queue instance, then admission at 12,000/min: memory per waiter, admission → client sees ACTIVE',
  },
  {
    name: 'item-list',
    script: 'item-list.mjs',
    prefix: 'item-list',
    about: 'item list with the alarm service up vs stopped',
  },
  {
    name: 'gateway',
    script: 'gateway-overhead.mjs',
    prefix: 'gateway-overhead',
    about: 'the same request direct vs through the gateway',
  },
  {
    name: 'event-lag',
    script: 'event-lag.mjs',
    prefix: 'event-lag',
    about: 'write in the owner → visible in a replica, over 1,000 changes',
  },
  {
    name: 'payments',
    script: 'payment-ticket.mjs',
    prefix: 'payment-ticket',
    about: 'ticket payments under 100 concurrent users',
  },
];

function latestResult(prefix) {
  if (!existsSync(RESULTS)) return undefined;
  const files = readdirSync(RESULTS)
    .filter((file) => file.startsWith(`${prefix}-`) && file.endsWith('.json'))
    .sort();
  const file = files.at(-1);
  return file ? { file, data: JSON.parse(readFileSync(path.join(RESULTS, file), 'utf8')) } : undefined;
}

/** Every measured run inside a result: any object with requestsPerSecond and p99Ms, except the baseline itself. */
function measuredRuns(data) {
  const runs = [];
  const visit = (value, key) => {
    if (!value || typeof value !== 'object') return;
    if (typeof value.requestsPerSecond === 'number' && typeof value.p99Ms === 'number' && key !== 'baseline') {
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
  return rows.filter(([name]) => !name.startsWith('baseline.') && !name.startsWith('ratios.'));
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

export function writeReport() {
  const sections = [];
  const bars = [];
  for (const scenario of SCENARIOS) {
    const result = latestResult(scenario.prefix);
    if (!result) {
      sections.push(
        `## ${scenario.name}\n${scenario.about}.\n\nNo result yet (\`npm run bench -- ${scenario.name}\`).\n`,
      );
      continue;
    }
    const { data, file } = result;
    const baseline = data.baseline;
    const runs = measuredRuns(data);
    const lines = [
      `## ${scenario.name}`,
      `${scenario.about}. Result: [\`${file}\`](${file}), measured ${data.at ?? ''}.`,
    ];
    // a scenario of counters only (no throughput runs) gets no empty throughput table
    if (baseline || runs.length > 0)
      lines.push(
        '',
        '| run | req/s | share of baseline | p50 ms | p99 ms | non-2xx | errors |',
        '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
      );
    if (baseline) {
      lines.push(
        `| ${baseline.name} | ${baseline.requestsPerSecond} | 100% | ${baseline.p50Ms} | ${baseline.p99Ms} | ${baseline.non2xx} | ${baseline.errors} |`,
      );
    }
    for (const run of runs) {
      const ratio = baseline ? run.requestsPerSecond / baseline.requestsPerSecond : undefined;
      lines.push(
        `| ${run.name ?? run.key} | ${run.requestsPerSecond} | ${ratio === undefined ? '–' : `${(ratio * 100).toFixed(1)}%`} | ${run.p50Ms} | ${run.p99Ms} | ${run.non2xx ?? '–'} | ${run.errors ?? '–'} |`,
      );
      if (ratio !== undefined) bars.push({ label: `${scenario.name}: ${run.name ?? run.key}`, ratio, p99: run.p99Ms });
    }
    const rows = counters(data);
    if (rows.length) {
      lines.push('', '| counter | value |', '| --- | ---: |', ...rows.map(([name, value]) => `| ${name} | ${value} |`));
    }
    if (data.ratios)
      lines.push(
        '',
        `Ratios: ${Object.entries(data.ratios)
          .map(([k, v]) => `${k} = ${v}`)
          .join(', ')}.`,
      );
    sections.push(`${lines.join('\n')}\n`);
  }
  writeFileSync(path.join(RESULTS, 'chart.svg'), svgChart(bars));
  const report = `# Benchmark report

Generated by \`npm run bench\` on ${new Date().toISOString()}. Everything runs on one 2-core machine over loopback, so
absolute numbers are context; what matters is each run's share of the baseline measured in the same run (a bare
Fastify route doing one Redis \`SET NX\`), and its correctness counters.

![throughput as a share of the baseline](chart.svg)

What was profiled, what dominated and what changed, with before/after ratios: [PROFILE.md](PROFILE.md).

${sections.join('\n')}`;
  writeFileSync(path.join(RESULTS, 'REPORT.md'), report);
  return path.join(RESULTS, 'REPORT.md');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !SCENARIOS.some((s) => s.name === name) && name !== 'report');
  if (unknown.length) {
    console.error(
      `unknown scenario(s): ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}, report`,
    );
    process.exit(2);
  }
  const selected = wanted.length ? SCENARIOS.filter((s) => wanted.includes(s.name)) : SCENARIOS;
  let failed = 0;
  if (!(wanted.length === 1 && wanted[0] === 'report')) {
    for (const scenario of selected) {
      const script = path.join(BENCH, scenario.script);
      if (!existsSync(script)) {
        console.log(`[bench] ${scenario.name}: not written yet (${scenario.script}), skipped`);
        continue;
      }
      console.log(`[bench] ${scenario.name}: ${scenario.about}`);
      const result = spawnSync(process.execPath, [script], { stdio: 'inherit' });
      if (result.status !== 0) {
        failed++;
        console.log(`[bench] ${scenario.name} failed (exit ${result.status})`);
      }
    }
  }
  console.log(`[bench] report: ${writeReport()}`);
  process.exit(failed ? 1 : 0);
}
