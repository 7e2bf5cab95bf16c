import { createHash } from 'node:crypto';
import type Redis from 'ioredis';
import { unavailable } from '@boxoffice/errors';

/** Redis failing is a dependency being down, never the client's fault: 503 with Retry-After. */
export async function lineCall<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw Object.assign(unavailable('The waiting line is unavailable right now; try again shortly.', 2), {
      cause: error,
    });
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

/** Runs the line's scripts (ARGV[1] is always the key prefix) on one connection. */
export class LineScripts {
  constructor(
    readonly redis: Redis,
    readonly prefix: string,
  ) {}

  run(lua: string, args: (string | number)[]): Promise<unknown> {
    // evalsha with a fallback to eval: ioredis does that for commands defined with defineCommand, but those are
    // per client and this client is shared, so it is done here the same way.
    return this.redis.evalsha(shaOf(lua), 0, this.prefix, ...args).catch((error: Error) => {
      if (!error.message.includes('NOSCRIPT')) throw error;
      return this.redis.eval(lua, 0, this.prefix, ...args);
    });
  }
}

export const num = (value: string | undefined | null): number | null =>
  value === undefined || value === null || value === '' ? null : Number(value);

/** A flat [name, value, ...] reply as an object. */
export function fieldsOf(flat: string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
  return fields;
}
