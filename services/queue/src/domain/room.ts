/**
 * A waiting room: the line in front of one concert's sale (or, for the default room, in front of every concert
 * that has no room of its own). See docs/waiting-room.md for why rooms belong to concerts, not showtimes.
 */
export const DEFAULT_ROOM = 'default';

/** The room's lifecycle, as an operator drives it. */
export type RoomState = 'CREATED' | 'OPEN' | 'SUSPENDED' | 'CLOSED';
/** What a waiting user is told: an OPEN room whose sale has not started yet is a PRE_QUEUE. */
export type RoomStatus = RoomState | 'PRE_QUEUE';
/** fifo: first come, first admitted. random: users who arrive before the sale opens are drawn at random, then FIFO. */
export type QueueingMethod = 'fifo' | 'random';

export interface RoomSettings {
  name: string;
  /** At most this many users are ACTIVE at once. */
  maxActive: number;
  /** At most this many users are admitted per minute; null: only capacity limits admission. */
  admissionRatePerMinute: number | null;
  /** How long an admitted user stays ACTIVE (unless they pay first). */
  sessionSeconds: number;
  queueingMethod: QueueingMethod;
  /** Admission starts then; users who join before wait in the pre-queue. Null: as soon as the room is OPEN. */
  saleStartsAtMs: number | null;
  /** Beyond this many WAITING users, joining is refused ("queue full"); null: no limit. */
  maxWaiting: number | null;
  /** A WAITING user not seen (no poll, no open stream) for this long loses their place. */
  abandonSeconds: number;
}

export interface Room extends RoomSettings {
  id: string;
  /** The concert whose routes this room guards; null for the default room. */
  concertId: number | null;
  state: RoomState;
  revision: number;
  createdAtMs: number;
  updatedAtMs: number;
}

/** A room with what is happening in it now: the operator's view. */
export interface RoomFigures {
  room: Room;
  status: RoomStatus;
  releasedAtMs: number | null;
  waiting: number;
  active: number;
  admittedTotal: number;
  abandonedTotal: number;
  /** The pace the line has moved at lately (see ADMIT); null while too little has been seen. */
  admittedPerMinute: number | null;
  /** How long the users waiting now would take to be admitted at that pace. */
  drainSeconds: number | null;
}

/** A room's figures, with the time to drain worked out from the pace. */
export function figuresOf(room: Room, line: Omit<RoomFigures, 'room' | 'drainSeconds'>): RoomFigures {
  const pace = line.admittedPerMinute;
  const drainSeconds =
    line.waiting === 0 ? 0 : line.status === 'OPEN' && pace ? Math.round((line.waiting * 60) / pace) : null;
  return { room, ...line, drainSeconds };
}

/** Room ids: `default`, or the uuid made at creation. */
export const ROOM_ID_PATTERN = '^(default|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$';
