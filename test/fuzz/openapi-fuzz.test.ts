import { readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import type { App } from '@boxoffice/http';
import { dropDatabase, testEnv, uniqueSuffix } from '@boxoffice/testing';

/**
 * encodeURIComponent throws URIError on a lone UTF-16 surrogate, which the hostile strings include; a URL cannot
 * carry one anyway, so it is sent as U+FFFD, as a browser would.
 */
const encodeText = (text: string) =>
  encodeURIComponent(text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'));

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
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  format?: string;
  pattern?: string;
  anyOf?: Schema[];
}

interface Parameter {
  in: 'path' | 'query' | 'header';
  name: string;
  required?: boolean;
  schema: Schema;
}

interface Operation {
  service: string;
  method: string;
  path: string;
  body?: Schema;
  parameters: Parameter[];
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
  hostileString.filter((s) => s.length > 0 && s.length < 200).map((s) => encodeText(s)),
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
    paths?: Record<
      string,
      Record<string, { requestBody?: { content?: Record<string, { schema?: Schema }> }; parameters?: Parameter[] }>
    >;
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
        parameters: operation.parameters ?? [],
      })),
  );
}

/*
 * Edge forms, derived from each schema: values a format or a type lets through but a PostgreSQL column may not
 * hold (a uuid PostgreSQL cannot parse, an integer beyond int4 or int8, a date or offset it cannot store, a NUL
 * in text, a string one past its length), and the bounds themselves, which must be stored or refused cleanly.
 * Each case sends a request that is valid except for one edge value, so the edge gets as far as it can.
 */
const SAMPLE_UUID = '6c00a5d6-0ed3-4a23-b6e6-d1eb056cfbd1';
const INTEGER_EDGES = [
  2 ** 31 - 1,
  2 ** 31,
  -(2 ** 31),
  -(2 ** 31) - 1,
  2 ** 53 - 1,
  2 ** 53 + 2,
  2 ** 63,
  -(2 ** 63),
  1e20,
  -1e20,
];
const UUID_EDGES = [
  `urn:uuid:${SAMPLE_UUID}`,
  `{${SAMPLE_UUID}}`,
  SAMPLE_UUID.replace(/-/g, ''),
  SAMPLE_UUID.toUpperCase(),
  ` ${SAMPLE_UUID}`,
  `${SAMPLE_UUID}\u0000`,
  '00000000-0000-0000-0000-00000000000g',
  '00000000-0000-0000-0000-000000000000',
];
const DATE_EDGES = [
  '0000-01-01T00:00:00Z',
  '0001-01-01T00:00:00Z',
  '9999-12-31T23:59:59-15:59',
  '9999-12-31T23:59:59+00:00',
  '2047-10-21T09:00:00+15:59',
  '2047-10-21T09:00:00+16:00',
  '2047-10-21T09:00:00-23:59',
  '2047-10-21T23:59:60Z',
  '2047-10-21t09:00:00z',
  '2047-10-21 09:00:00Z',
  '2047-02-29T00:00:00Z',
  '2047-10-21T09:00:00.1234567Z',
  '10000-01-01T00:00:00Z',
  '-0001-01-01T00:00:00Z',
  '2047-10-21T09:00:00',
];

function stringEdges(schema: Schema): string[] {
  if (schema.format === 'uuid') return UUID_EDGES;
  if (schema.format === 'date-time') return DATE_EDGES;
  const max = schema.maxLength ?? 300;
  return ['a\u0000b', '\u0000', 'x'.repeat(max), 'x'.repeat(max + 1), '\ud800', 'é'.repeat(max), ''];
}

function edgesFor(schema: Schema | undefined): unknown[] {
  if (!schema) return [];
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (schema.anyOf) return schema.anyOf.flatMap(edgesFor);
  if (type === 'integer' || type === 'number')
    return [
      ...INTEGER_EDGES,
      ...(schema.maximum !== undefined ? [schema.maximum, schema.maximum + 1] : []),
      ...(schema.minimum !== undefined ? [schema.minimum, schema.minimum - 1] : []),
    ];
  if (type === 'string' && !schema.enum) return stringEdges(schema);
  return [];
}

/** A value the schema accepts: what the rest of an edge case's request holds, so that one edge gets through. */
function validFor(schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 4) return fc.constant(1);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (schema.anyOf) return validFor(schema.anyOf[0], depth + 1);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  switch (type) {
    case 'integer':
    case 'number': {
      const low = schema.minimum ?? 0;
      return fc.integer({ min: low, max: Math.min(schema.maximum ?? low + 50, low + 50) });
    }
    case 'string':
      if (schema.format === 'uuid') return fc.uuid();
      if (schema.format === 'date-time')
        return fc
          .date({ min: new Date('2030-01-01T00:00:00Z'), max: new Date('2060-01-01T00:00:00Z'), noInvalidDate: true })
          .map((d) => d.toISOString());
      if (schema.pattern && schema.pattern !== '^[^\\x00]*$')
        return fc
          .stringMatching(new RegExp(schema.pattern))
          .filter((v) => v.length >= (schema.minLength ?? 0) && v.length <= (schema.maxLength ?? Infinity));
      return fc.string({
        minLength: Math.max(1, schema.minLength ?? 1),
        maxLength: Math.min(schema.maxLength ?? 20, 20),
      });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(validFor(schema.items, depth + 1), {
        minLength: Math.max(1, schema.minItems ?? 1),
        maxLength: 2,
      });
    case 'object':
      return fc.record(
        Object.fromEntries(
          Object.entries(schema.properties ?? {}).map(([key, child]) => [key, validFor(child, depth + 1)]),
        ),
      );
    default:
      return fc.constant(null);
  }
}

/** Every place one edge value can go: a parameter, or a field at any depth of the body. */
type EdgeSlot =
  { where: 'path'; name: string } | { where: 'query'; name: string } | { where: 'body'; pointer: string[] };

function bodySlots(
  schema: Schema | undefined,
  pointer: string[] = [],
  depth = 0,
): { pointer: string[]; schema: Schema }[] {
  if (!schema || depth > 4) return [];
  if (schema.properties)
    return Object.entries(schema.properties).flatMap(([key, child]) => [
      { pointer: [...pointer, key], schema: child },
      ...bodySlots(child, [...pointer, key], depth + 1),
    ]);
  if (schema.items) return bodySlots(schema.items, [...pointer, '0'], depth + 1);
  return [];
}

function edgeCases(operation: Operation): { slot: EdgeSlot; value: unknown }[] {
  const cases: { slot: EdgeSlot; value: unknown }[] = [];
  for (const parameter of operation.parameters.filter((p) => p.in === 'path' || p.in === 'query'))
    for (const value of edgesFor(parameter.schema))
      cases.push({ slot: { where: parameter.in as 'path' | 'query', name: parameter.name }, value });
  for (const { pointer, schema } of bodySlots(operation.body))
    for (const value of edgesFor(schema)) cases.push({ slot: { where: 'body', pointer }, value });
  return cases;
}

function setAt(target: unknown, pointer: string[], value: unknown): void {
  let current = target as Record<string, unknown>;
  for (const key of pointer.slice(0, -1)) {
    if (current[key] === null || typeof current[key] !== 'object') current[key] = /^\d+$/.test(key) ? [] : {};
    current = current[key] as Record<string, unknown>;
  }
  current[pointer.at(-1)!] = value;
}

/** Never a 5xx (503 "dependency down" with Retry-After aside), every error in the SPEC §0 body, no internals. */
function expectCleanAnswer(
  what: string,
  response: {
    statusCode: number;
    body: string;
    headers: Record<string, unknown>;
    json(): { errors?: { code?: unknown; message?: unknown; detail?: unknown } };
  },
) {
  const where = `${what} → ${response.statusCode}: ${response.body.slice(0, 300)}`;
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
    expect(response.body).not.toMatch(
      /\bat [\w.<>]+ \(|\.ts:\d+|node_modules|invalid input syntax|out of range for type/,
    );
  }
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

  /** Every operation the OpenAPI documents of the apps declare, the gateway's document left out. */
  async function documentedOperations(): Promise<Operation[]> {
    const operations: Operation[] = [];
    for (const [name, app] of apps) {
      const document = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
      if (name !== 'gateway') operations.push(...operationsOf(name, document));
    }
    return operations;
  }

  afterAll(async () => {
    for (const app of apps.values()) await app.close().catch(() => undefined);
    await Promise.all(databases.map((url) => dropDatabase(url).catch(() => undefined)));
  });

  it('when every documented operation gets hostile input, then every answer is a clean 2xx-4xx in the SPEC error body', async () => {
    let cases = 0;
    const operations = await documentedOperations();
    expect(operations.length).toBeGreaterThan(10);

    for (const operation of operations) {
      const app = apps.get(operation.service)!;
      const paramNames = [...operation.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!);
      await fc.assert(
        fc.asyncProperty(
          fc.array(pathValue, { minLength: paramNames.length, maxLength: paramNames.length }),
          bodyFor(operation),
          credentials,
          fc.dictionary(fc.constantFrom('offset', 'limit', 'x', 'id'), hostileString.map(encodeText), {
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
            expectCleanAnswer(`${operation.service} ${operation.method} ${url}`, response);
            if (sendsBody && Buffer.byteLength(body!) > 64 * 1024)
              expect({ url, status: response.statusCode }).toEqual({ url, status: 413 });
          },
        ),
        { seed: SEED, numRuns: RUNS_PER_OPERATION, endOnFailure: true },
      );
    }
    console.log(`fuzz: ${operations.length} operations, ${cases} cases, seed ${SEED}`);
  }, 600_000);

  it('when any one parameter or body field of any operation holds an edge form of its schema, then never a 5xx', async () => {
    let cases = 0;
    const operations = await documentedOperations();
    const failures: string[] = [];
    for (const operation of operations) {
      const app = apps.get(operation.service)!;
      const edges = edgeCases(operation);
      const pathParameters = operation.parameters.filter((p) => p.in === 'path');
      const queryParameters = operation.parameters.filter((p) => p.in === 'query');
      // one valid request per operation, then each edge put into its own copy of it
      const [valid] = fc.sample(
        fc.record({
          path: fc.record(Object.fromEntries(pathParameters.map((p) => [p.name, validFor(p.schema)]))),
          body: operation.body ? validFor(operation.body) : fc.constant(undefined),
          headers: fc.constantFrom<Record<string, string>>({ 'user-token': ADMIN_TOKEN }, { 'user-token': USER_TOKEN }),
        }),
        { seed: SEED, numRuns: 1 },
      );
      for (const edge of edges) {
        cases++;
        const path = { ...(valid!.path as Record<string, unknown>) };
        const query: Record<string, string> = {};
        const body = valid!.body === undefined ? undefined : structuredClone(valid!.body);
        if (edge.slot.where === 'path') path[edge.slot.name] = edge.value;
        else if (edge.slot.where === 'query') query[edge.slot.name] = String(edge.value);
        else if (body !== undefined) setAt(body, edge.slot.pointer, edge.value);
        else continue;
        let url = operation.path;
        for (const parameter of pathParameters)
          url = url.replace(`{${parameter.name}}`, encodeText(String(path[parameter.name])));
        const search = new URLSearchParams(query).toString();
        const sendsBody = body !== undefined && !['GET', 'DELETE'].includes(operation.method);
        const response = await withTimeout(
          app.inject({
            method: operation.method as 'GET',
            url: search ? `${url}?${search}` : url,
            headers: { ...valid!.headers, ...(sendsBody ? { 'content-type': 'application/json' } : {}) },
            payload: sendsBody ? JSON.stringify(body) : undefined,
          }),
          10_000,
          `${operation.method} ${url}`,
        );
        const slot =
          edge.slot.where === 'body' ? `body.${edge.slot.pointer.join('.')}` : `${edge.slot.where} ${edge.slot.name}`;
        try {
          expectCleanAnswer(
            `${operation.service} ${operation.method} ${operation.path} [${slot} = ${JSON.stringify(edge.value)?.slice(0, 60)}]`,
            response,
          );
        } catch (error) {
          failures.push((error as Error).message.split('\n').find((line) => line.includes('where')) ?? String(error));
        }
      }
      void queryParameters;
    }
    console.log(`fuzz edge forms: ${operations.length} operations, ${cases} cases`);
    expect(failures).toEqual([]);
    expect(cases).toBeGreaterThan(operations.length);
  }, 600_000);
});
