import { readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import type { App } from '@boxoffice/http';
import { dropDatabase, testEnv, uniqueSuffix } from '@boxoffice/testing';

/**
 * Hostile input against every route of every service's OpenAPI document: wrong types, huge and negative numbers,
 * unicode, huge and deeply nested bodies, missing and unknown fields, bad ids, with and without credentials.
 * Every answer must be a clean one: never a 5xx (503 "dependency down" with Retry-After aside), never a hang, and
 * every error in the SPEC §0 body. Fixed seed and a bounded number of cases, so CI runs the same cases each time.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const SEED = Number(process.env.FUZZ_SEED ?? 20261123);
const RUNS_PER_OPERATION = Number(process.env.FUZZ_RUNS ?? 12);
const ADMIN_TOKEN = '0b8f4c2e-6a55-4a3c-9d4e-2f1f6c0a0001';
const USER_TOKEN = '4a49145e-45a8-4845-af45-1af2a59bb044';
const SERVICES = readdirSync(path.join(ROOT, 'services')).filter((name) =>
  existsSync(path.join(ROOT, 'services', name, 'src', 'app.ts')),
);

interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  anyOf?: Schema[];
}

interface Operation {
  service: string;
  method: string;
  path: string;
  body?: Schema;
}

const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '../../etc/passwd',
    '%00',
    "'; DROP TABLE users; --",
    '<script>alert(1)</script>',
    '\u0000',
    '😀'.repeat(50),
    'ｆｕｌｌｗｉｄｔｈ',
  ),
  fc.constant('x'.repeat(10_000)),
);
const hostileNumber = fc.oneof(
  fc.integer(),
  fc.constantFrom(-1, 0, 2 ** 31, 2 ** 53, -(2 ** 53), Number.MAX_SAFE_INTEGER, 1e308, 0.5, -0.0001),
  fc.double({ noNaN: true }),
);
const anyJson = fc.oneof(
  hostileString,
  hostileNumber,
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.object({ maxDepth: 2 }),
);

/** A value near what the schema wants, often wrong on purpose. */
function valueFor(schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 4) return anyJson;
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  const wrong = anyJson;
  switch (type) {
    case 'integer':
    case 'number': {
      const low = schema.minimum ?? -1000;
      const high = schema.maximum ?? low + 1000;
      return fc.oneof(
        fc.integer({ min: Math.max(-(2 ** 31), Math.floor(low)), max: Math.min(2 ** 31, Math.ceil(high)) }),
        hostileNumber,
        wrong,
      );
    }
    case 'string':
      return schema.enum
        ? fc.oneof(fc.constantFrom(...schema.enum), wrong)
        : fc.oneof(
            hostileString,
            fc.uuid(),
            fc.date().map((d) => (Number.isNaN(d.getTime()) ? 'not a date' : d.toISOString())),
            wrong,
          );
    case 'boolean':
      return fc.oneof(fc.boolean(), wrong);
    case 'array':
      return fc.oneof(fc.array(valueFor(schema.items, depth + 1), { maxLength: 4 }), wrong);
    case 'object':
      return fc.oneof(objectFor(schema, depth + 1), wrong);
    default:
      return wrong;
  }
}

function objectFor(schema: Schema, depth = 0): fc.Arbitrary<Record<string, unknown>> {
  const properties = schema.properties ?? {};
  const fields = Object.fromEntries(Object.entries(properties).map(([key, child]) => [key, valueFor(child, depth)]));
  return fc.record(fields, { requiredKeys: [] }).chain((record) =>
    fc.oneof(
      fc.constant(record),
      fc.record({ unexpected: anyJson }).map((extra) => ({ ...record, ...extra })),
      fc.constant({ ...record, __proto__: { admin: true } }),
    ),
  );
}

function deepJson(depth: number): string {
  return `${'['.repeat(depth)}1${']'.repeat(depth)}`;
}

const bodyFor = (operation: Operation): fc.Arbitrary<string | undefined> =>
  fc.oneof(
    {
      weight: 6,
      arbitrary: (operation.body ? objectFor(operation.body) : fc.object({ maxDepth: 2 })).map((value) =>
        JSON.stringify(value),
      ),
    },
    { weight: 1, arbitrary: anyJson.map((value) => JSON.stringify(value)) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('{"unterminated": ', 'not json at all', '{"a":1}{"b":2}', '', deepJson(10_000)),
    },
    { weight: 1, arbitrary: fc.constant(JSON.stringify({ huge: 'x'.repeat(200_000) })) },
  );

const pathValue = fc.oneof(
  fc.integer({ min: -5, max: 60 }).map(String),
  fc.constantFrom(
    '0',
    '-1',
    '2147483648',
    '99999999999999999999',
    'abc',
    'null',
    '%2e%2e',
    '..',
    '😀',
    '00000000-0000-0000-0000-000000000000',
  ),
  fc.uuid(),
  hostileString.filter((s) => s.length > 0 && s.length < 200).map((s) => encodeURIComponent(s)),
);

const credentials = fc.constantFrom<Record<string, string>>(
  {},
  { 'user-token': USER_TOKEN },
  { 'user-token': ADMIN_TOKEN },
  { 'user-token': 'not-a-uuid' },
  { authorization: 'Bearer not.a.jwt' },
  { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.' },
);

function operationsOf(
  service: string,
  document: {
    paths?: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: Schema }> } }>>;
  },
): Operation[] {
  return Object.entries(document.paths ?? {}).flatMap(([route, methods]) =>
    Object.entries(methods)
      .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
      .map(([method, operation]) => ({
        service,
        method: method.toUpperCase(),
        path: route,
        body: operation.requestBody?.content?.['application/json']?.schema,
      })),
  );
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} hung for ${ms} ms`)), ms)),
  ]);
}

describe('hostile input on every route of every service', () => {
  const prefix = `t${uniqueSuffix()}.`;
  const apps = new Map<string, App>();
  const databases: string[] = [];

  beforeAll(async () => {
    // One topic prefix for all, so demo users reach every service's replica; the user service first.
    const ordered = [...SERVICES].sort((a, b) => (a === 'user' ? -1 : b === 'user' ? 1 : 0));
    let userUrl = 'http://127.0.0.1:9';
    for (const name of ordered) {
      const env = testEnv(name, {
        KAFKA_TOPIC_PREFIX: prefix,
        DEMO_DATA: 'true',
        USER_SERVICE_URL: userUrl,
        REDIS_KEY_PREFIX: prefix,
        RATE_LIMIT_MAX: '100000',
      });
      databases.push(env.DATABASE_URL!);
      const { buildApp } = await import(path.join(ROOT, 'services', name, 'src', 'app.ts'));
      const { readConfig } = await import(path.join(ROOT, 'services', name, 'src', 'config.ts'));
      const app: App = await buildApp(readConfig(env));
      if (name === 'user') {
        await app.listen({ host: '127.0.0.1', port: 0 });
        userUrl = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
      } else {
        await app.ready();
      }
      apps.set(name, app);
    }
  }, 180_000);

  afterAll(async () => {
    for (const app of apps.values()) await app.close().catch(() => undefined);
    await Promise.all(databases.map((url) => dropDatabase(url).catch(() => undefined)));
  });

  it('when every documented operation gets hostile input, then every answer is a clean 2xx-4xx in the SPEC error body', async () => {
    let cases = 0;
    const operations: Operation[] = [];
    for (const [name, app] of apps) {
      const document = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
      if (name !== 'gateway') operations.push(...operationsOf(name, document));
    }
    expect(operations.length).toBeGreaterThan(10);

    for (const operation of operations) {
      const app = apps.get(operation.service)!;
      const paramNames = [...operation.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!);
      await fc.assert(
        fc.asyncProperty(
          fc.array(pathValue, { minLength: paramNames.length, maxLength: paramNames.length }),
          bodyFor(operation),
          credentials,
          fc.dictionary(fc.constantFrom('offset', 'limit', 'x', 'id'), hostileString.map(encodeURIComponent), {
            maxKeys: 2,
          }),
          async (params, body, headers, query) => {
            cases++;
            let url = operation.path;
            paramNames.forEach((name, i) => (url = url.replace(`{${name}}`, params[i]!)));
            const search = new URLSearchParams(query).toString();
            const sendsBody = !['GET', 'DELETE'].includes(operation.method) && body !== undefined;
            const response = await withTimeout(
              app.inject({
                method: operation.method as 'GET',
                url: search ? `${url}?${search}` : url,
                headers: { ...headers, ...(sendsBody ? { 'content-type': 'application/json' } : {}) },
                payload: sendsBody ? body : undefined,
              }),
              10_000,
              `${operation.method} ${url}`,
            );
            const where = `${operation.service} ${operation.method} ${url} → ${response.statusCode}: ${response.body.slice(0, 300)}`;
            const dependencyDown = response.statusCode === 503 && response.headers['retry-after'] !== undefined;
            expect({ where, clean: response.statusCode < 500 || dependencyDown }).toEqual({ where, clean: true });
            if (response.statusCode >= 400) {
              const parsed = response.json();
              expect({
                where,
                shape:
                  typeof parsed.errors?.code === 'string' &&
                  typeof parsed.errors?.message === 'string' &&
                  Array.isArray(parsed.errors?.detail),
              }).toEqual({ where, shape: true });
              expect(response.body).not.toMatch(/\bat [\w.<>]+ \(|\.ts:\d+|node_modules/);
            }
            if (sendsBody && Buffer.byteLength(body!) > 64 * 1024)
              expect({ where, status: response.statusCode }).toEqual({ where, status: 413 });
          },
        ),
        { seed: SEED, numRuns: RUNS_PER_OPERATION, endOnFailure: true },
      );
    }
    console.log(`fuzz: ${operations.length} operations, ${cases} cases, seed ${SEED}`);
  }, 600_000);
});
