/**
 * The waiting line's Redis scripts. Each runs atomically, so any number of queue instances can join, poll and
 * admit at once without admitting more than the maximum or out of order.
 *
 * Keys, all under the prefix P (ARGV[1]):
 *   P..'waiting'       sorted set: WAITING token ids, score = arrival number (FIFO)
 *   P..'active'        sorted set: ACTIVE token ids, score = when their ACTIVE time ends (ms)
 *   P..'seen'          sorted set: WAITING token ids, score = last poll (ms), to find abandoned ones
 *   P..'seq'           arrival counter; P..'admitted' admission counter
 *   P..'token:'..id    hash: the token's state (see TokenState) and its JWT
 *   P..'user:'..id     the user's live token id
 *   P..'journal'       stream: every new token state, read by the recorder into PostgreSQL
 * Token and user keys are built inside the scripts: fine on one Redis, not on Redis Cluster.
 */

const PRELUDE = `
local P = ARGV[1]
local now = tonumber(ARGV[2])
local function tokenKey(id) return P .. 'token:' .. id end

local function journal(id)
  local fields = redis.call('HGETALL', tokenKey(id))
  local entry = {'tokenId', id}
  for i = 1, #fields, 2 do
    if fields[i] ~= 'jwt' then
      entry[#entry + 1] = fields[i]
      entry[#entry + 1] = fields[i + 1]
    end
  end
  redis.call('XADD', P .. 'journal', '*', unpack(entry))
end

local function expire(id, reason)
  local key = tokenKey(id)
  local userId = redis.call('HGET', key, 'userId')
  redis.call('HSET', key, 'status', 'EXPIRED', 'reason', reason, 'expiredAt', ARGV[2])
  redis.call('HINCRBY', key, 'revision', 1)
  redis.call('ZREM', P .. 'waiting', id)
  redis.call('ZREM', P .. 'active', id)
  redis.call('ZREM', P .. 'seen', id)
  if userId and redis.call('GET', P .. 'user:' .. userId) == id then redis.call('DEL', P .. 'user:' .. userId) end
  journal(id)
end

-- {id, status, waitingNo, jwt, activeExpiresAt, expiredAt, tokenExpiresAt, userId}; status '' when unknown
local function describe(id)
  local f = redis.call('HMGET', tokenKey(id), 'status', 'jwt', 'activeExpiresAt', 'expiredAt', 'tokenExpiresAt', 'userId')
  local status = f[1]
  if not status then return {id, '', 0, '', '', '', '', ''} end
  local rank = 0
  if status == 'WAITING' then
    rank = redis.call('ZRANK', P .. 'waiting', id) or 0
  elseif status == 'ACTIVE' and tonumber(f[3]) <= now then
    status = 'EXPIRED' -- its time is up; the admitter records it on its next round
  end
  return {id, status, rank, f[2], f[3] or '', f[4] or '', f[5], f[6]}
end
`;

/** ARGV: prefix, now, new token id, user id, jwt, token expiry (ms). → {created 0|1, ...describe} */
export const JOIN = `${PRELUDE}
local userKey = P .. 'user:' .. ARGV[4]
local current = redis.call('GET', userKey)
if current then
  local f = redis.call('HMGET', tokenKey(current), 'status', 'activeExpiresAt')
  if f[1] == 'WAITING' then
    redis.call('ZADD', P .. 'seen', 'XX', now, current)
    return {0, unpack(describe(current))}
  elseif f[1] == 'ACTIVE' and tonumber(f[2]) > now then
    return {0, unpack(describe(current))}
  end
end
local id = ARGV[3]
local seq = redis.call('INCR', P .. 'seq')
local key = tokenKey(id)
redis.call('HSET', key, 'userId', ARGV[4], 'status', 'WAITING', 'reason', '', 'jwt', ARGV[5], 'seq', seq,
  'issuedAt', ARGV[2], 'activatedAt', '', 'activeExpiresAt', '', 'expiredAt', '', 'tokenExpiresAt', ARGV[6],
  'admissionNo', '', 'revision', 1)
-- kept a day past the JWT's end so a late poll still reads EXPIRED, then Redis forgets it
redis.call('PEXPIREAT', key, tonumber(ARGV[6]) + 86400000)
redis.call('ZADD', P .. 'waiting', seq, id)
redis.call('ZADD', P .. 'seen', now, id)
redis.call('SET', userKey, id, 'PXAT', ARGV[6])
journal(id)
return {1, unpack(describe(id))}
`;

/** ARGV: prefix, now, token id. Polling keeps a WAITING token's place. → describe */
export const POLL = `${PRELUDE}
redis.call('ZADD', P .. 'seen', 'XX', now, ARGV[3])
return describe(ARGV[3])
`;

/** ARGV: prefix, now, max active, active ttl ms, abandon cutoff (ms), batch. → {expired, abandoned, admitted} */
export const ADMIT = `${PRELUDE}
local maxActive = tonumber(ARGV[3])
local ttl = tonumber(ARGV[4])
local batch = tonumber(ARGV[6])
local expired, abandoned, admitted = 0, 0, 0

for _, id in ipairs(redis.call('ZRANGEBYSCORE', P .. 'active', '-inf', now, 'LIMIT', 0, batch)) do
  if redis.call('EXISTS', tokenKey(id)) == 1 then expire(id, 'ttl') else redis.call('ZREM', P .. 'active', id) end
  expired = expired + 1
end
for _, id in ipairs(redis.call('ZRANGEBYSCORE', P .. 'seen', '-inf', ARGV[5], 'LIMIT', 0, batch)) do
  if redis.call('HGET', tokenKey(id), 'status') == 'WAITING' then
    expire(id, 'abandoned')
    abandoned = abandoned + 1
  else
    redis.call('ZREM', P .. 'seen', id)
    redis.call('ZREM', P .. 'waiting', id)
  end
end

local free = maxActive - redis.call('ZCARD', P .. 'active')
if free > batch then free = batch end
while free > 0 do
  local head = redis.call('ZPOPMIN', P .. 'waiting')
  if #head == 0 then break end
  local id = head[1]
  local key = tokenKey(id)
  local f = redis.call('HMGET', key, 'status', 'tokenExpiresAt')
  if f[1] == 'WAITING' then
    local tokenEnd = tonumber(f[2])
    if tokenEnd <= now then
      expire(id, 'ttl')
    else
      local activeEnd = now + ttl
      if activeEnd > tokenEnd then activeEnd = tokenEnd end
      activeEnd = string.format('%.0f', activeEnd) -- never an exponent, whatever the Redis version
      local admissionNo = redis.call('INCR', P .. 'admitted')
      redis.call('HSET', key, 'status', 'ACTIVE', 'activatedAt', ARGV[2], 'activeExpiresAt', activeEnd, 'admissionNo', admissionNo)
      redis.call('HINCRBY', key, 'revision', 1)
      redis.call('ZADD', P .. 'active', activeEnd, id)
      redis.call('ZREM', P .. 'seen', id)
      journal(id)
      admitted = admitted + 1
      free = free - 1
    end
  else
    redis.call('ZREM', P .. 'seen', id)
  end
end
return {expired, abandoned, admitted}
`;

/** ARGV: prefix, now, user id, paid at (ms). → the ended token id, or false */
export const END_FOR_PAYMENT = `${PRELUDE}
local id = redis.call('GET', P .. 'user:' .. ARGV[3])
if not id then return false end
local f = redis.call('HMGET', tokenKey(id), 'status', 'issuedAt')
-- a payment made before this token existed (a late or replayed event) must not end it; 5 s allow for clock skew
if f[1] ~= 'ACTIVE' or tonumber(ARGV[4]) < tonumber(f[2]) - 5000 then return false end
expire(id, 'paid')
return id
`;
