import { createHash } from 'node:crypto';
import type Redis from 'ioredis';
import { unavailable } from '@boxoffice/errors';
import type {
  AdmissionRound,
  EndReason,
  QueueLine,
  QueuePolicy,
  TokenState,
  TokenStatus,
  TokenView,
} from '../domain/queue-token';
import { ADMIT, END_FOR_PAYMENT, JOIN, POLL } from './queue-line.lua';

type Described = [string, string, number, string, string, string, string, string];

const num = (value: string | undefined): number | null => (value ? Number(value) : null);

function toView(row: Described): TokenView | undefined {
  const [tokenId, status, waitingNo, jwt, activeExpiresAt, expiredAt, tokenExpiresAt, userId] = row;
  if (!status) return undefined;
  return {
    tokenId,
    userId: Number(userId),
    status: status as TokenStatus,
    waitingNo: Number(waitingNo),
    jwt,
    activeExpiresAtMs: num(activeExpiresAt),
    expiredAtMs: num(expiredAt),
    tokenExpiresAtMs: Number(tokenExpiresAt),
  };
}

/** The journal stream's consumer group: recorders of all instances share it, so each entry is recorded once. */
const RECORDERS = 'recorders';

export interface JournalEntry {
  entryId: string;
  state: TokenState;
}

function toState(fields: string[]): TokenState {
  const f: Record<string, string> = {};
  for (let i = 0; i < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
  return {
    tokenId: f.tokenId!,
    userId: Number(f.userId),
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

/** Redis failing is a dependency being down, never the client's fault: 503 with Retry-After. */
async function lineCall<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw Object.assign(unavailable('The waiting line is unavailable right now; try again shortly.', 2), {
      cause: error,
    });
  }
}

/** The waiting line kept in Redis, every operation one atomic script (see queue-line.lua.ts). */
export class RedisQueueLine implements QueueLine {
  constructor(
    private readonly redis: Redis,
    readonly prefix: string,
  ) {}

  private script(lua: string, args: (string | number)[]): Promise<unknown> {
    // evalsha with a fallback to eval: ioredis does that for commands defined with defineCommand, but those are
    // per client and this client is shared, so it is done here the same way.
    return this.redis.evalsha(shaOf(lua), 0, this.prefix, ...args).catch((error: Error) => {
      if (!error.message.includes('NOSCRIPT')) throw error;
      return this.redis.eval(lua, 0, this.prefix, ...args);
    });
  }

  join(input: { tokenId: string; userId: number; jwt: string; tokenExpiresAtMs: number; nowMs: number }) {
    return lineCall(async () => {
      const [created, ...row] = (await this.script(JOIN, [
        input.nowMs,
        input.tokenId,
        input.userId,
        input.jwt,
        input.tokenExpiresAtMs,
      ])) as [number, ...Described];
      return { created: created === 1, token: toView(row)! };
    });
  }

  poll(tokenId: string, nowMs: number) {
    return lineCall(async () => toView((await this.script(POLL, [nowMs, tokenId])) as Described));
  }

  admit({ nowMs, policy, batch }: { nowMs: number; policy: QueuePolicy; batch: number }): Promise<AdmissionRound> {
    return lineCall(async () => {
      const [expired, abandoned, admitted] = (await this.script(ADMIT, [
        nowMs,
        policy.maxActive,
        policy.activeTtlMs,
        nowMs - policy.abandonTtlMs,
        batch,
      ])) as number[];
      return { expired: expired!, abandoned: abandoned!, admitted: admitted! };
    });
  }

  endActiveTokenOfPayer({ userId, paidAtMs, nowMs }: { userId: number; paidAtMs: number; nowMs: number }) {
    return lineCall(
      async () => ((await this.script(END_FOR_PAYMENT, [nowMs, userId, paidAtMs])) as string | null) ?? undefined,
    );
  }

  counts() {
    return lineCall(async () => {
      const [[, active], [, waiting]] = (await this.redis
        .multi()
        .zcard(`${this.prefix}active`)
        .zcard(`${this.prefix}waiting`)
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
    if (stale.length > 0) return stale.map(([entryId, fields]) => ({ entryId, state: toState(fields) }));
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
    return (fresh?.[0]?.[1] ?? []).map(([entryId, fields]) => ({ entryId, state: toState(fields) }));
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

const shas = new Map<string, string>();
function shaOf(lua: string): string {
  let sha = shas.get(lua);
  if (!sha) {
    sha = createHash('sha1').update(lua).digest('hex');
    shas.set(lua, sha);
  }
  return sha;
}
