import type { FastifyReply, FastifyRequest } from 'fastify';
import { idempotentWrite, type IdempotencyStore, type Transact } from '@boxoffice/db';

/** What a write answers: the status, the body and, for a created resource, its Location. */
export interface HttpAnswer<Body = unknown> {
  status: number;
  body: Body;
  location?: string;
}

export interface IdempotentRoute<Result, Body> {
  /** This service's key store (its pool, and how it hashes request bodies). */
  store: IdempotencyStore;
  /** Keys are per user: one user's key never replays another's answer. */
  userId: number;
  /** The operation the key belongs to; default "<METHOD> <route path>", e.g. "POST /tickets". */
  scope?: string;
  /** Calls the use-case, handing it `transact` for its write's transaction; returns what that transaction returned. */
  run: (transact: Transact) => Promise<Result>;
  /** Turns the use-case's result into the HTTP answer; the same answer is stored and replayed. */
  answer: (result: Result) => HttpAnswer<Body>;
}

/**
 * A write that honours `Idempotency-Key` (SPEC §0): the first answer (status, body, Location) is stored in the
 * write's own transaction; the same key and body replay it without running the use-case again; the same key with
 * another body is a 422; a twin still running is a 409 IDEMPOTENCY_KEY_IN_USE. Without the header, the use-case
 * simply runs. Returns the body to send; status and Location are set on the reply.
 */
export async function replyIdempotently<Result, Body>(
  request: FastifyRequest,
  reply: FastifyReply,
  route: IdempotentRoute<Result, Body>,
): Promise<Body> {
  const key = request.headers['idempotency-key'];
  const scope = route.scope ?? `${request.method} ${request.routeOptions.url}`;
  const answer = await idempotentWrite(
    route.store,
    typeof key === 'string' && key !== '' ? { scope, userId: route.userId, key, body: request.body } : undefined,
    route.run,
    route.answer,
  );
  if (answer.location) reply.header('location', answer.location);
  reply.code(answer.status);
  return answer.body as Body;
}
