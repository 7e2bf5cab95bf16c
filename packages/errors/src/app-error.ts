/**
 * One error type for every service. The HTTP layer renders it as the SPEC §0 body:
 * {"errors": {"code", "message", "detail": [...]}}. Domain code throws it without knowing about HTTP headers: what
 * a header would say travels as a field with a meaning of its own (`retryAfterSeconds`), which the HTTP layer renders.
 */
export type ErrorKind =
  | 'MissingField'
  | 'UnknownField'
  | 'TypeError'
  | 'RangeError'
  | 'FormatError'
  | 'InvalidChoice'
  | 'MalformedJson'
  | 'Conflict'
  | 'NotAvailable'
  | 'WaitingInQueue'
  | (string & {});

export interface ErrorDetail {
  location: 'body' | 'query' | 'path' | 'header' | 'state';
  param?: string;
  value?: unknown;
  error: ErrorKind;
  msg: string;
  [extra: string]: unknown;
}

export interface AppErrorOptions {
  /** When trying again may succeed (a dependency down, a limit, a step not done yet); HTTP: Retry-After. */
  retryAfterSeconds?: number;
  /** The answer rests on a replica or cache that may be behind its owner; HTTP: X-Data-Stale: true. */
  stale?: boolean;
}

export class AppError extends Error {
  readonly retryAfterSeconds: number | undefined;
  readonly stale: boolean;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly detail: ErrorDetail[] = [],
    options: AppErrorOptions = {},
  ) {
    // A 4xx is an expected answer, never a bug to trace: skip capturing a stack, which costs more than the rest of a
    // refused request (a hold storm answers thousands of 409s a second).
    const stackTraceLimit = Error.stackTraceLimit;
    if (status < 500) Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = stackTraceLimit;
    this.name = 'AppError';
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.stale = options.stale ?? false;
  }
}

export const validationFailed = (message: string, detail: ErrorDetail[]) =>
  new AppError(422, 'VALIDATION_FAILED', message, detail);

export const badRequest = (code: string, message: string, detail: ErrorDetail[] = []) =>
  new AppError(400, code, message, detail);

export const unauthorized = (message = 'A valid USER-TOKEN header is required.') =>
  new AppError(401, 'UNAUTHORIZED', message);

export const forbidden = (message: string, detail: ErrorDetail[] = []) =>
  new AppError(403, 'FORBIDDEN', message, detail);

export const notFound = (message: string) => new AppError(404, 'NOT_FOUND', message);

export const conflict = (code: string, message: string, detail: ErrorDetail[] = []) =>
  new AppError(409, code, message, detail);

export const unavailable = (message: string, retryAfterSeconds = 5) =>
  new AppError(503, 'DEPENDENCY_UNAVAILABLE', message, [], { retryAfterSeconds });

export const isAppError = (error: unknown): error is AppError => error instanceof AppError;
