/**
 * The waiting line's token scripts (keys: see line-prelude.lua.ts). Each runs atomically, so any number of queue
 * instances can join, poll and admit at once without admitting more than a room's capacity or out of order.
 */
import { PRELUDE } from './line-prelude.lua';

/**
 * ARGV: prefix, now, new token id, user id, jwt, token expiry (ms), room id, random score (0 ≤ s < 2^48).
 * → {outcome, ...describe}; outcome CREATED | EXISTING, or → {NO_ROOM | NOT_OPEN | CLOSED} or
 * {FULL, waiting, observed admissions per minute}.
 *
 * The score orders the line: after the sale opened, FIFO_BASE + arrival number; before it, the arrival number in a
 * fifo room, or in a random room a draw the server made with a CSPRNG at join time. The draw is hidden until the
 * sale opens and nobody can draw again while their token lives, so this is the same as shuffling the pre-queue
 * once at the opening instant, without a script that moves the whole pre-queue at that instant.
 */
export const JOIN = `${PRELUDE}
local room = ARGV[7]
local R = roomKey(room)
local c = redis.call('HMGET', R, 'state', 'method', 'saleStartsAt', 'maxWaiting', 'released')
if not c[1] then return {'NO_ROOM'} end
if c[1] == 'CREATED' then return {'NOT_OPEN'} end
if c[1] == 'CLOSED' then return {'CLOSED'} end
local L = lineKeys(room)
local userKey = L .. 'user:' .. ARGV[4]
local current = redis.call('GET', userKey)
if current then
  local f = redis.call('HMGET', tokenKey(current), 'status', 'activeExpiresAt')
  if f[1] == 'WAITING' or (f[1] == 'ACTIVE' and tonumber(f[2]) > now) then
    return {'EXISTING', unpack(describe(current, true))}
  end
end
local waiting = redis.call('ZCARD', L .. 'waiting')
if c[4] and c[4] ~= '' and waiting >= tonumber(c[4]) then
  return {'FULL', waiting, redis.call('HGET', R, 'observedPerMinute') or ''}
end
local released = releaseIfDue(room, c[1], c[3], c[5])
local id = ARGV[3]
local seq = redis.call('INCR', P .. 'seq')
local score = seq
if released then score = FIFO_BASE + seq elseif c[2] == 'random' then score = tonumber(ARGV[8]) end
local key = tokenKey(id)
redis.call('HSET', key, 'userId', ARGV[4], 'room', room, 'status', 'WAITING', 'reason', '', 'jwt', ARGV[5],
  'seq', seq, 'issuedAt', ARGV[2], 'activatedAt', '', 'activeExpiresAt', '', 'expiredAt', '',
  'tokenExpiresAt', ARGV[6], 'admissionNo', '', 'revision', 1)
-- kept a day past the JWT's end so a late poll still reads EXPIRED, then Redis forgets it
redis.call('PEXPIREAT', key, tonumber(ARGV[6]) + 86400000)
redis.call('ZADD', L .. 'waiting', score, id)
redis.call('ZADD', L .. 'seen', now, id)
redis.call('SET', userKey, id, 'PXAT', ARGV[6])
journal(id)
return {'CREATED', unpack(describe(id, false))}
`;

/** ARGV: prefix, now, token id. Polling keeps a WAITING token's place. → describe */
export const POLL = `${PRELUDE}
return describe(ARGV[3], true)
`;

/**
 * ARGV: prefix, now, token ids... → one describe per id, each without its JWT. The live streams of one instance
 * ask for all their tokens at once; an open stream counts as presence.
 */
export const STREAM_STATUS = `${PRELUDE}
local out = {}
for i = 3, #ARGV do
  local row = describe(ARGV[i], true)
  row[4] = ''
  out[#out + 1] = row
end
return out
`;

/**
 * ARGV: prefix, now, user id, bought at (ms), room id. → the ended token ids. The buyer's ACTIVE token in that
 * room ends if it was issued before the purchase; with no room id, in every room (an event that does not say).
 */
export const END_FOR_PURCHASE = `${PRELUDE}
local ended = {}
local rooms = redis.call('SMEMBERS', P .. 'rooms')
if ARGV[5] and ARGV[5] ~= '' then rooms = {ARGV[5]} end
for _, room in ipairs(rooms) do
  local id = redis.call('GET', lineKeys(room) .. 'user:' .. ARGV[3])
  if id then
    local f = redis.call('HMGET', tokenKey(id), 'status', 'issuedAt')
    -- a purchase made before this token existed (a late or replayed event) must not end it; 5 s allow for clock skew
    if f[1] == 'ACTIVE' and tonumber(ARGV[4]) >= tonumber(f[2]) - 5000 then
      expire(id, 'paid')
      ended[#ended + 1] = id
    end
  end
end
return ended
`;
