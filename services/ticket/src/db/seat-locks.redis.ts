import type Redis from 'ioredis';
import type { SeatLocks } from '../domain/seating';

// Compare-and-act scripts: a lock is only ever changed by the one who owns it.
const EXTEND = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpireat', KEYS[1], ARGV[2]) end return 0`;
const MIRROR = `local v = redis.call('get', KEYS[1])
if v == ARGV[1] or v == ARGV[2] or not v then
  redis.call('set', KEYS[1], ARGV[2])
  return redis.call('pexpireat', KEYS[1], ARGV[3])
end
return 0`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;

/** Seat locks in Redis: `<prefix>seat:<showtime>:<seat>` → the ticket id (or pending attempt) that owns it. */
export function redisSeatLocks(redis: Redis, prefix: string): SeatLocks {
  const key = (showtimeId: number, seatId: number) => `${prefix}seat:${showtimeId}:${seatId}`;
  return {
    async tryLock(showtimeId, seatId, owner, leaseMs) {
      // Fail fast when Redis is not connected: PostgreSQL alone still decides correctly.
      if (redis.status !== 'ready') return 'unavailable';
      const won = await redis.set(key(showtimeId, seatId), owner, 'PX', leaseMs, 'NX');
      return won === 'OK' ? 'won' : 'taken';
    },
    async extendTo(showtimeId, seatId, owner, until) {
      await redis.eval(EXTEND, 1, key(showtimeId, seatId), owner, String(until.getTime()));
    },
    async mirror(showtimeId, seatId, owner, occupant, until) {
      await redis.eval(MIRROR, 1, key(showtimeId, seatId), owner, occupant, String(until.getTime()));
    },
    async release(showtimeId, seatId, owner) {
      if (redis.status !== 'ready') return;
      await redis.eval(RELEASE, 1, key(showtimeId, seatId), owner);
    },
  };
}

/** No fast path: every attempt is decided by PostgreSQL alone. */
export const noSeatLocks: SeatLocks = {
  tryLock: async () => 'unavailable',
  extendTo: async () => undefined,
  mirror: async () => undefined,
  release: async () => undefined,
};
