import { randomUUID } from 'node:crypto';
import { conflict, notFound } from '@boxoffice/errors';
import { DEFAULT_ROOM, type RoomFigures, type RoomSettings, type RoomState } from './room';

export type RoomChange =
  | { outcome: 'UPDATED' | 'UNCHANGED' | 'NO_ROOM' | 'CLOSED' }
  | { outcome: 'LOCKED'; detail: string }
  | { outcome: 'REFUSED'; detail: RoomState };

/** Where rooms are kept: beside their lines, so a change is atomic with admission (see rooms.lua.ts). */
export interface RoomStore {
  create(input: {
    id: string;
    concertId: number | null;
    state: RoomState;
    settings: RoomSettings;
    nowMs: number;
  }): Promise<{ outcome: 'CREATED' | 'EXISTS' } | { outcome: 'CONCERT_TAKEN'; roomId: string }>;
  update(id: string, settings: Partial<RoomSettings>, nowMs: number): Promise<RoomChange>;
  setState(id: string, state: RoomState, nowMs: number): Promise<RoomChange>;
  figures(id: string, nowMs: number): Promise<RoomFigures | undefined>;
  list(nowMs: number): Promise<RoomFigures[]>;
  roomOfConcert(concertId: number): Promise<string | undefined>;
  concertOfRoom(id: string): Promise<number | null | undefined>;
}

const noRoom = (id: string) => notFound(`Waiting room with id: ${id} doesn't exist.`);

async function figuresOrNotFound(rooms: RoomStore, id: string, nowMs: number): Promise<RoomFigures> {
  const figures = await rooms.figures(id, nowMs);
  if (!figures) throw noRoom(id);
  return figures;
}

/** A new room for a concert's sale; at most one room per concert until it is closed. */
export async function createRoom(
  rooms: RoomStore,
  input: { concertId: number; state: 'CREATED' | 'OPEN'; settings: RoomSettings },
  nowMs = Date.now(),
): Promise<RoomFigures> {
  const id = randomUUID();
  const created = await rooms.create({
    id,
    concertId: input.concertId,
    state: input.state,
    settings: input.settings,
    nowMs,
  });
  if (created.outcome === 'CONCERT_TAKEN') {
    throw conflict('ROOM_EXISTS', `Concert ${input.concertId} already has a waiting room (${created.roomId}).`, [
      {
        location: 'body',
        param: 'concertId',
        value: input.concertId,
        error: 'Conflict',
        msg: 'Close its room first.',
        roomId: created.roomId,
      },
    ]);
  }
  return figuresOrNotFound(rooms, id, nowMs);
}

function refusedChange(id: string, change: RoomChange): never {
  switch (change.outcome) {
    case 'NO_ROOM':
      throw noRoom(id);
    case 'CLOSED':
      throw conflict('ROOM_CLOSED', 'A closed room cannot change.');
    case 'LOCKED':
      throw conflict(
        'ROOM_SETTING_LOCKED',
        change.detail === 'method'
          ? 'The queueing method can change only before the room opens.'
          : 'The sale start cannot change once the sale has opened.',
        [
          {
            location: 'body',
            param: change.detail === 'method' ? 'queueingMethod' : 'saleStartsAt',
            error: 'Conflict',
            msg: 'Locked.',
          },
        ],
      );
    case 'REFUSED':
      throw conflict('ROOM_STATE_CONFLICT', `A ${change.detail} room cannot do that.`, [
        {
          location: 'state',
          param: 'state',
          value: change.detail,
          error: 'Conflict',
          msg: 'Not allowed from this state.',
        },
      ]);
    default:
      throw new Error(`unexpected room change ${change.outcome}`);
  }
}

const configuredByService = () =>
  conflict(
    'DEFAULT_ROOM_CONFIGURED',
    "The default room's settings come from the queue service's configuration (QUEUE_MAX_ACTIVE, ...); it cannot be closed.",
  );

/** New settings for a room; the default room's come from configuration only. */
export async function updateRoom(
  rooms: RoomStore,
  id: string,
  settings: Partial<RoomSettings>,
  nowMs = Date.now(),
): Promise<RoomFigures> {
  if (id === DEFAULT_ROOM) throw configuredByService();
  const change = await rooms.update(id, settings, nowMs);
  if (change.outcome !== 'UPDATED' && change.outcome !== 'UNCHANGED') refusedChange(id, change);
  return figuresOrNotFound(rooms, id, nowMs);
}

/**
 * Opens (or resumes), suspends or closes a room. Suspending pauses admission: waiting users keep their places and
 * may still join; ACTIVE users keep their time. Closing sends the waiting users away for good.
 */
export async function changeRoomState(
  rooms: RoomStore,
  id: string,
  state: 'OPEN' | 'SUSPENDED' | 'CLOSED',
  nowMs = Date.now(),
): Promise<RoomFigures> {
  if (id === DEFAULT_ROOM && state === 'CLOSED') throw configuredByService();
  const change = await rooms.setState(id, state, nowMs);
  if (change.outcome !== 'UPDATED' && change.outcome !== 'UNCHANGED') refusedChange(id, change);
  return figuresOrNotFound(rooms, id, nowMs);
}

export const roomFigures = (rooms: RoomStore, id: string, nowMs = Date.now()) => figuresOrNotFound(rooms, id, nowMs);
