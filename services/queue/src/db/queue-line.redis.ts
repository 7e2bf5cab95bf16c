import type Redis from 'ioredis';
import { DEFAULT_ROOM, type Room, type RoomStatus } from '../domain/room';
import type {
  AdmissionRound,
  EndReason,
  JoinOutcome,
  JoinRequest,
  QueueLine,
  TokenState,
  TokenStatus,
  TokenView,
} from '../domain/queue-token';
import { ADMIT } from './admission.lua';
import { fieldsOf, lineCall, num, type LineScripts } from './line-scripts';
import { END_FOR_PURCHASE, JOIN, POLL, STREAM_STATUS } from './queue-line.lua';
import { roomOf } from './rooms.redis';

/** The describe() reply of the scripts (see line-prelude.lua.ts). */
type Described = [
  string,
  string,
  number,
  string,
  string,
  string,
  string,
  string,
  string,
  string,
  string,
  string,
  string,
];

function toView(row: Described): TokenView | undefined {
  const [tokenId, status, waitingNo, jwt, activeExpiresAt, expiredAt, tokenExpiresAt, userId, ...room] = row;
  if (!status) return undefined;
  const [roomId, roomStatus, observedPerMinute, concertId, saleStartsAt] = room;
  return {
    tokenId,
    userId: Number(userId),
    status: status as TokenStatus,
    waitingNo: Number(waitingNo),
    jwt,
    activeExpiresAtMs: num(activeExpiresAt),
    expiredAtMs: num(expiredAt),
    tokenExpiresAtMs: Number(tokenExpiresAt),
    roomId: roomId || DEFAULT_ROOM,
    roomStatus: (roomStatus || 'OPEN') as RoomStatus,
    observedPerMinute: num(observedPerMinute),
    concertId: num(concertId),
    saleStartsAtMs: num(saleStartsAt),
  };
}

/** The journal stream's consumer group: recorders of all instances share it, so each entry is recorded once. */
const RECORDERS = 'recorders';

export type JournalEntry = { entryId: string } & ({ kind: 'token'; state: TokenState } | { kind: 'room'; room: Room });

function toTokenState(id: string, f: Record<string, string>): TokenState {
  return {
    tokenId: id,
    userId: Number(f.userId),
    roomId: f.room || DEFAULT_ROOM,
    status: f.status as TokenStatus,
    reason: (f.reason || null) as EndReason | null,
    joinSeq: Number(f.seq),
    admissionNo: num(f.admissionNo),
    issuedAtMs: Number(f.issuedAt),
    activatedAtMs: num(f.activatedAt),
    activeExpiresAtMs: num(f.activeExpiresAt),
    expiredAtMs: num(f.expiredAt),
    tokenExpiresAtMs: Number(f.tokenExpiresAt),
    revision: Number(f.revision),
  };
}

function toEntry([entryId, flat]: [string, string[]]): JournalEntry {
  const f = fieldsOf(flat);
  // entries journalled before rooms existed carry tokenId and no kind
  if (f.kind === 'room') return { entryId, kind: 'room', room: roomOf(f.id!, f) };
  return { entryId, kind: 'token', state: toTokenState(f.id ?? f.tokenId!, f) };
}

/** The waiting lines kept in Redis, every operation one atomic script (see queue-line.lua.ts, admission.lua.ts). */
export class RedisQueueLine implements QueueLine {
  constructor(private readonly scripts: LineScripts) {}

  get prefix(): string {
    return this.scripts.prefix;
  }

  private get redis(): Redis {
    return this.scripts.redis;
  }

  join(input: JoinRequest): Promise<JoinOutcome> {
    return lineCall(async () => {
      const [outcome, ...rest] = (await this.scripts.run(JOIN, [
        input.nowMs,
        input.tokenId,
        input.userId,
        input.jwt,
        input.tokenExpiresAtMs,
        input.roomId,
        input.randomScore,
      ])) as [string, ...unknown[]];
      if (outcome === 'CREATED' || outcome === 'EXISTING')
        return { outcome, token: toView(rest as unknown as Described)! };
      if (outcome === 'FULL') return { outcome, waiting: Number(rest[0]), observedPerMinute: num(rest[1] as string) };
      return { outcome: outcome as 'NO_ROOM' | 'NOT_OPEN' | 'CLOSED' };
    });
  }

  poll(tokenId: string, nowMs: number) {
    return lineCall(async () => toView((await this.scripts.run(POLL, [nowMs, tokenId])) as Described));
  }

  standings(tokenIds: string[], nowMs: number) {
    return lineCall(async () => {
      if (tokenIds.length === 0) return [];
      const rows = (await this.scripts.run(STREAM_STATUS, [nowMs, ...tokenIds])) as Described[];
      return rows.map(toView);
    });
  }

  roomIds(): Promise<string[]> {
    return lineCall(() => this.redis.smembers(`${this.prefix}rooms`));
  }

  admit({ roomId, nowMs, batch }: { roomId: string; nowMs: number; batch: number }): Promise<AdmissionRound> {
    return lineCall(async () => {
      const [expired, abandoned, admitted, closedOut, waiting, active] = (await this.scripts.run(ADMIT, [
        nowMs,
        roomId,
        batch,
      ])) as number[];
      return {
        expired: expired!,
        abandoned: abandoned!,
        admitted: admitted!,
        closedOut: closedOut!,
        waiting: waiting!,
        active: active!,
      };
    });
  }

  endActiveTokensOfBuyer(input: { userId: number; boughtAtMs: number; roomId?: string; nowMs: number }) {
    return lineCall(
      async () =>
        (await this.scripts.run(END_FOR_PURCHASE, [
          input.nowMs,
          input.userId,
          input.boughtAtMs,
          input.roomId ?? '',
        ])) as string[],
    );
  }

  /** How many are ACTIVE and WAITING in a room's line right now. */
  counts(roomId = DEFAULT_ROOM) {
    const line = roomId === DEFAULT_ROOM ? this.prefix : `${this.prefix}room:${roomId}:`;
    return lineCall(async () => {
      const [[, active], [, waiting]] = (await this.redis
        .multi()
        .zcard(`${line}active`)
        .zcard(`${line}waiting`)
        .exec()) as [[null, number], [null, number]];
      return { active, waiting };
    });
  }

  /** Creates the recorders' group if it is not there; from id 0, so entries written before it are read too. */
  async ensureJournalGroup(): Promise<void> {
    await this.redis.xgroup('CREATE', `${this.prefix}journal`, RECORDERS, '0', 'MKSTREAM').catch((error: Error) => {
      if (!error.message.includes('BUSYGROUP')) throw error;
    });
  }

  /**
   * Next journal entries for this recorder: first any left pending for over `claimIdleMs` by a recorder that died,
   * then new ones (waiting up to `blockMs` on `blockingClient`, a connection of its own).
   */
  async readJournal(
    blockingClient: Redis,
    consumer: string,
    options: { count: number; blockMs: number; claimIdleMs: number },
  ): Promise<JournalEntry[]> {
    const key = `${this.prefix}journal`;
    const claimed = (await this.redis.xautoclaim(
      key,
      RECORDERS,
      consumer,
      options.claimIdleMs,
      '0',
      'COUNT',
      options.count,
    )) as [string, [string, string[]][]];
    const stale = claimed[1].filter((entry) => entry && entry[1]);
    if (stale.length > 0) return stale.map(toEntry);
    const fresh = (await blockingClient.xreadgroup(
      'GROUP',
      RECORDERS,
      consumer,
      'COUNT',
      options.count,
      'BLOCK',
      options.blockMs,
      'STREAMS',
      key,
      '>',
    )) as [string, [string, string[]][]][] | null;
    return (fresh?.[0]?.[1] ?? []).map(toEntry);
  }

  /** Recorded: acknowledged and removed, so the stream holds only what is not in PostgreSQL yet. */
  async ackJournal(entryIds: string[]): Promise<void> {
    if (entryIds.length === 0) return;
    const key = `${this.prefix}journal`;
    await this.redis
      .multi()
      .xack(key, RECORDERS, ...entryIds)
      .xdel(key, ...entryIds)
      .exec();
  }

  /** Entries journalled and not yet recorded (tests wait on it). */
  async journalLength(): Promise<number> {
    return this.redis.xlen(`${this.prefix}journal`);
  }
}
