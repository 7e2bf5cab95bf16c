import { randomUUID } from 'node:crypto';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerFactory,
} from 'fastify';
import { createServer, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from 'node:http';
import { nameServerSpan, tracedRequests, tracingEnabled } from '@boxoffice/tracing';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import client from 'prom-client';
import { AppError, isAppError, type ErrorDetail } from '@boxoffice/errors';
import { namesAnotherResource, trackResources } from './allowed-methods';
import { guardInternalRoutes } from './internal-token';
import { ErrorBody } from './schema-helpers';
import { toErrorDetails, validatorCompiler } from './validation';

export type App = FastifyInstance<Server, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>;

export type ReadinessCheck = () => Promise<boolean>;

declare module 'fastify' {
  interface FastifyInstance {
    /** Adds a check that /ready runs: the service is ready only when every check resolves true. */
    addReadinessCheck(name: string, check: () => Promise<boolean>): void;
    metrics: client.Registry;
  }
}

export interface CreateAppOptions {
  name: string;
  version?: string;
  description?: string;
  logLevel?: string;
  bodyLimit?: number;
  /** Extra paths of the logger to redact, beyond credentials. */
  redact?: string[];
  /** Serve this app's own OpenAPI document at /openapi.json (the gateway serves a merged one instead). */
  exposeOpenApi?: boolean;
  /** The peers' shared secret: every route under /internal requires it (`x-internal-token`). */
  internalToken?: string;
  /** How long a client may take; the service's config (commonEnv) has them all. */
  timeouts?: ServerTimeouts;
}

/** A slow or idle client is cut off, so it cannot hold a socket (and a request slot) forever. */
export interface ServerTimeouts {
  /** Whole request, headers and body, from its first byte; 408 past it. */
  REQUEST_TIMEOUT_MS: number;
  /** The request's headers; 408 past it. */
  HEADERS_TIMEOUT_MS: number;
  /** An idle kept-alive connection between two requests. */
  KEEP_ALIVE_TIMEOUT_MS: number;
  /** A socket with no traffic at all, whatever it is doing. */
  CONNECTION_TIMEOUT_MS: number;
}

export const DEFAULT_SERVER_TIMEOUTS: ServerTimeouts = {
  REQUEST_TIMEOUT_MS: 30_000,
  HEADERS_TIMEOUT_MS: 10_000,
  KEEP_ALIVE_TIMEOUT_MS: 72_000,
  CONNECTION_TIMEOUT_MS: 120_000,
};

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The Fastify app every service starts from: TypeBox validation with every problem listed, the SPEC §0 error
 * body for every error, request ids, JSON logs, /health, /ready, /metrics and /openapi.json.
 */
export async function createApp(options: CreateAppOptions): Promise<App> {
  const timeouts = options.timeouts ?? DEFAULT_SERVER_TIMEOUTS;
  const headersTimeout = Math.min(timeouts.HEADERS_TIMEOUT_MS, timeouts.REQUEST_TIMEOUT_MS);
  // Node checks request and header deadlines only this often (30 s by default)
  const http = { headersTimeout, connectionsCheckingInterval: Math.max(100, Math.min(1_000, headersTimeout / 2)) };
  const serverFactory: FastifyServerFactory<Server> | undefined = tracingEnabled()
    ? (handler) => tracedServer(handler, http, timeouts)
    : undefined;
  const app = Fastify({
    logger: {
      level: options.logLevel ?? 'info',
      base: { service: options.name },
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers["user-token"]',
          'req.headers["queue-token"]',
          'req.headers.cookie',
          ...(options.redact ?? []),
        ],
        censor: '[redacted]',
      },
    },
    bodyLimit: options.bodyLimit ?? 64 * 1024,
    requestTimeout: timeouts.REQUEST_TIMEOUT_MS,
    keepAliveTimeout: timeouts.KEEP_ALIVE_TIMEOUT_MS,
    connectionTimeout: timeouts.CONNECTION_TIMEOUT_MS,
    http,
    routerOptions: { ignoreTrailingSlash: true },
    frameworkErrors: (error, _request, reply) => {
      const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
      sendError(
        reply,
        new AppError(
          tooLong ? 414 : 400,
          tooLong ? 'URI_TOO_LONG' : 'BAD_URL',
          tooLong ? 'A path parameter is too long.' : 'The URL is not validly encoded.',
        ),
      );
    },
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // one line per request, written in onResponse with the status and duration
    logController: new LogController({ disableRequestLogging: true }),
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    serverFactory,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setErrorHandler(errorHandler);
  guardInternalRoutes(app, options.internalToken);
  const resourceAt = trackResources(app);
  const answerUnrouted = (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0];
    const allowed = (resourceAt(request.url)?.methods ?? []).filter((method) => method !== request.method);
    if (allowed.length === 0) {
      sendError(reply, new AppError(404, 'ROUTE_NOT_FOUND', `No route ${request.method} ${path}.`));
      return reply;
    }
    const allow = allowed.join(', ');
    const message = `${request.method} is not allowed on ${path}; use ${allow}.`;
    reply.header('allow', allow);
    sendError(reply, new AppError(405, 'METHOD_NOT_ALLOWED', message));
    return reply;
  };
  // answered before any body parsing: an unrouted QUERY or PROPFIND must not fail on its content type first
  app.addHook('onRequest', async (request, reply) => {
    nameServerSpan(request.method, request.routeOptions.url);
    if (request.is404) return answerUnrouted(request, reply);
    const params = request.params as Record<string, string | undefined>;
    const pattern = request.routeOptions.url;
    if (
      pattern &&
      /[:*]/.test(pattern) &&
      namesAnotherResource(pattern, params, request.method, resourceAt(request.url))
    )
      return answerUnrouted(request, reply);
  });
  app.setNotFoundHandler(answerUnrouted);
  documentKernelAnswers(app);

  registerObservability(app, options.name);

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: `boxoffice ${options.name}`,
        version: options.version ?? '0.1.0',
        description: options.description,
      },
      components: {
        securitySchemes: {
          userToken: { type: 'apiKey', in: 'header', name: 'USER-TOKEN' },
          queueToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        },
      },
    },
  });
  if (options.exposeOpenApi !== false) app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app as unknown as App;
}

/**
 * The HTTP server Fastify would make (the same timeouts), with each request in its own trace span: used only while
 * tracing is on.
 */
function tracedServer(
  handler: (request: IncomingMessage, response: ServerResponse) => void,
  http: ServerOptions,
  timeouts: ServerTimeouts,
): Server {
  const server = createServer(http, tracedRequests(handler));
  server.keepAliveTimeout = timeouts.KEEP_ALIVE_TIMEOUT_MS;
  server.requestTimeout = timeouts.REQUEST_TIMEOUT_MS;
  server.setTimeout(timeouts.CONNECTION_TIMEOUT_MS);
  return server;
}

/**
 * The answers every route may give besides its own, added to each documented route's responses so the OpenAPI
 * lists every status a client can meet: 422 (validation), 413 and 415 (bodies), 503 (a dependency down).
 */
function documentKernelAnswers(app: FastifyInstance): void {
  const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);
  app.addHook('onRoute', (route) => {
    const schema = route.schema as { response?: Record<string, unknown>; hide?: boolean } | undefined;
    if (!schema?.response || schema.hide) return;
    const add = (status: number, description: string) => {
      schema.response![status] ??= { ...ErrorBody, description };
    };
    add(422, 'The request does not match its schema (SPEC §0 detail lists each field).');
    add(503, 'A dependency is unavailable; retry after Retry-After seconds.');
    if ([route.method].flat().some((method) => BODY_METHODS.has(method))) {
      add(413, 'The body is over BODY_LIMIT_BYTES.');
      add(415, 'The body is not application/json.');
    }
  });
}

// Credentials a client may have to put in the query (EventSource cannot set headers): kept out of every log line.
const QUERY_CREDENTIALS = /([?&](?:token|access_token)=)[^&#]*/gi;
export const withoutQueryCredentials = (url: string) => url.replace(QUERY_CREDENTIALS, '$1[redacted]');

function registerObservability(app: FastifyInstance, service: string): void {
  const registry = new client.Registry();
  registry.setDefaultLabels({ service });
  client.collectDefaultMetrics({ register: registry });
  const duration = new client.Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  app.decorate('metrics', registry);

  const checks = new Map<string, ReadinessCheck>();
  app.decorate('addReadinessCheck', (name: string, check: ReadinessCheck) => {
    checks.set(name, check);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-request-id', request.id);
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    duration.observe({ method: request.method, route, status: reply.statusCode }, reply.elapsedTime / 1000);
    const level = reply.statusCode >= 500 ? 'error' : 'info';
    request.log[level](
      {
        method: request.method,
        url: withoutQueryCredentials(request.url),
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request done',
    );
  });

  app.get('/health', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/ready', { schema: { hide: true } }, async () => {
    const results = await Promise.all(
      [...checks].map(async ([name, check]) => [name, await check().catch(() => false)] as const),
    );
    const failing = results.filter(([, ok]) => !ok).map(([name]) => name);
    if (failing.length > 0) {
      throw new AppError(
        503,
        'NOT_READY',
        `Not ready: ${failing.join(', ')}.`,
        failing.map((name) => ({ location: 'state', param: name, error: 'NotReady', msg: `${name} check failed.` })),
        { retryAfterSeconds: 1 },
      );
    }
    return { status: 'ready', checks: Object.fromEntries(results) };
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
}

/** Fastify's own errors for things a client sent, translated to our codes. */
const CLIENT_ERRORS: Record<string, { status: number; code: string; message: string; detail?: ErrorDetail }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: {
    status: 422,
    code: 'MALFORMED_JSON',
    message: 'The request body is not valid JSON.',
    detail: { location: 'body', error: 'MalformedJson', msg: 'The request body is not valid JSON.' },
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: 422,
    code: 'MALFORMED_JSON',
    message: 'The request says it carries JSON but its body is empty.',
    detail: { location: 'body', error: 'MalformedJson', msg: 'Empty JSON body.' },
  },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'BODY_TOO_LARGE', message: 'The request body is too large.' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: 'Send the body as application/json.',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: 'BAD_CONTENT_LENGTH',
    message: 'The Content-Length header does not match the body.',
  },
};

// Connection refused/reset, PostgreSQL shutting down or starting (57P0x), connection exceptions (08xxx), and pg's
// own messages for a lost connection. The chaos run saw a PostgreSQL restart answered with hundreds of 500s: a
// dependency being down is a 503 + Retry-After (SPEC §0), not a bug of ours. In containers a stopped dependency's
// name stops resolving (ENOTFOUND, EAI_AGAIN): test/compose saw those as 500s while a service's PostgreSQL was down.
const UNREACHABLE_CODES = new Set([
  ...['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN'],
  ...['57P01', '57P02', '57P03'],
]);
const UNREACHABLE_MESSAGE =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;

function dependencyUnreachable(error: FastifyError): boolean {
  const code = typeof error.code === 'string' ? error.code : '';
  return UNREACHABLE_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code) || UNREACHABLE_MESSAGE.test(error.message ?? '');
}

/** SQLSTATE class 22, data exception: a value PostgreSQL cannot take (out of range, malformed, NUL in text). */
function sqlDataException(error: FastifyError): boolean {
  return typeof error.code === 'string' && /^22[0-9A-Z]{3}$/.test(error.code) && 'severity' in error;
}

function errorHandler(this: FastifyInstance, error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  if (isAppError(error)) {
    if (error.status >= 500) request.log.warn({ code: error.code, msg: error.message }, 'request failed');
    sendError(reply, error);
    return;
  }
  if (error.validation) {
    const context = error.validationContext ?? 'body';
    const data =
      context === 'querystring'
        ? request.query
        : context === 'params'
          ? request.params
          : context === 'headers'
            ? request.headers
            : request.body;
    const detail = toErrorDetails(error.validation as never, context, data);
    const message =
      detail.length === 1
        ? `${detail[0]!.param}: ${detail[0]!.msg}`
        : `${detail.length} problems in the request; see detail.`;
    sendError(reply, new AppError(422, 'VALIDATION_FAILED', message, detail));
    return;
  }
  const known = error.code ? CLIENT_ERRORS[error.code] : undefined;
  if (known) {
    sendError(reply, new AppError(known.status, known.code, known.message, known.detail ? [known.detail] : []));
    return;
  }
  if (error instanceof SyntaxError || (error.statusCode === 400 && /JSON/i.test(error.message))) {
    const malformed = CLIENT_ERRORS.FST_ERR_CTP_INVALID_JSON_BODY!;
    sendError(reply, new AppError(malformed.status, malformed.code, malformed.message, [malformed.detail!]));
    return;
  }
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    sendError(reply, new AppError(error.statusCode, error.code ?? 'BAD_REQUEST', error.message));
    return;
  }
  if (sqlDataException(error)) {
    // the schemas bound every value to what its column holds; this is the last line behind them, and never
    // says which SQL failed
    request.log.warn({ sqlstate: error.code }, 'request refused: PostgreSQL rejected a value (data exception)');
    sendError(
      reply,
      new AppError(
        422,
        'INVALID_VALUE',
        'A value in the request cannot be stored: too large, too small or malformed.',
        [{ location: 'body', error: 'InvalidValue', msg: 'A value is too large, too small or malformed.' }],
      ),
    );
    return;
  }
  if (dependencyUnreachable(error)) {
    request.log.warn({ err: error }, 'request failed: a dependency is unreachable');
    sendError(
      reply,
      new AppError(503, 'DEPENDENCY_UNAVAILABLE', 'A service this request needs is unavailable; retry shortly.', [], {
        retryAfterSeconds: 2,
      }),
    );
    return;
  }
  request.log.error({ err: error }, 'unhandled error');
  sendError(reply, new AppError(500, 'INTERNAL', `Something went wrong on our side; quote request id ${request.id}.`));
}

export function sendError(reply: FastifyReply, error: AppError): void {
  if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
  if (error.stale) reply.header('x-data-stale', 'true');
  reply
    .code(error.status)
    .type('application/json; charset=utf-8')
    .send({ errors: { code: error.code, message: error.message, detail: error.detail } });
}
