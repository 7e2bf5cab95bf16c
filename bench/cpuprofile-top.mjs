// Summarises a V8 .cpuprofile (node --cpu-prof): self and total time by package/file and by function.
// Usage: node bench/cpuprofile-top.mjs <file.cpuprofile> [--from <µs> --to <µs>] [--top 25] [--json]
// --from/--to keep only samples in a window of the monotonic clock (process.hrtime in µs, the clock V8 stamps
// profiles with on Linux), e.g. the storm window that bench/ticket-hold-storm.mjs prints.
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const option = (name) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : undefined;
};
const file = args.find(
  (arg, i) => !arg.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--') && args[i - 1] !== '--json'),
);
if (!file) {
  console.error('usage: node bench/cpuprofile-top.mjs <file.cpuprofile> [--from µs --to µs] [--top N] [--json]');
  process.exit(2);
}
const from = Number(option('from') ?? -Infinity);
const to = Number(option('to') ?? Infinity);
const top = Number(option('top') ?? 25);

const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

/** Where a frame's code lives: an npm package, a workspace package or service file, a node built-in, or V8 itself. */
function groupOf(frame) {
  const url = frame.url ?? '';
  if (!url) return `(${frame.functionName || 'native'})`;
  const clean = url.replace(/^file:\/\//, '');
  const modules = clean.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = clean.slice(modules + '/node_modules/'.length).split('/');
    const name = rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
    if (name.startsWith('@boxoffice/')) return `${name}/${rest.slice(rest[0].startsWith('@') ? 2 : 1).join('/')}`;
    return name;
  }
  if (clean.startsWith('node:')) return clean.split('/').slice(0, 2).join('/');
  const workspace = clean.match(/\/(packages|services)\/([^/]+)\/(?:dist|src)\/(.+)$/);
  if (workspace) return `${workspace[1]}/${workspace[2]}/${workspace[3]}`;
  return clean;
}
const functionOf = (frame) => `${frame.functionName || '(anonymous)'} ${groupOf(frame)}:${frame.lineNumber + 1}`;

const self = { group: new Map(), fn: new Map() };
const total = { group: new Map(), fn: new Map() };
const add = (map, key, value) => map.set(key, (map.get(key) ?? 0) + value);

let at = profile.startTime;
let kept = 0;
let all = 0;
for (let i = 0; i < profile.samples.length; i++) {
  at += profile.timeDeltas[i];
  const delta = profile.timeDeltas[i + 1] ?? 0; // a sample stands for the time until the next one
  all += delta;
  if (at < from || at > to) continue;
  kept += delta;
  const leaf = nodes.get(profile.samples[i]);
  add(self.group, groupOf(leaf.callFrame), delta);
  add(self.fn, functionOf(leaf.callFrame), delta);
  // a frame counts once per sample in the totals, however often it recurses
  const groups = new Set();
  const fns = new Set();
  for (let id = leaf.id; id !== undefined; id = parent.get(id)) {
    const frame = nodes.get(id).callFrame;
    if (frame.functionName === '(root)') continue;
    groups.add(groupOf(frame));
    fns.add(functionOf(frame));
  }
  for (const group of groups) add(total.group, group, delta);
  for (const fn of fns) add(total.fn, fn, delta);
}

const rank = (map) =>
  [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, us]) => ({ name, ms: Math.round(us / 1000), share: +(us / kept).toFixed(3) }));
const summary = {
  file,
  sampledMs: Math.round(kept / 1000),
  profileMs: Math.round(all / 1000),
  selfByGroup: rank(self.group),
  totalByGroup: rank(total.group),
  selfByFunction: rank(self.fn),
  totalByFunction: rank(total.fn),
};
if (args.includes('--json')) {
  console.log(JSON.stringify(summary, null, 2));
} else {
  console.log(`${file}: ${summary.sampledMs} ms of samples kept of ${summary.profileMs} ms`);
  for (const key of ['selfByGroup', 'totalByGroup', 'selfByFunction', 'totalByFunction']) {
    console.log(`\n${key}`);
    for (const row of summary[key])
      console.log(`  ${(row.share * 100).toFixed(1).padStart(5)}%  ${String(row.ms).padStart(6)} ms  ${row.name}`);
  }
}
