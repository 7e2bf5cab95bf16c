import pg from 'pg';
import {
  ServiceProcess,
  expectCleanShutdown,
  expectStartRefused,
  suiteProcess,
  testEnv,
  uniqueSuffix,
} from '@boxoffice/testing';

describe('the ticket service as a real process', () => {
  const env = testEnv('ticket', {
    DEMO_DATA: 'true',
    LOG_LEVEL: 'info',
    REDIS_KEY_PREFIX: `t${uniqueSuffix()}.ticket:`,
  });
  const service = suiteProcess('ticket', env);

  it('when started with demo data, then 3 concerts of 2 showtimes of 500 seats, and 3 events, are there once', async () => {
    expect((await fetch(`${service.running.url}/ready`)).status).toBe(200);
    const db = new pg.Client({ connectionString: env.DATABASE_URL });
    await db.connect();
    try {
      const { rows } = await db.query(`SELECT
        (SELECT count(*)::int FROM concerts) AS concerts,
        (SELECT count(*)::int FROM showtimes) AS showtimes,
        (SELECT count(*)::int FROM seats WHERE status = 'AVAILABLE') AS seats,
        (SELECT count(*)::int FROM ga_events) AS ga_events`);
      expect(rows[0]).toEqual({ concerts: 3, showtimes: 6, seats: 3000, ga_events: 3 });
    } finally {
      await db.end();
    }
    // a second instance on the same database loads nothing more
    const second = await ServiceProcess.create('ticket', { ...env, PORT: '0' });
    await second.start();
    await second.stop();
    const again = new pg.Client({ connectionString: env.DATABASE_URL });
    await again.connect();
    expect((await again.query('SELECT count(*)::int AS n FROM concerts')).rows[0].n).toBe(3);
    await again.end();
  });

  it('when SIGTERM arrives, then it shuts down cleanly', () => expectCleanShutdown('ticket', env));

  it('when a setting is invalid, then it exits non-zero naming the variable', () =>
    expectStartRefused('ticket', env, 'SEAT_HOLD_TTL_SECONDS', 'soon'));
});
