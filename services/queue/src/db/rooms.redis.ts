import type { Room, RoomSettings, RoomState, RoomStatus } from '../domain/room';
import { figuresOf, type RoomFigures } from '../domain/room';
import type { RoomChange, RoomStore } from '../domain/rooms.use-case';
import { fieldsOf, lineCall, num, type LineScripts } from './line-scripts';
import { CREATE_ROOM, ENSURE_ROOM, ROOM_FIGURES, SET_ROOM_STATE, UPDATE_ROOM } from './rooms.lua';

const opt = (value: number | null) => (value === null ? '' : String(value));

/** A room's settings as the hash fields the scripts read (only those given). */
export function settingsFields(settings: Partial<RoomSettings>): string[] {
  const pairs: string[] = [];
  const add = (name: string, value: string) => pairs.push(name, value);
  if (settings.name !== undefined) add('name', settings.name);
  if (settings.maxActive !== undefined) add('maxActive', String(settings.maxActive));
  if (settings.admissionRatePerMinute !== undefined) add('ratePerMinute', opt(settings.admissionRatePerMinute));
  if (settings.sessionSeconds !== undefined) add('sessionMs', String(settings.sessionSeconds * 1000));
  if (settings.queueingMethod !== undefined) add('method', settings.queueingMethod);
  if (settings.saleStartsAtMs !== undefined) add('saleStartsAt', opt(settings.saleStartsAtMs));
  if (settings.maxWaiting !== undefined) add('maxWaiting', opt(settings.maxWaiting));
  if (settings.abandonSeconds !== undefined) add('abandonMs', String(settings.abandonSeconds * 1000));
  return pairs;
}

/** A room's hash as a Room (what the journal carries too). */
export function roomOf(id: string, f: Record<string, string>): Room {
  return {
    id,
    name: f.name ?? id,
    concertId: num(f.concertId),
    state: (f.state ?? 'OPEN') as RoomState,
    maxActive: Number(f.maxActive),
    admissionRatePerMinute: num(f.ratePerMinute),
    sessionSeconds: Number(f.sessionMs) / 1000,
    queueingMethod: f.method === 'random' ? 'random' : 'fifo',
    saleStartsAtMs: num(f.saleStartsAt),
    maxWaiting: num(f.maxWaiting),
    abandonSeconds: Number(f.abandonMs) / 1000,
    revision: Number(f.revision),
    createdAtMs: Number(f.createdAt),
    updatedAtMs: Number(f.updatedAt),
  };
}

function statusOf(room: Room, released: boolean, nowMs: number): RoomStatus {
  if (room.state !== 'OPEN' || released) return room.state;
  return room.saleStartsAtMs !== null && room.saleStartsAtMs > nowMs ? 'PRE_QUEUE' : 'OPEN';
}

/** The rooms, kept in Redis beside their lines (see rooms.lua.ts). */
export class RedisRooms implements RoomStore {
  constructor(private readonly scripts: LineScripts) {}

  private get redis() {
    return this.scripts.redis;
  }

  private key(...parts: string[]): string {
    return `${this.scripts.prefix}${parts.join('')}`;
  }

  create(input: { id: string; concertId: number | null; state: RoomState; settings: RoomSettings; nowMs: number }) {
    return lineCall(async () => {
      const [outcome, taken] = (await this.scripts.run(CREATE_ROOM, [
        input.nowMs,
        input.id,
        opt(input.concertId),
        'state',
        input.state,
        ...settingsFields(input.settings),
      ])) as [string, string?];
      if (outcome === 'CONCERT_TAKEN') return { outcome, roomId: taken! } as const;
      return { outcome: outcome as 'CREATED' | 'EXISTS' };
    });
  }

  update(id: string, settings: Partial<RoomSettings>, nowMs: number): Promise<RoomChange> {
    return lineCall(async () => {
      const [outcome, detail] = (await this.scripts.run(UPDATE_ROOM, [nowMs, id, ...settingsFields(settings)])) as [
        string,
        string?,
      ];
      return { outcome, detail } as RoomChange;
    });
  }

  setState(id: string, state: RoomState, nowMs: number): Promise<RoomChange> {
    return lineCall(async () => {
      const [outcome, detail] = (await this.scripts.run(SET_ROOM_STATE, [nowMs, id, state])) as [string, string?];
      return { outcome, detail } as RoomChange;
    });
  }

  /** Makes sure the room exists with these settings (the default room, from configuration). */
  ensure(id: string, settings: RoomSettings, nowMs: number): Promise<string> {
    return lineCall(async () => {
      const [outcome] = (await this.scripts.run(ENSURE_ROOM, [nowMs, id, ...settingsFields(settings)])) as [string];
      return outcome;
    });
  }

  figures(id: string, nowMs: number): Promise<RoomFigures | undefined> {
    return lineCall(async () => {
      const reply = (await this.scripts.run(ROOM_FIGURES, [nowMs, id])) as [number, number, ...string[]];
      if (reply.length === 0) return undefined;
      const [waiting, active, ...flat] = reply;
      const f = fieldsOf(flat);
      const room = roomOf(id, f);
      return figuresOf(room, {
        status: statusOf(room, f.released === '1', nowMs),
        releasedAtMs: num(f.releasedAt),
        waiting,
        active,
        admittedTotal: Number(f.admittedTotal ?? 0),
        abandonedTotal: Number(f.abandonedTotal ?? 0),
        admittedPerMinute: num(f.observedPerMinute),
      });
    });
  }

  /** Every room that is not CLOSED, and the closed ones still draining, by creation time. */
  list(nowMs: number): Promise<RoomFigures[]> {
    return lineCall(async () => {
      const ids = await this.redis.smembers(this.key('rooms'));
      const all = await Promise.all(ids.map((id) => this.figures(id, nowMs)));
      return all
        .filter((figures): figures is RoomFigures => figures !== undefined)
        .sort((a, b) => a.room.createdAtMs - b.room.createdAtMs);
    });
  }

  /** The room guarding a concert (not CLOSED), if it has one. */
  roomOfConcert(concertId: number): Promise<string | undefined> {
    return lineCall(async () => (await this.redis.hget(this.key('concert-rooms'), String(concertId))) ?? undefined);
  }

  /** The concert a room guards; undefined when there is no such room, null for a room of no concert. */
  concertOfRoom(id: string): Promise<number | null | undefined> {
    return lineCall(async () => {
      const concert = await this.redis.hget(this.key('room:', id), 'concertId');
      return concert === null ? undefined : num(concert);
    });
  }
}
