import { Type } from '@sinclair/typebox';
import { randomBytes } from 'node:crypto';
import {
  ConfigError,
  SERVICE_PORTS,
  Secret,
  commonEnv,
  developmentEventKey,
  developmentVerifyKeys,
  eventPublicKey,
  loadConfig,
} from '@boxoffice/config';

const schema = Type.Object({
  ...commonEnv('payment', 8003),
  INTERNAL_API_TOKEN: Secret('dev-internal-token-change-me', 'peer secret'),
  CARD_GATEWAY_SECRET: Secret('dev-card-gateway-secret-change-me', 'callback secret'),
});

const strong = (seed: string) => seed.padEnd(40, 'x');
const realKey = () => randomBytes(32).toString('hex');
const realVerifyKeys = () =>
  ['user', 'item', 'ticket'].map((owner) => `${owner}:${eventPublicKey(realKey())}`).join(',');
const productionEnv = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://payment:s3cret@db.internal:5432/payment',
  REDIS_URL: 'redis://:s3cret@redis.internal:6379',
  INTERNAL_API_TOKEN: strong('internal-'),
  CARD_GATEWAY_SECRET: strong('card-'),
  EVENT_SIGNING_KEY: realKey(),
  EVENT_VERIFY_KEYS: realVerifyKeys(),
  DEMO_DATA: 'false',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(schema, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  return [];
}

describe('production mode (NODE_ENV=production)', () => {
  it('when nothing is set outside production, then the development defaults still work', () => {
    expect(problemsOf({})).toEqual([]);
    expect(problemsOf({ NODE_ENV: 'development' })).toEqual([]);
    expect(loadConfig(schema, {}).INTERNAL_API_TOKEN).toBe('dev-internal-token-change-me');
  });

  it('when production leaves everything at its default, then one line names each offending variable', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    expect(problems.map((line) => line.split(':')[0]).sort()).toEqual(
      [
        'CARD_GATEWAY_SECRET',
        'DATABASE_URL',
        'DEMO_DATA',
        'EVENT_SIGNING_KEY',
        'EVENT_VERIFY_KEYS',
        'INTERNAL_API_TOKEN',
        'REDIS_URL',
      ].sort(),
    );
    expect(problems.join('\n')).toMatch(/INTERNAL_API_TOKEN: must be set in production/);
    expect(problems.join('\n')).toMatch(/DEMO_DATA: .*ALLOW_DEMO_DATA_IN_PRODUCTION=true/);
  });

  it('when every secret is real and demo data is off, then production starts', () => {
    expect(problemsOf(productionEnv)).toEqual([]);
  });

  it.each([
    ['the shipped default', 'dev-internal-token-change-me', /must not be the shipped development default/],
    ['the compose placeholder', 'change-me-in-production-change-me-in-production', /placeholder/],
    ['too short', 'short-but-not-a-default', /at least 32 characters/],
  ])('when a secret is %s, then production refuses it naming the variable', (_what, value, message) => {
    const problems = problemsOf({ ...productionEnv, INTERNAL_API_TOKEN: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^INTERNAL_API_TOKEN: /);
    expect(problems[0]).toMatch(message);
    // the value itself is never echoed: it may be a real secret one character off
    expect(problems[0]).not.toContain(value);
  });

  it('when a database URL is the local default, then production refuses it', () => {
    const { DATABASE_URL: _omitted, ...rest } = productionEnv;
    expect(problemsOf(rest)).toEqual([expect.stringMatching(/^DATABASE_URL: must be set in production/)]);
    expect(problemsOf({ ...rest, DATABASE_URL: 'postgres://postgres@127.0.0.1:54329/boxoffice_payment' })).toEqual([
      expect.stringMatching(/^DATABASE_URL: must not be the shipped development default/),
    ]);
  });

  it('when demo data is asked for in production, then only the explicit opt-in lets it load', () => {
    expect(problemsOf({ ...productionEnv, DEMO_DATA: 'true' })).toEqual([expect.stringMatching(/^DEMO_DATA: /)]);
    expect(problemsOf({ ...productionEnv, DEMO_DATA: 'true', ALLOW_DEMO_DATA_IN_PRODUCTION: 'true' })).toEqual([]);
  });

  it('when a secret is also malformed, then it is named once', () => {
    const problems = problemsOf({ ...productionEnv, CARD_GATEWAY_SECRET: 'tiny' });
    expect(problems.filter((line) => line.startsWith('CARD_GATEWAY_SECRET'))).toHaveLength(1);
  });

  it('when nothing is set outside production, then each service signs with its development key and trusts every development key', () => {
    const config = loadConfig(schema, {});
    expect(config.EVENT_SIGNING_KEY).toBe(developmentEventKey('payment'));
    expect(config.EVENT_VERIFY_KEYS).toBe(developmentVerifyKeys(Object.keys(SERVICE_PORTS)));
    expect(config.EVENT_VERIFY_KEYS).toContain(`user:${eventPublicKey(developmentEventKey('user'))}`);
  });

  it.each([
    ['its own development key', () => developmentEventKey('payment')],
    ["another service's development key", () => developmentEventKey('user')],
  ])('when the event signing key is %s, then production refuses it (its private half is public)', (_what, key) => {
    const problems = problemsOf({ ...productionEnv, EVENT_SIGNING_KEY: key() });
    expect(problems).toEqual([expect.stringMatching(/^EVENT_SIGNING_KEY: /)]);
    expect(problems[0]).not.toContain(key());
  });

  it('when the verify keys list one development public key among real ones, then production refuses them', () => {
    const withDevelopmentKey = `${realVerifyKeys()},user:${eventPublicKey(developmentEventKey('user'))}`;
    expect(problemsOf({ ...productionEnv, EVENT_VERIFY_KEYS: withDevelopmentKey })).toEqual([
      expect.stringMatching(/^EVENT_VERIFY_KEYS: holds a development key/),
    ]);
  });

  it('when an event key is not 64 hex characters, then it is refused in any mode', () => {
    expect(problemsOf({ EVENT_SIGNING_KEY: 'not-a-key-but-long-enough' })).toEqual([
      expect.stringMatching(/^EVENT_SIGNING_KEY: /),
    ]);
    expect(problemsOf({ EVENT_VERIFY_KEYS: 'user=abc' })).toEqual([expect.stringMatching(/^EVENT_VERIFY_KEYS: /)]);
  });
});
