import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startStack, STACK_SERVICES, type Stack, type StackService } from '@boxoffice/testing';

/**
 * Schemathesis (an independent OpenAPI fuzzer, pinned in scripts/schemathesis.sh) against every service's
 * /openapi.json and the gateway's merged one, on the whole stack as real processes: no server error, no status
 * the document does not list, and 405 with a matching `Allow` for every method a path does not declare. Fixed seed,
 * so CI runs the same cases. Needs a build (dist/) and python3.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const SCRIPT = path.join(ROOT, 'scripts', 'schemathesis.sh');
const SEED = process.env.SCHEMATHESIS_SEED ?? '20261123';
const ADMIN_TOKEN = '0b8f4c2e-6a55-4a3c-9d4e-2f1f6c0a0001'; // demo data: the stack loads it
const CHECKS = ['not_a_server_error', 'status_code_conformance', 'unsupported_method', 'allow_header_conformance'];
// The gateway's document is every service's again, and the gateway passes bodies through unparsed: its own risk is
// routing. It gets the coverage phase (every operation, its boundary and invalid inputs, every undeclared method), not
// the random fuzzing and stateful phases, which would fuzz each service's handlers a second time (about half of the
// gateway's run, the longest of all).
const PHASES: Partial<Record<StackService, string>> = { gateway: 'examples,coverage' };
// With a valid token the stream never ends, so a fuzzer waiting for the body checks nothing and times out after 10 s
// per case (236 s of the queue's 246). It is fuzzed on its own, without the token, so every case is answered.
// The stream's own behaviour is tested in services/queue/test/routes/token-stream.test.ts.
const STREAM_PATH = '/tokens/stream';
const STREAMING: readonly StackService[] = ['queue', 'gateway'];

const python = spawnSync('python3', ['--version']);
const hasPython = python.status === 0;
if (!hasPython) console.warn('schemathesis: SKIPPED, python3 is not installed on this machine (CI machines have it)');

// Schemathesis and Hypothesis keep caches in their working directory: a temporary one, not the repository
const WORK_DIR = mkdtempSync(path.join(os.tmpdir(), 'boxoffice-schemathesis-'));

function run(args: string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', [SCRIPT, ...args], { cwd: WORK_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** The failures section and the summary, without the request bodies Schemathesis may print in full. */
const readable = (output: string) =>
  output
    .split('\n')
    .filter((line) => line.length < 400)
    .join('\n')
    .slice(-8_000);

(hasPython ? describe : describe.skip)('schemathesis against every service and the gateway', () => {
  let stack: Stack;
  let queueJwt: string;

  beforeAll(async () => {
    const installed = await run(['install'], 300_000);
    if (installed.code !== 0) throw new Error(`schemathesis install failed:\n${installed.output}`);
    stack = await startStack();
    const joined = await fetch(`${stack.url('queue')}/tokens`, {
      method: 'POST',
      headers: { 'user-token': ADMIN_TOKEN, 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 1 }),
    });
    queueJwt = ((await joined.json()) as { token: string }).token;
  }, 360_000);
  afterAll(async () => {
    await stack?.stop();
    rmSync(WORK_DIR, { recursive: true, force: true });
  });

  /** One Schemathesis run; fails the test with its report when it finds a problem. */
  async function fuzz(name: string, url: string, examples: number, extra: string[]) {
    const started = Date.now();
    const { code, output } = await run(
      [
        'run',
        `${url}/openapi.json`,
        '--checks',
        CHECKS.join(','),
        '--max-examples',
        String(examples),
        '--seed',
        SEED,
        '--generation-database',
        'none',
        '--request-timeout',
        '10',
        '--no-color',
        '--header',
        `user-token: ${ADMIN_TOKEN}`,
        ...extra,
      ],
      300_000,
    );
    const summary = output.match(/\d+ generated, .*$/m)?.[0] ?? 'no summary';
    console.log(`schemathesis ${name}: ${summary} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (code !== 0) throw new Error(`schemathesis found problems in ${name} (exit ${code}):\n${readable(output)}`);
    expect(output).toMatch(/\d+ generated, \d+ passed/);
  }

  it.each(STACK_SERVICES.map((service) => [service]))(
    'when Schemathesis fuzzes %s from its OpenAPI document, then no server error, no undocumented status, 405 + Allow for undeclared methods',
    async (service) => {
      const skipStream = STREAMING.includes(service) ? ['--exclude-path', STREAM_PATH] : [];
      const phases = PHASES[service] ? ['--phases', PHASES[service]] : [];
      await fuzz(service, stack.url(service), 25, [
        '--header',
        `authorization: Bearer ${queueJwt}`,
        ...skipStream,
        ...phases,
      ]);
    },
    300_000,
  );

  it.each(STREAMING.map((service) => [service]))(
    'when Schemathesis fuzzes the token stream of %s with tokens it makes up, then no server error and only documented statuses',
    (service) => fuzz(`${service} ${STREAM_PATH}`, stack.url(service), 25, ['--include-path', STREAM_PATH]),
    300_000,
  );
});
