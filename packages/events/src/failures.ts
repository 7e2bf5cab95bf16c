/**
 * Telling "a dependency cannot be reached right now" from "this message (or outbox row) is bad". Only the second
 * may count towards dead-lettering: an outage of PostgreSQL, Redis, Kafka or a peer stalls a partition (or the
 * outbox) until it ends, and nothing is dead-lettered because of it.
 */

type ErrorLike = {
  code?: unknown;
  name?: unknown;
  message?: unknown;
  status?: unknown;
  transient?: unknown;
  retriable?: unknown;
  type?: unknown;
  cause?: unknown;
  errors?: unknown;
};

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EOPENBREAKER', // opossum: the peer's circuit is open
]);
// PostgreSQL: connection exceptions (class 08), shutting down or starting (57P01-57P03), too many connections
// (53300); contention that a retry resolves (serialization failure 40001, deadlock 40P01).
const POSTGRES_TRANSIENT = /^(08[0-9A-Z]{3}|57P0[123]|53300|40001|40P01)$/;
// pg and ioredis say "unreachable" in their messages only.
const UNREACHABLE_MESSAGE =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection is closed|Stream isn't writeable|Reached the max retries per request limit|Command timed out)/;

/** The error and what it wraps (`cause`, an aggregate's `errors`), a few levels deep. */
function* chain(error: unknown, depth = 0): Generator<ErrorLike> {
  if (!error || typeof error !== 'object' || depth > 4) return;
  const e = error as ErrorLike;
  yield e;
  yield* chain(e.cause, depth + 1);
  if (Array.isArray(e.errors)) for (const inner of e.errors) yield* chain(inner, depth + 1);
}

/**
 * True when the error says a dependency is unreachable or busy: a network error, PostgreSQL restarting, Redis
 * down, a peer's open circuit or its 503 (`AppError` with status 503), or anything marked `transient: true`.
 */
export function isTransient(error: unknown): boolean {
  for (const e of chain(error)) if (saysUnreachable(e)) return true;
  return false;
}

function saysUnreachable(e: ErrorLike): boolean {
  if (e.transient === true || e.status === 503) return true;
  if (typeof e.code === 'string' && (NETWORK_CODES.has(e.code) || POSTGRES_TRANSIENT.test(e.code))) return true;
  return typeof e.message === 'string' && UNREACHABLE_MESSAGE.test(e.message);
}

/**
 * True only when the Kafka broker answered and refused this message for good (too large, invalid topic, not
 * authorised): a non-retriable protocol error with nothing retriable under it. Connection errors, timeouts and
 * errors we do not recognise are treated as an outage, so a broker that is merely down never isolates a row.
 */
export function rejectedByBroker(error: unknown): boolean {
  let refused = false;
  for (const e of chain(error)) {
    if (e.retriable === true || saysUnreachable(e)) return false;
    if (e.retriable === false && typeof e.type === 'string') refused = true;
  }
  return refused;
}

/** One line for a log or a dead letter's `error` column. */
export function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const inner = (error as ErrorLike | undefined)?.errors;
  // an aggregate (e.g. kafkajs's topic creation errors) says what went wrong only in its parts
  const parts = Array.isArray(inner) ? inner.map((part) => describeError(part)) : [];
  return (parts.length > 0 ? `${text} (${[...new Set(parts)].join('; ')})` : text).slice(0, 1_000);
}

/** 1st retry after `firstMs`, doubling, never longer than `maxMs`. */
export const backoff = (attempt: number, firstMs: number, maxMs = 5_000): number =>
  Math.min(maxMs, firstMs * 2 ** Math.min(Math.max(attempt - 1, 0), 16));
