import { formatDateTime } from '../domain/format';

/**
 * What went wrong with a call, in words a buyer can act on. The API's own message is a human sentence (SPEC §0)
 * and is shown for refusals (4xx); a server-side failure never shows anything the server sent.
 */
export type ProblemKind =
  | 'unavailable' // 503: a dependency is down; try again after retryAfterSeconds
  | 'rate-limited' // 429: wait retryAfterSeconds
  | 'signed-out' // 401 on USER-TOKEN: sign in again
  | 'queue-ended' // 401 on the queue token: join the line again
  | 'waiting' // 403 WaitingInQueue: still in line
  | 'wrong-room' // 403 WrongRoom: the token is of another concert's waiting room; join this concert's
  | 'forbidden' // 403 otherwise
  | 'not-found'
  | 'conflict' // 409: seat taken, hold expired…
  | 'refused' // 400: business rule (not enough points, hold limit…)
  | 'invalid' // 422 (or 413/415): the form needs fixing
  | 'offline' // no answer at all
  | 'server'; // any other 5xx

export interface ProblemField {
  param?: string;
  msg: string;
}

export class ApiProblem extends Error {
  constructor(
    readonly kind: ProblemKind,
    readonly status: number,
    message: string,
    readonly options: {
      code?: string;
      retryAfterSeconds?: number;
      fields?: ProblemField[];
      waitingNo?: number;
      /** wrong-room: the concert whose waiting room to join */
      concertId?: number;
      requestId?: string;
    } = {},
  ) {
    super(message);
  }

  get retryAfterSeconds(): number | undefined {
    return this.options.retryAfterSeconds;
  }
}

interface ErrorBody {
  errors?: {
    code?: unknown;
    message?: unknown;
    detail?: { param?: unknown; msg?: unknown; error?: unknown; waitingNo?: unknown; concertId?: unknown }[];
  };
}

/** Retry-After is seconds or an HTTP date; anything else means "a few seconds". */
export function retryAfterSeconds(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

function parseBody(text: string): ErrorBody {
  try {
    const body = JSON.parse(text) as unknown;
    return typeof body === 'object' && body !== null ? (body as ErrorBody) : {};
  } catch {
    return {};
  }
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() ? value : undefined);

const GENERIC: Record<number, string> = {
  400: 'That was refused.',
  403: 'You are not allowed to do that.',
  404: 'That does not exist (any more).',
  409: 'Someone or something got there first.',
  413: 'That is too large to send.',
  422: 'Some of what you entered needs fixing.',
};

/**
 * Refusals whose API sentence is right but not yet kind: a buyer reads the cut-off in their own time, not in UTC.
 */
function friendlierSentence(code: string | undefined, said: string | undefined): string | undefined {
  if (code === 'CANCELLATION_CLOSED') {
    const cutOff = said?.match(/\d{4}-\d{2}-\d{2}T[\d:.]+(?:Z|[+-]\d{2}:\d{2})/)?.[0];
    return cutOff
      ? `Refunds for this show closed on ${formatDateTime(cutOff)}: tickets can be cancelled until 24 hours before the show. Your ticket is still yours.`
      : 'Refunds for this show have closed: tickets can be cancelled until 24 hours before the show. Your ticket is still yours.';
  }
  return undefined;
}

/** The problem an HTTP answer describes, for the credential the call presented. */
export function problemFrom(
  status: number,
  headers: { get(name: string): string | null },
  bodyText: string,
  credential: 'none' | 'user' | 'queue',
): ApiProblem {
  const body = parseBody(bodyText).errors ?? {};
  const code = text(body.code);
  const requestId = headers.get('x-request-id') ?? undefined;
  const retry = retryAfterSeconds(headers.get('retry-after'));
  const detail = Array.isArray(body.detail) ? body.detail : [];
  const said = text(body.message);

  if (status === 503) {
    const seconds = retry ?? 5;
    return new ApiProblem('unavailable', status, `A service is not answering right now. Try again shortly.`, {
      code,
      retryAfterSeconds: seconds,
      requestId,
    });
  }
  if (status === 429) {
    const seconds = retry ?? 10;
    return new ApiProblem('rate-limited', status, 'Too many requests from you just now. Please wait.', {
      code,
      retryAfterSeconds: seconds,
      requestId,
    });
  }
  if (status >= 500) {
    return new ApiProblem(
      'server',
      status,
      `Something went wrong on our side. Try again; if it keeps happening, quote ${requestId ?? 'the time'}.`,
      { code, requestId },
    );
  }
  if (status === 401) {
    return credential === 'queue'
      ? new ApiProblem('queue-ended', status, 'Your place in line has ended. Join the line again.', { code })
      : new ApiProblem('signed-out', status, 'Please sign in again.', { code });
  }
  const waiting = detail.find((entry) => entry.error === 'WaitingInQueue');
  if (status === 403 && waiting) {
    const waitingNo = typeof waiting.waitingNo === 'number' ? waiting.waitingNo : undefined;
    return new ApiProblem('waiting', status, 'You are still in the waiting line.', { code, waitingNo });
  }
  const wrongRoom = detail.find((entry) => entry.error === 'WrongRoom');
  if (status === 403 && wrongRoom) {
    const concertId = typeof wrongRoom.concertId === 'number' ? wrongRoom.concertId : undefined;
    return new ApiProblem('wrong-room', status, 'This concert has a waiting room of its own.', { code, concertId });
  }
  const fields = detail.flatMap((entry) =>
    text(entry.msg) ? [{ param: text(entry.param), msg: String(entry.msg) }] : [],
  );
  const kind: ProblemKind =
    status === 403
      ? 'forbidden'
      : status === 404
        ? 'not-found'
        : status === 409
          ? 'conflict'
          : status === 400
            ? 'refused'
            : 'invalid';
  const sentence = friendlierSentence(code, said) ?? said ?? GENERIC[status] ?? 'That did not work.';
  return new ApiProblem(kind, status, sentence, { code, fields, requestId });
}

/** A fetch that never reached the server (network down, gateway stopped). */
export const offline = () =>
  new ApiProblem('offline', 0, 'Boxoffice cannot be reached. Check your connection; we will retry.', {
    retryAfterSeconds: 3,
  });

/** Whatever was thrown, as a problem fit to show (a bug in the page is never shown as its stack). */
export function asProblem(error: unknown): ApiProblem {
  if (error instanceof ApiProblem) return error;
  console.error(error);
  return new ApiProblem('server', 0, 'Something went wrong in this page. Reload it to try again.');
}
