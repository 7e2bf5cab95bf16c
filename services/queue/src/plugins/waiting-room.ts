import fp from 'fastify-plugin';
import type { App } from '@boxoffice/http';
import { redisReady } from '@boxoffice/resilience';
import { followLineChanges } from '../db/line-changes.redis';
import { LineScripts } from '../db/line-scripts';
import { RedisQueueLine } from '../db/queue-line.redis';
import { RedisRooms } from '../db/rooms.redis';
import { Admitter } from '../domain/admitter';
import { loadSigningKey, refreshSigningKeys } from '../domain/load-signing-key.use-case';
import type { QueuePolicy } from '../domain/queue-token';
import { DEFAULT_ROOM, type RoomSettings } from '../domain/room';
import { StandingFeed } from '../domain/standing-feed';
import type { TokenSigner } from '../domain/token-signer';
import { LifecycleRecorder } from '../events/lifecycle-recorder';
import { lineMetrics } from './line-metrics';

declare module 'fastify' {
  interface FastifyInstance {
    queue: {
      line: RedisQueueLine;
      rooms: RedisRooms;
      feed: StandingFeed;
      admitter: Admitter;
      recorder: LifecycleRecorder;
      signer: TokenSigner;
      policy: QueuePolicy;
    };
  }
}

export interface WaitingRoomOptions {
  policy: QueuePolicy;
  /** The default room: it guards every concert without a room of its own. */
  defaultRoom: RoomSettings;
  redisPrefix: string;
  issuer: string;
  admitterIntervalMs: number;
  /** How often the stored signing keys are re-read, so a rotation is taken in without a restart. */
  signingKeyRefreshMs: number;
  streams: { refreshMs: number; heartbeatMs: number; maxStreams: number };
}

/**
 * The waiting room's machinery, as `app.queue`: the lines and rooms in Redis, the signing key, the admitter that
 * lets the next users in, the recorder that turns the line's journal into queue.token.changed events, and the feed
 * that pushes standings to live streams.
 */
export const waitingRoomPlugin = fp<WaitingRoomOptions>(
  async (app, options) => {
    // the line is the state that matters; without Redis nobody can join or be admitted, so wait for it at start
    await redisReady(app.redis, 10_000).catch(() =>
      app.log.warn('Redis is not reachable yet; the line answers 503 until it is'),
    );
    app.addReadinessCheck('redis', async () => app.redis.status === 'ready');

    // the line's own connection: auto-pipelining sends the scripts of concurrent polls in one write, which is what
    // keeps polling close to a bare Redis round trip under load (same fail-fast settings as app.redis)
    const lineClient = app.redis.duplicate({ enableAutoPipelining: true });
    lineClient.on('error', () => undefined);
    await redisReady(lineClient, 10_000).catch(() => undefined);
    const scripts = new LineScripts(lineClient, options.redisPrefix);
    const line = new RedisQueueLine(scripts);
    const rooms = new RedisRooms(scripts);
    await rooms.ensure(DEFAULT_ROOM, options.defaultRoom, Date.now()).catch((error: unknown) => {
      // without Redis nothing works anyway; the room is made on the next start that reaches it
      app.log.warn({ err: error }, 'the default room could not be checked; joins to it answer 404 until it exists');
    });
    // a retired key stays published while a token it signed may be live: one lifetime, plus one refresh
    const keepRetiredMs = options.policy.tokenLifetimeMs + options.signingKeyRefreshMs;
    const { signer, created } = await loadSigningKey(app.pg, options.issuer, keepRetiredMs);
    const stopKeyRefresh = refreshSigningKeys(app.pg, signer, options.signingKeyRefreshMs, app.log);
    app.addHook('onClose', async () => stopKeyRefresh());
    app.log.info({ kid: signer.kid, created }, created ? 'queue signing key created' : 'queue signing key loaded');

    const admitter = new Admitter(line, options.admitterIntervalMs, app.log, lineMetrics(app as App, rooms));
    const journalClient = app.redis.duplicate();
    journalClient.on('error', () => undefined);
    const recorder = new LifecycleRecorder(line, journalClient, app.pg, app.log);
    const feed = new StandingFeed(line, { ...options.streams, maxPerToken: 3, chunk: 1_000 }, app.log);
    const stopFollowing = followLineChanges(
      app.redis.duplicate({ autoResubscribe: false }),
      scripts.prefix,
      feed,
      app.log,
    );
    app.decorate('queue', { line, rooms, feed, admitter, recorder, signer, policy: options.policy });
    app.addHook('onReady', async () => {
      admitter.start();
      recorder.start();
      feed.start();
    });
    app.addHook('preClose', async () => feed.stop()); // open streams would hold the server's close
    app.addHook('onClose', async () => {
      await Promise.all([admitter.stop(), recorder.stop()]);
      stopFollowing();
      journalClient.disconnect();
      lineClient.disconnect();
    });
  },
  { name: 'waiting-room', dependencies: ['postgres', 'redis'] },
);
