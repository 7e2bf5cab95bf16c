import { PRELUDE } from './line-prelude.lua';

/**
 * Room scripts (keys: see line-prelude.lua.ts). A room's settings live beside its line, so a change (a close, a
 * new rate) takes effect in the very next admission round of every instance; each change is journalled, and the
 * recorder stores it in PostgreSQL and publishes queue.room.changed.
 */

const ANNOUNCE = `
local function announce(room) redis.call('PUBLISH', P .. 'line-changes', cjson.encode({room = room})) end
-- name/value pairs from ARGV[first]: stored, with a new revision, journalled and announced, if any differs
local function applySettings(room, first)
  local R = roomKey(room)
  local changed = false
  for i = first, #ARGV, 2 do
    if redis.call('HGET', R, ARGV[i]) ~= ARGV[i + 1] then changed = true end
  end
  if not changed then return {'UNCHANGED'} end
  redis.call('HSET', R, 'updatedAt', ARGV[2], unpack(ARGV, first))
  redis.call('HINCRBY', R, 'revision', 1)
  journalRoom(room)
  announce(room)
  return {'UPDATED'}
end
`;

/**
 * ARGV: prefix, now, room id, concert id ('' for none), then setting name/value pairs (including its state).
 * → {CREATED} | {EXISTS} | {CONCERT_TAKEN, room id}. A concert has at most one room that is not CLOSED.
 */
export const CREATE_ROOM = `${PRELUDE}
local room = ARGV[3]
if redis.call('EXISTS', roomKey(room)) == 1 then return {'EXISTS'} end
if ARGV[4] ~= '' then
  local taken = redis.call('HGET', P .. 'concert-rooms', ARGV[4])
  if taken then return {'CONCERT_TAKEN', taken} end
  redis.call('HSET', P .. 'concert-rooms', ARGV[4], room)
end
redis.call('HSET', roomKey(room), 'concertId', ARGV[4], 'revision', 1, 'createdAt', ARGV[2], 'updatedAt', ARGV[2],
  unpack(ARGV, 5))
redis.call('SADD', P .. 'rooms', room)
journalRoom(room)
return {'CREATED'}
`;

/**
 * ARGV: prefix, now, room id, then setting name/value pairs. → {UPDATED} | {UNCHANGED} | {NO_ROOM} | {CLOSED} |
 * {LOCKED, setting}. The queueing method can change only before the room opens (entries already in the line keep
 * the scores of the method they joined under), the sale start only until the sale has opened.
 */
export const UPDATE_ROOM = `${PRELUDE}${ANNOUNCE}
local room = ARGV[3]
local R = roomKey(room)
local c = redis.call('HMGET', R, 'state', 'released')
if not c[1] then return {'NO_ROOM'} end
if c[1] == 'CLOSED' then return {'CLOSED'} end
for i = 4, #ARGV, 2 do
  local name = ARGV[i]
  if redis.call('HGET', R, name) ~= ARGV[i + 1] then
    if name == 'method' and c[1] ~= 'CREATED' then return {'LOCKED', name} end
    if name == 'saleStartsAt' and c[2] == '1' then return {'LOCKED', name} end
  end
end
return applySettings(room, 4)
`;

/**
 * ARGV: prefix, now, room id, new state. → {UPDATED} | {UNCHANGED} | {NO_ROOM} | {REFUSED, current state}.
 * CREATED → OPEN | CLOSED; OPEN ↔ SUSPENDED; either → CLOSED; CLOSED is final. Closing frees the concert for a new
 * room; the admitter then sends the room's waiting users away, while its ACTIVE users keep their time.
 */
export const SET_ROOM_STATE = `${PRELUDE}${ANNOUNCE}
local room = ARGV[3]
local R = roomKey(room)
local state = redis.call('HGET', R, 'state')
if not state then return {'NO_ROOM'} end
local target = ARGV[4]
if state == target then return {'UNCHANGED'} end
local allowed = (target == 'CLOSED') or (target == 'OPEN' and (state == 'CREATED' or state == 'SUSPENDED'))
  or (target == 'SUSPENDED' and state == 'OPEN')
if state == 'CLOSED' or not allowed then return {'REFUSED', state} end
redis.call('HSET', R, 'state', target, 'updatedAt', ARGV[2])
redis.call('HINCRBY', R, 'revision', 1)
if target == 'CLOSED' then
  local concert = redis.call('HGET', R, 'concertId')
  if concert and concert ~= '' and redis.call('HGET', P .. 'concert-rooms', concert) == room then
    redis.call('HDEL', P .. 'concert-rooms', concert)
  end
end
journalRoom(room)
announce(room)
return {'UPDATED'}
`;

/**
 * ARGV: prefix, now, room id, then setting name/value pairs. The default room: made OPEN on the first start, its
 * settings (from the service's configuration) updated when they differ. → {CREATED} | {UPDATED} | {UNCHANGED}
 */
export const ENSURE_ROOM = `${PRELUDE}${ANNOUNCE}
local room = ARGV[3]
local R = roomKey(room)
redis.call('SADD', P .. 'rooms', room)
if redis.call('EXISTS', R) == 0 then
  redis.call('HSET', R, 'concertId', '', 'state', 'OPEN', 'revision', 1, 'createdAt', ARGV[2], 'updatedAt', ARGV[2],
    unpack(ARGV, 4))
  journalRoom(room)
  return {'CREATED'}
end
return applySettings(room, 4)
`;

/**
 * ARGV: prefix, now, room id. → {} when there is no such room, else {waiting, active, ...HGETALL of the room}.
 * ACTIVE counts only tokens inside their ACTIVE time (the set may hold a few the next round will end).
 */
export const ROOM_FIGURES = `${PRELUDE}
local room = ARGV[3]
local fields = redis.call('HGETALL', roomKey(room))
if #fields == 0 then return {} end
local L = lineKeys(room)
return {redis.call('ZCARD', L .. 'waiting'), redis.call('ZCOUNT', L .. 'active', '(' .. ARGV[2], '+inf'), unpack(fields)}
`;
