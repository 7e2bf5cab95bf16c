import type Redis from 'ioredis';

interface LineChange {
  room: string;
  ids?: string[];
  ends?: string[];
}

interface Listener {
  admitted(roomId: string, tokenIds: string[], activeEnds: number[]): void;
  roomChanged(roomId: string): void;
}

/**
 * One subscription per instance to the line's channel (admissions and room changes, published by the scripts
 * themselves), handed to the live streams. A message missed while the subscription is down costs only latency:
 * the streams' own refresh finds the change on its next tick.
 */
export function followLineChanges(
  /** A connection of its own, not connected yet (autoResubscribe off: this subscribes on each connection). */
  subscriber: Redis,
  prefix: string,
  listener: Listener,
  log: { warn(obj: object, msg?: string): void },
): () => void {
  const channel = `${prefix}line-changes`;
  subscriber.on('error', () => undefined);
  subscriber.on('message', (_channel: string, message: string) => {
    let change: LineChange;
    try {
      change = JSON.parse(message) as LineChange;
    } catch {
      return;
    }
    // cjson encodes an empty table as {}: only a list of ids is an admission
    if (Array.isArray(change.ids) && Array.isArray(change.ends))
      listener.admitted(change.room, change.ids, change.ends.map(Number));
    else listener.roomChanged(change.room);
  });
  // on every (re)connection: the connection fails fast like the others, so it cannot queue a subscription
  subscriber.on('ready', () => {
    subscriber.subscribe(channel).catch((error: unknown) => {
      log.warn({ err: error }, 'line changes not heard; live streams refresh on their own tick only');
    });
  });
  return () => subscriber.disconnect();
}
