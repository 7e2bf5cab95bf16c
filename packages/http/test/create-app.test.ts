import { Type } from '@sinclair/typebox';
import { createApp, StringEnum, type App } from '@boxoffice/http';
import { AppError, conflict, unavailable } from '@boxoffice/errors';

async function buildTestApp(): Promise<App> {
  const app = await createApp({ name: 'test', logLevel: 'silent', bodyLimit: 2048 });
  app.post(
    '/reservations',
    {
      schema: {
        body: Type.Object(
          {
            event_id: Type.String({ format: 'uuid' }),
            no_of_tickets: Type.Integer({ minimum: 1, maximum: 10 }),
            kind: Type.Optional(StringEnum(['standard', 'vip'])),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (_request, reply) => reply.code(201).send({ ok: true }),
  );
  app.get('/items/:id', { schema: { params: Type.Object({ id: Type.Integer({ minimum: 1 }) }) } }, async (request) => ({
    id: request.params.id,
  }));
  app.get('/conflict', async () => {
    throw conflict('SEAT_TAKEN', 'The seat is already held.');
  });
  app.get('/busy', async () => {
    throw unavailable('The seat map is being rebuilt.', 7);
  });
  app.get('/maybe-missing', async () => {
    throw new AppError(404, 'NOT_FOUND', 'Not in the replica.', [], { stale: true });
  });
  app.get('/boom', async () => {
    throw new Error('connection string postgres://secret@db leaked?');
  });
  await app.ready();
  return app;
}

describe('createApp', () => {
  let app: App;
  beforeAll(async () => {
    app = await buildTestApp();
  });
  afterAll(() => app.close());

  it('when several body fields are wrong, then a 422 lists every one of them with its value', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/reservations',
      payload: { event_id: 'not-a-uuid', no_of_tickets: -1, kind: 'gold', cancelled: false },
    });
    expect(response.statusCode).toBe(422);
    const { errors } = response.json();
    expect(errors.code).toBe('VALIDATION_FAILED');
    const byParam = Object.fromEntries(errors.detail.map((d: { param: string }) => [d.param, d]));
    expect(byParam.event_id).toMatchObject({ location: 'body', value: 'not-a-uuid', error: 'FormatError' });
    expect(byParam.no_of_tickets).toMatchObject({ value: -1, error: 'RangeError' });
    expect(byParam.kind).toMatchObject({ value: 'gold', error: 'InvalidChoice' });
    expect(byParam.cancelled).toMatchObject({ error: 'UnknownField', msg: 'Unknown field.' });
    expect(errors.detail).toHaveLength(4);
  });

  it('when required fields are missing, then each is reported as "Missing data for required field."', async () => {
    const response = await app.inject({ method: 'POST', url: '/reservations', payload: {} });
    expect(response.statusCode).toBe(422);
    const detail = response.json().errors.detail;
    expect(detail).toEqual(
      expect.arrayContaining([
        { location: 'body', param: 'event_id', error: 'MissingField', msg: 'Missing data for required field.' },
        { location: 'body', param: 'no_of_tickets', error: 'MissingField', msg: 'Missing data for required field.' },
      ]),
    );
  });

  it('when a number is sent as a string in the body, then it is a type error, not coerced', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/reservations',
      payload: { event_id: '6c00a5d6-0ed3-4a23-b6e6-d1eb056cfbd1', no_of_tickets: '2' },
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().errors.detail).toEqual([
      { location: 'body', param: 'no_of_tickets', value: '2', error: 'TypeError', msg: 'Must be an integer.' },
    ]);
  });

  it('when the body is not JSON, then 422 MALFORMED_JSON, not a 400 or a 500', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/reservations',
      headers: { 'content-type': 'application/json' },
      payload: '{"event_id": ',
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().errors).toMatchObject({ code: 'MALFORMED_JSON', detail: [{ error: 'MalformedJson' }] });
  });

  it('when the body is over the limit, then 413', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/reservations',
      payload: { event_id: 'x'.repeat(5000), no_of_tickets: 1 },
    });
    expect(response.statusCode).toBe(413);
    expect(response.json().errors.code).toBe('BODY_TOO_LARGE');
  });

  it('when a path id is malformed, then 422 names the path parameter', async () => {
    const response = await app.inject({ method: 'GET', url: '/items/abc' });
    expect(response.statusCode).toBe(422);
    expect(response.json().errors.detail[0]).toMatchObject({
      location: 'path',
      param: 'id',
      value: 'abc',
      error: 'TypeError',
    });
  });

  it('when a path has a trailing slash, then it is the same route', async () => {
    const response = await app.inject({ method: 'GET', url: '/items/7/' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ id: 7 });
  });

  it('when the route does not exist, then 404 in the SPEC body', async () => {
    const response = await app.inject({ method: 'GET', url: '/nowhere?x=1' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      errors: { code: 'ROUTE_NOT_FOUND', message: 'No route GET /nowhere.', detail: [] },
    });
  });

  it('when a handler throws an AppError, then its status and code are used', async () => {
    const response = await app.inject({ method: 'GET', url: '/conflict' });
    expect(response.statusCode).toBe(409);
    expect(response.json().errors).toEqual({ code: 'SEAT_TAKEN', message: 'The seat is already held.', detail: [] });
    expect(response.headers['retry-after']).toBeUndefined();
  });

  it('when an AppError says when to retry, then the answer carries it as Retry-After', async () => {
    const response = await app.inject({ method: 'GET', url: '/busy' });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('7');
    expect(response.json().errors.code).toBe('DEPENDENCY_UNAVAILABLE');
    expect(response.headers['x-data-stale']).toBeUndefined();
  });

  it('when an AppError rests on data that may be stale, then the answer says X-Data-Stale: true', async () => {
    const response = await app.inject({ method: 'GET', url: '/maybe-missing' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['x-data-stale']).toBe('true');
  });

  it('when a handler fails unexpectedly, then 500 without internals, quoting the request id', async () => {
    const response = await app.inject({ method: 'GET', url: '/boom', headers: { 'x-request-id': 'req-42' } });
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toMatch(/postgres|secret|at .*\.ts/);
    expect(response.json().errors.message).toContain('req-42');
  });

  it('when a request id is sent, then it is echoed; when not, one is generated', async () => {
    const given = await app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'abc-123' } });
    expect(given.headers['x-request-id']).toBe('abc-123');
    const generated = await app.inject({ method: 'GET', url: '/health' });
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('when asked, then /health, /ready, /metrics and /openapi.json answer', async () => {
    expect((await app.inject({ method: 'GET', url: '/health' })).json()).toEqual({ status: 'ok' });
    expect((await app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain('http_request_duration_seconds');
    const openapi = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(openapi.openapi).toBe('3.0.3');
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/reservations', '/items/{id}']));
  });

  it('when a readiness check fails, then /ready is 503 naming it', async () => {
    const other = await createApp({ name: 'test2', logLevel: 'silent' });
    other.addReadinessCheck('database', async () => false);
    await other.ready();
    const response = await other.inject({ method: 'GET', url: '/ready' });
    expect(response.statusCode).toBe(503);
    expect(response.json().errors.message).toBe('Not ready: database.');
    await other.close();
  });
});
