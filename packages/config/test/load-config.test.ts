import { Type } from '@sinclair/typebox';
import { ConfigError, commonEnv, loadConfig } from '@boxoffice/config';

const schema = Type.Object({
  ...commonEnv('user', 7001),
  SEAT_HOLD_TTL_SECONDS: Type.Integer({ minimum: 1, default: 300 }),
});

describe('loadConfig', () => {
  it('when nothing is set, then every default applies with its declared type', () => {
    const config = loadConfig(schema, {});
    expect(config.PORT).toBe(7001);
    expect(config.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:54329/boxoffice_user');
    expect(config.DEMO_DATA).toBe(true);
    expect(config.SEAT_HOLD_TTL_SECONDS).toBe(300);
  });

  it('when values are given as strings, then they are converted to numbers and booleans', () => {
    const config = loadConfig(schema, { PORT: '0', DEMO_DATA: 'false', SEAT_HOLD_TTL_SECONDS: '2' });
    expect(config).toMatchObject({ PORT: 0, DEMO_DATA: false, SEAT_HOLD_TTL_SECONDS: 2 });
  });

  it('when several variables are bad, then one error names each of them and what was given', () => {
    let thrown: unknown;
    try {
      loadConfig(schema, { PORT: 'eighty', REDIS_URL: 'http://nope', LOG_LEVEL: 'loud' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const message = (thrown as ConfigError).message;
    expect(message).toMatch(/PORT: .*\(got "eighty"\)/);
    expect(message).toMatch(/REDIS_URL: .*\(got "http:\/\/nope"\)/);
    expect(message).toMatch(/LOG_LEVEL: .*\(got "loud"\)/);
    expect((thrown as ConfigError).problems.length).toBeGreaterThanOrEqual(3);
  });

  it('when a number is out of range, then start-up is refused naming the variable', () => {
    expect(() => loadConfig(schema, { SEAT_HOLD_TTL_SECONDS: '0' })).toThrow(/SEAT_HOLD_TTL_SECONDS/);
  });
});
