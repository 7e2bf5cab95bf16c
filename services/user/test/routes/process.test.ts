import { expectCleanShutdown, expectStartRefused, suiteProcess, testEnv, waitFor } from '@boxoffice/testing';

describe('the user service as a real process', () => {
  const env = testEnv('user', { LOG_LEVEL: 'info' });
  const service = suiteProcess('user', env);

  it('when started, then it logs JSON lines with its name and answers health and readiness', async () => {
    expect((await fetch(`${service.running.url}/health`)).status).toBe(200);
    expect((await fetch(`${service.running.url}/ready`)).status).toBe(200);
    await fetch(`${service.running.url}/nowhere`, { headers: { 'x-request-id': 'trace-me-1' } });
    const line = await waitFor('the request log line', () =>
      service.running.recentOutput
        .trim()
        .split('\n')
        .map((text) => JSON.parse(text))
        .find((entry) => entry.reqId === 'trace-me-1'),
    );
    expect(line).toMatchObject({ service: 'user', status: 404, msg: 'request done' });
  });

  it('when SIGTERM arrives, then it shuts down cleanly with exit code 0', () => expectCleanShutdown('user', env));

  it('when a setting is invalid, then it exits non-zero naming the variable', () =>
    expectStartRefused('user', env, 'DATABASE_POOL_SIZE', 'many'));
});
