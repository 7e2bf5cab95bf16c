import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { tracingSettings } from '@boxoffice/tracing';

const REPO = path.resolve(__dirname, '..', '..', '..');

/**
 * Loads a service as its server.ts does (tracing first, then the whole app, from `dist/`: build first) in a fresh
 * Node process, and reports which OpenTelemetry packages that loaded.
 */
function loadTicketService(env: Record<string, string>) {
  const script = `
    require(${JSON.stringify(path.join(REPO, 'services/ticket/dist/tracing.js'))});
    require(${JSON.stringify(path.join(REPO, 'services/ticket/dist/app.js'))});
    const loaded = Object.keys(require.cache).flatMap((file) => {
      const match = /node_modules\\/(@opentelemetry\\/[^/]+|@fastify\\/otel)\\//.exec(file);
      return match ? [match[1]] : [];
    });
    console.log(JSON.stringify([...new Set(loaded)].sort()));
  `;
  const run = spawnSync(process.execPath, ['-e', script], {
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return {
    code: run.status,
    stderr: run.stderr,
    packages: run.status === 0 ? (JSON.parse(run.stdout) as string[]) : [],
  };
}

describe('starting tracing', () => {
  it('when OTEL_EXPORTER_OTLP_ENDPOINT is not set, then a service loads no OpenTelemetry SDK nor any instrumentation', () => {
    const { code, stderr, packages } = loadTicketService({});
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    // @opentelemetry/api alone may be there: prom-client loads it (a no-op API without an SDK)
    expect(packages.filter((name) => name !== '@opentelemetry/api')).toEqual([]);
  });

  it('when OTEL_EXPORTER_OTLP_ENDPOINT is set, then the SDK and the pg, ioredis, undici and kafkajs instrumentations are loaded, and no Fastify instrumentation (createApp makes the request spans)', () => {
    const { code, stderr, packages } = loadTicketService({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(packages).toEqual(
      expect.arrayContaining([
        '@opentelemetry/sdk-node',
        '@opentelemetry/instrumentation-pg',
        '@opentelemetry/instrumentation-ioredis',
        '@opentelemetry/instrumentation-undici',
        '@opentelemetry/instrumentation-kafkajs',
      ]),
    );
    expect(packages.filter((name) => name.includes('fastify'))).toEqual([]);
  });

  it('when OTEL_TRACES_SAMPLER_ARG is not a ratio, then the service does not start and says which variable is wrong', () => {
    const { code, stderr } = loadTicketService({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
      OTEL_TRACES_SAMPLER_ARG: '10%',
    });
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(
      'ticket: failed to start: OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1 (the share of traces kept), not "10%"',
    );
  });

  it.each([
    [{}, {}, null],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, {}, { ratio: 1, edge: false }],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }, {}, { ratio: 1, edge: false }],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_SAMPLER_ARG: '0.1' }, {}, { ratio: 0.1, edge: false }],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_SAMPLER_ARG: '0' }, {}, { ratio: 0, edge: false }],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }, { edge: true }, { ratio: 1, edge: true }],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', TRACING_EDGE: 'true' }, {}, { ratio: 1, edge: true }],
    [
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', TRACING_EDGE: 'false' },
      { edge: true },
      { ratio: 1, edge: false },
    ],
  ])('when the environment is %j and the role %j, then the settings are %j', (env, role, settings) => {
    expect(tracingSettings(env, role)).toEqual(settings);
  });

  it('when TRACING_EDGE is neither true nor false, then the settings are refused, naming it', () => {
    expect(() => tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', TRACING_EDGE: 'yes' })).toThrow(
      'TRACING_EDGE must be true or false (whether this process starts traces), not "yes"',
    );
  });

  it.each(['1.5', '-0.1', 'abc'])('when OTEL_TRACES_SAMPLER_ARG is %s, then the settings are refused', (ratio) => {
    expect(() =>
      tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_SAMPLER_ARG: ratio }),
    ).toThrow(/OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1/);
  });
});
