import { PRELUDE } from './line-prelude.lua';

/**
 * One admission round of one room (keys: see line-prelude.lua.ts). ARGV: prefix, now, room id, batch.
 * → {expired, abandoned, admitted, closedOut, waiting, active}
 *
 * In order: ACTIVE tokens past their time end (ttl); WAITING tokens not seen for the room's abandon time leave
 * (abandoned); a CLOSED room sends its waiting users away (closed); the sale opens if it is due; then, while the
 * room is OPEN, the head of the line fills the free ACTIVE slots, no faster than the room's admission rate (a
 * token bucket holding at most one second of admissions). One script per room and round: however many instances
 * run it, a room never exceeds its capacity or its rate, and admits in line order.
 *
 * The observed pace, which estimates waits, counts only the time the line was moving (open, people waiting) and
 * only admissions made in a round that followed such a round: the first round after an idle spell, or a full
 * batch, admits from capacity that piled up meanwhile, which says nothing of how fast the line moves.
 */
export const ADMIT = `${PRELUDE}
local room = ARGV[3]
local batch = tonumber(ARGV[4])
local R = roomKey(room)
local L = lineKeys(room)
local c = redis.call('HMGET', R, 'state', 'maxActive', 'ratePerMinute', 'sessionMs', 'abandonMs', 'saleStartsAt',
  'released', 'allowance', 'allowanceAt', 'lastRoundAt', 'busyMs', 'countedAdmissions', 'wasBusy')
if not c[1] then return {0, 0, 0, 0, 0, 0} end
local state = c[1]
local expired, abandoned, admitted, closedOut = 0, 0, 0, 0

for _, id in ipairs(redis.call('ZRANGEBYSCORE', L .. 'active', '-inf', now, 'LIMIT', 0, batch)) do
  if redis.call('EXISTS', tokenKey(id)) == 1 then expire(id, 'ttl') else redis.call('ZREM', L .. 'active', id) end
  expired = expired + 1
end
for _, id in ipairs(redis.call('ZRANGEBYSCORE', L .. 'seen', '-inf', now - tonumber(c[5]), 'LIMIT', 0, batch)) do
  if redis.call('HGET', tokenKey(id), 'status') == 'WAITING' then
    expire(id, 'abandoned')
    abandoned = abandoned + 1
  else
    redis.call('ZREM', L .. 'seen', id)
    redis.call('ZREM', L .. 'waiting', id)
  end
end
if abandoned > 0 then redis.call('HINCRBY', R, 'abandonedTotal', abandoned) end
if state == 'CLOSED' then
  for _, id in ipairs(redis.call('ZRANGE', L .. 'waiting', 0, batch - 1)) do
    expire(id, 'closed')
    closedOut = closedOut + 1
  end
end

local released = releaseIfDue(room, state, c[6], c[7])
local waitingBefore = redis.call('ZCARD', L .. 'waiting')
local moving = state == 'OPEN' and released
local ids, ends = {}, {}
if moving then
  local free = tonumber(c[2]) - redis.call('ZCARD', L .. 'active')
  if free > batch then free = batch end
  local rate = tonumber(c[3])
  local allowance
  if rate then
    local burst = math.max(1, rate / 60)
    allowance = tonumber(c[8]) or burst
    local since = tonumber(c[9]) or now
    if now > since then allowance = allowance + (now - since) * rate / 60000 end
    if allowance > burst then allowance = burst end
    if math.floor(allowance) < free then free = math.floor(allowance) end
  end
  local session = tonumber(c[4])
  while free > 0 do
    local head = redis.call('ZPOPMIN', L .. 'waiting')
    if #head == 0 then break end
    local id = head[1]
    local key = tokenKey(id)
    local f = redis.call('HMGET', key, 'status', 'tokenExpiresAt')
    if f[1] == 'WAITING' then
      local tokenEnd = tonumber(f[2])
      if tokenEnd <= now then
        expire(id, 'ttl')
      else
        local activeEnd = now + session
        if activeEnd > tokenEnd then activeEnd = tokenEnd end
        activeEnd = ms(activeEnd)
        local admissionNo = redis.call('INCR', P .. 'admitted')
        redis.call('HSET', key, 'status', 'ACTIVE', 'activatedAt', ARGV[2], 'activeExpiresAt', activeEnd, 'admissionNo', admissionNo)
        redis.call('HINCRBY', key, 'revision', 1)
        redis.call('ZADD', L .. 'active', activeEnd, id)
        redis.call('ZREM', L .. 'seen', id)
        journal(id)
        admitted = admitted + 1
        ids[#ids + 1] = id
        ends[#ends + 1] = activeEnd
        free = free - 1
      end
    else
      redis.call('ZREM', L .. 'seen', id)
    end
  end
  if rate then redis.call('HSET', R, 'allowance', tostring(allowance - admitted), 'allowanceAt', ARGV[2]) end
end

if moving and waitingBefore > 0 then
  local busy = tonumber(c[11]) or 0
  local counted = tonumber(c[12]) or 0
  if c[13] == '1' then
    local last = tonumber(c[10])
    if last and now > last then busy = busy + math.min(now - last, 5000) end
    if admitted < batch then counted = counted + admitted end
  end
  redis.call('HSET', R, 'busyMs', ms(busy), 'countedAdmissions', counted, 'wasBusy', '1')
  local newest = redis.call('LINDEX', L .. 'rate', 0)
  if not newest or busy - tonumber(string.match(newest, '^([^:]+)')) >= 1000 then
    redis.call('LPUSH', L .. 'rate', ms(busy) .. ':' .. counted)
    redis.call('LTRIM', L .. 'rate', 0, 60)
  end
  local oldBusy, oldCounted = string.match(redis.call('LINDEX', L .. 'rate', -1), '^([^:]+):(.+)$')
  local window = busy - tonumber(oldBusy)
  local seen = counted - tonumber(oldCounted)
  local observed = ''
  if window >= 5000 and seen >= 3 then observed = string.format('%.3f', seen * 60000 / window) end
  redis.call('HSET', R, 'observedPerMinute', observed)
else
  redis.call('HSET', R, 'wasBusy', '0')
end
redis.call('HSET', R, 'lastRoundAt', ARGV[2])
if admitted > 0 then
  redis.call('HINCRBY', R, 'admittedTotal', admitted)
  redis.call('PUBLISH', P .. 'line-changes', cjson.encode({room = room, ids = ids, ends = ends}))
elseif closedOut > 0 then
  redis.call('PUBLISH', P .. 'line-changes', cjson.encode({room = room}))
end

local waiting = redis.call('ZCARD', L .. 'waiting')
local active = redis.call('ZCARD', L .. 'active')
if state == 'CLOSED' and waiting == 0 and active == 0 then redis.call('SREM', P .. 'rooms', room) end
return {expired, abandoned, admitted, closedOut, waiting, active}
`;
