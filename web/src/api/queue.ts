import { call } from './http';
import { session } from './session';

/** The queue service (SPEC §4): the waiting room. */
export type QueueStatus = 'WAITING' | 'ACTIVE' | 'EXPIRED';

export interface QueueStanding {
  uuid: string;
  waitingNo: number;
  status: QueueStatus;
  /** From the pace the line has moved at lately; null while that is not known yet (see waitEstimate). */
  estimatedWaitSeconds?: number | null;
  waitEstimate?: 'OBSERVED' | 'NOT_KNOWN_YET' | 'NO_WAIT';
  expiresAt: string;
  /** The waiting room (`default`, or a concert's); GET /tokens/stream pushes the same body (docs/waiting-room.md). */
  roomId?: string;
  roomStatus?: 'CREATED' | 'PRE_QUEUE' | 'OPEN' | 'SUSPENDED' | 'CLOSED';
  concertId?: number | null;
  /** When the room's sale opens (a pre-queue until then); null or absent: admission as soon as it is open. */
  saleStartsAt?: string | null;
}

export interface IssuedToken extends QueueStanding {
  token: string;
}

export type RoomState = 'CREATED' | 'OPEN' | 'SUSPENDED' | 'CLOSED';
export type RoomAction = 'open' | 'suspend' | 'close';

/** The operator's view of a waiting room (GET /admin/rooms): its settings and what is happening in it now. */
export interface Room {
  id: string;
  name: string;
  concertId: number | null;
  state: RoomState;
  status: NonNullable<QueueStanding['roomStatus']>;
  maxActive: number;
  admissionRatePerMinute: number | null;
  sessionSeconds: number;
  queueingMethod: 'fifo' | 'random';
  saleStartsAt: string | null;
  maxWaiting: number | null;
  waiting: number;
  active: number;
  admittedTotal: number;
  admittedPerMinute: number | null;
  abandonedTotal: number;
  drainSeconds: number | null;
}

export interface NewRoom {
  name: string;
  concertId: number;
  maxActive: number;
  admissionRatePerMinute?: number | null;
  sessionSeconds?: number;
  queueingMethod?: 'fifo' | 'random';
  saleStartsAt?: string | null;
  maxWaiting?: number | null;
  state?: 'CREATED' | 'OPEN';
}

export const queueApi = {
  /**
   * Joins the waiting room of a concert (the default room's line for a concert without one, or when none is
   * named), or gets the caller's live token in that room back (same place).
   */
  join: (userId: number, concertId: number | null = null) =>
    call<IssuedToken>('POST', '/tokens', { body: concertId === null ? { userId } : { userId, concertId } }),
  standing: () => call<QueueStanding>('GET', '/tokens', { credential: 'queue' }),
  rooms: () => call<Room[]>('GET', '/admin/rooms'),
  createRoom: (room: NewRoom) => call<Room>('POST', '/admin/rooms', { body: room }),
  changeRoom: (roomId: string, action: RoomAction) =>
    call<Room>('POST', `/admin/rooms/${encodeURIComponent(roomId)}/${action}`),
};

/** A standing the stream pushed, when it is one (anything else is ignored, never shown). */
function standingIn(data: unknown): QueueStanding | undefined {
  try {
    const parsed = JSON.parse(String(data)) as Partial<QueueStanding>;
    return typeof parsed.status === 'string' && typeof parsed.waitingNo === 'number'
      ? (parsed as QueueStanding)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Follows the caller's standing until stopped: pushed by the queue's server-sent events (GET /tokens/stream, so
 * ten thousand waiters do not poll; an open stream also says the waiter is still there), or by polling GET /tokens
 * when the stream cannot be had (no EventSource, the stream refused or ended, e.g. 503 when an instance is full,
 * or nothing arrives through a proxy that buffers answers).
 */
export function watchStanding(
  onStanding: (standing: QueueStanding) => void,
  onProblem: (error: unknown) => void,
  { intervalMs = 2_000, token = session.queueToken(), firstEventMs = 5_000 }: WatchOptions = {},
): () => void {
  if (typeof EventSource === 'undefined' || !token) return pollStanding(onStanding, onProblem, intervalMs);
  let stopPolling: (() => void) | undefined;
  const stream = new EventSource(`/tokens/stream?${new URLSearchParams({ token })}`);
  const pollInstead = () => {
    stream.close();
    stopPolling ??= pollStanding(onStanding, onProblem, intervalMs);
  };
  // the stream's first event is the current standing, sent at once; a proxy that buffers answers delivers nothing
  const silence = setTimeout(pollInstead, firstEventMs);
  stream.onmessage = (event: MessageEvent) => {
    clearTimeout(silence);
    const standing = standingIn(event.data);
    if (standing) onStanding(standing);
  };
  stream.onerror = () => {
    // a dropped connection is retried by EventSource itself; a refused or ended stream is CLOSED: poll instead,
    // which also reports why (401, 503 with its retry time) through onProblem
    if (stream.readyState === EventSource.CLOSED) {
      clearTimeout(silence);
      pollInstead();
    }
  };
  return () => {
    clearTimeout(silence);
    stream.close();
    stopPolling?.();
  };
}

interface WatchOptions {
  intervalMs?: number;
  token?: string;
  /** How long the stream may stay silent before its first event, before the standing is polled instead. */
  firstEventMs?: number;
}

function pollStanding(
  onStanding: (standing: QueueStanding) => void,
  onProblem: (error: unknown) => void,
  intervalMs: number,
): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tick = async () => {
    let delay = intervalMs;
    try {
      const answer = await queueApi.standing();
      if (stopped) return;
      onStanding(answer.body);
      if (answer.body.status !== 'WAITING') return; // nothing more will change by itself
    } catch (error) {
      if (stopped) return;
      onProblem(error);
      const retry = (error as { retryAfterSeconds?: number }).retryAfterSeconds;
      if (retry === undefined) return;
      delay = Math.max(intervalMs, retry * 1000);
    }
    timer = setTimeout(tick, delay);
  };
  void tick();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
