/**
 * What every line script shares: key names, the journal, expiry, and how a token and its room are described.
 *
 * Keys, all under the prefix P (ARGV[1]); L is a room's line prefix (P itself for the default room, so the single
 * line this replaced keeps its keys, else P..'room:'..id..':'):
 *   P..'rooms'            set: the ids of rooms the admitter serves (a closed room leaves once it is empty)
 *   P..'room:'..id        hash: a room's settings and state (see RoomSettings) and its running figures
 *   P..'concert-rooms'    hash: concert id → the id of its room while that room is not CLOSED
 *   L..'waiting'          sorted set: WAITING token ids in admission order (see JOIN for the scores)
 *   L..'active'           sorted set: ACTIVE token ids, score = when their ACTIVE time ends (ms)
 *   L..'seen'             sorted set: WAITING token ids, score = last sign of presence (ms), to find abandoned ones
 *   L..'rate'             list: samples of (time the line was moving, admissions counted), newest first
 *   L..'user:'..id        the user's live token id in that room
 *   P..'token:'..id       hash: the token's state (see TokenState), its room and its JWT
 *   P..'seq' P..'admitted'  arrival and admission counters (all rooms)
 *   P..'journal'          stream: every new token and room state, read by the recorder into PostgreSQL
 *   P..'line-changes'     channel: admissions and room changes, for the instances' live streams
 * Keys are built inside the scripts: fine on one Redis, not on Redis Cluster.
 */
export const PRELUDE = `
local P = ARGV[1]
local now = tonumber(ARGV[2])
-- WAITING scores: a pre-queue entry scores below FIFO_BASE (its arrival number, or a random draw), an entry that
-- joined after the sale opened scores FIFO_BASE + its arrival number, so the drawn pre-queue goes first, then FIFO
local FIFO_BASE = 281474976710656
local function tokenKey(id) return P .. 'token:' .. id end
local function roomKey(room) return P .. 'room:' .. room end
local function lineKeys(room)
  if not room or room == '' or room == 'default' then return P end
  return P .. 'room:' .. room .. ':'
end
local function ms(value) return string.format('%.0f', value) end -- never an exponent, whatever the Redis version

local function journalFields(kind, id, fields)
  local entry = {'kind', kind, 'id', id}
  for i = 1, #fields, 2 do
    if fields[i] ~= 'jwt' then
      entry[#entry + 1] = fields[i]
      entry[#entry + 1] = fields[i + 1]
    end
  end
  redis.call('XADD', P .. 'journal', '*', unpack(entry))
end
local function journal(id) journalFields('token', id, redis.call('HGETALL', tokenKey(id))) end
local function journalRoom(room) journalFields('room', room, redis.call('HGETALL', roomKey(room))) end

local function expire(id, reason)
  local key = tokenKey(id)
  local f = redis.call('HMGET', key, 'userId', 'room')
  local L = lineKeys(f[2])
  redis.call('HSET', key, 'status', 'EXPIRED', 'reason', reason, 'expiredAt', ARGV[2])
  redis.call('HINCRBY', key, 'revision', 1)
  redis.call('ZREM', L .. 'waiting', id)
  redis.call('ZREM', L .. 'active', id)
  redis.call('ZREM', L .. 'seen', id)
  if f[1] and redis.call('GET', L .. 'user:' .. f[1]) == id then redis.call('DEL', L .. 'user:' .. f[1]) end
  journal(id)
end

-- The sale opens once: the first script to run at or after the sale start marks the room released, and from then
-- on every instance agrees that newcomers queue FIFO behind the pre-queue, whatever its own clock says.
local function releaseIfDue(room, state, saleStartsAt, released)
  if released == '1' then return true end
  if state == 'CREATED' or state == 'CLOSED' then return false end
  if saleStartsAt and saleStartsAt ~= '' and tonumber(saleStartsAt) > now then return false end
  redis.call('HSET', roomKey(room), 'released', '1', 'releasedAt', ARGV[2])
  return true
end

-- What a waiting user may be told of a room: CREATED, PRE_QUEUE (open, sale not started), OPEN, SUSPENDED, CLOSED.
local function roomStatus(state, saleStartsAt, released)
  if state ~= 'OPEN' or released == '1' then return state end
  if saleStartsAt and saleStartsAt ~= '' and tonumber(saleStartsAt) > now then return 'PRE_QUEUE' end
  return 'OPEN'
end

-- {id, status, waitingNo, jwt, activeExpiresAt, expiredAt, tokenExpiresAt, userId,
--  room, roomStatus, observed admissions per minute ('' while not known), concertId, saleStartsAt}
-- status '' when unknown. touch: a WAITING token is present (it polled, or its stream is open).
local function describe(id, touch)
  local f = redis.call('HMGET', tokenKey(id), 'status', 'jwt', 'activeExpiresAt', 'expiredAt', 'tokenExpiresAt', 'userId', 'room')
  local status = f[1]
  if not status then return {id, '', 0, '', '', '', '', '', '', '', '', '', ''} end
  local room = f[7] or 'default'
  local L = lineKeys(room)
  local r = redis.call('HMGET', roomKey(room), 'state', 'saleStartsAt', 'released', 'method', 'observedPerMinute', 'concertId')
  local rank = 0
  if status == 'WAITING' then
    if touch then redis.call('ZADD', L .. 'seen', 'XX', now, id) end
    if r[3] ~= '1' and r[4] == 'random' then
      -- not drawn yet: everyone else in the pre-queue may end up ahead
      rank = redis.call('ZCARD', L .. 'waiting') - 1
      if rank < 0 then rank = 0 end
    else
      rank = redis.call('ZRANK', L .. 'waiting', id) or 0
    end
  elseif status == 'ACTIVE' and tonumber(f[3]) <= now then
    status = 'EXPIRED' -- its time is up; the admitter records it on its next round
  end
  return {id, status, rank, f[2], f[3] or '', f[4] or '', f[5], f[6], room,
    roomStatus(r[1] or 'OPEN', r[2], r[3]), r[5] or '', r[6] or '', r[2] or ''}
end
`;
