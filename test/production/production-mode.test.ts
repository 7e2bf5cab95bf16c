import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { eventPublicKey } from '@boxoffice/config';
import { ServiceProcess, STACK_SERVICES, dropDatabase, testEnv, testInfra } from '@boxoffice/testing';

/**
 * NODE_ENV=production as an operator would start each service from its build: left at the shipped defaults, every
 * service and the gateway refuse to start and name every offending variable, one line each; with real secrets and
 * demo data off they start. Needs a build (dist/).
 */
const ROOT = path.resolve(__dirname, '..', '..');

/** Every service signs its events and checks its producers' (the gateway has no events). */
const EVENT_KEYS = ['EVENT_SIGNING_KEY', 'EVENT_VERIFY_KEYS'];

const EXPECTED: Record<(typeof STACK_SERVICES)[number], string[]> = {
  user: ['DATABASE_URL', 'REDIS_URL', 'DEMO_DATA', 'INTERNAL_API_TOKEN', ...EVENT_KEYS],
  item: ['DATABASE_URL', 'REDIS_URL', 'DEMO_DATA', 'INTERNAL_API_TOKEN', ...EVENT_KEYS],
  alarm: ['DATABASE_URL', 'REDIS_URL', 'DEMO_DATA', 'INTERNAL_API_TOKEN', ...EVENT_KEYS],
  queue: ['DATABASE_URL', 'REDIS_URL', 'DEMO_DATA', ...EVENT_KEYS],
  ticket: ['DATABASE_URL', 'REDIS_URL', 'DEMO_DATA', 'INTERNAL_API_TOKEN', ...EVENT_KEYS],
  payment: [
    'DATABASE_URL',
    'REDIS_URL',
    'DEMO_DATA',
    'INTERNAL_API_TOKEN',
    'CARD_GATEWAY_SECRET',
    'IDEMPOTENCY_HASH_SECRET',
    ...EVENT_KEYS,
  ],
  gateway: ['REDIS_URL'],
};

/** A fresh signing key for `service`, and a fresh key of each peer it would trust. */
function realEventKeys(service: string): Record<string, string> {
  const key = () => randomBytes(32).toString('hex');
  const signing = key();
  const peers = ['item', 'alarm', 'queue', 'ticket', 'payment'].map((peer) => `${peer}:${eventPublicKey(key())}`);
  return {
    EVENT_SIGNING_KEY: signing,
    EVENT_VERIFY_KEYS: [`${service}:${eventPublicKey(signing)}`, ...peers].join(','),
  };
}

function startOnce(service: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'services', service, 'dist', 'server.js')], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('production mode', () => {
  it.each(STACK_SERVICES.map((service) => [service]))(
    'when %s starts in production with the shipped defaults, then it refuses, naming each offending variable',
    async (service) => {
      // nothing but NODE_ENV: what a fresh deployment that forgot its .env would run with
      const { code, output } = await startOnce(service, { NODE_ENV: 'production', PORT: '0' });
      expect({ code, output }).toEqual({ code: 1, output: expect.stringContaining('failed to start') });
      const named = [...output.matchAll(/^\s+- ([A-Z_]+): /gm)].map((match) => match[1]);
      expect(named.sort()).toEqual([...EXPECTED[service]].sort());
      expect(output).not.toContain('dev-internal-token-change-me');
    },
  );

  it('when the user service and the gateway get real secrets and demo data is off, then both start in production', async () => {
    const redisUrl = `${testInfra.redisUrl}/0`; // the same server, spelled unlike the shipped default
    const production = { NODE_ENV: 'production', REDIS_URL: redisUrl };
    const user = await ServiceProcess.create('user', {
      ...testEnv('user'),
      ...production,
      INTERNAL_API_TOKEN: 'a-real-secret-of-forty-characters-000000',
      ...realEventKeys('user'),
    });
    const gateway = await ServiceProcess.create('gateway', {
      ...testEnv('gateway'),
      ...production,
      USER_SERVICE_URLS: user.url,
    });
    try {
      await user.start();
      await gateway.start();
      const answer = await fetch(`${gateway.url}/api/users/users/me`);
      expect(answer.status).toBe(401);
    } finally {
      await gateway.stop();
      await user.stop();
      await dropDatabase(user.env.DATABASE_URL!);
    }
  });
});
