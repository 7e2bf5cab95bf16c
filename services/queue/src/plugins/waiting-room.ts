import fp from 'fastify-plugin';
import { redisReady } from '@boxoffice/resilience';
import { RedisQueueLine } from '../db/queue-line.redis';
import { Admitter } from '../domain/admitter';
import { loadSigningKey, refreshSigningKeys } from '../domain/load-signing-key.use-case';
import type { QueuePolicy } from '../domain/queue-token';
import type { TokenSigner } from '../domain/token-signer';
import { LifecycleRecorder } from '../events/lifecycle-recorder';

declare module 'fastify' {
  interface FastifyInstance {
    queue: {
      line: RedisQueueLine;
      admitter: Admitter;
      recorder: LifecycleRecorder;
      signer: TokenSigner;
      policy: QueuePolicy;
    };
  }
}

export interface WaitingRoomOptions {
  policy: QueuePolicy;
  redisPrefix: string;
  issuer: string;
  admitterIntervalMs: number;
  /** How often the stored signing keys are re-read, so a rotation is taken in without a restart. */
  signingKeyRefreshMs: number;
}

/**
 * The waiting room's machinery, as `app.queue`: the line in Redis, the signing key, the admitter that lets the
 * next users in, and the recorder that turns the line's journal into queue.token.changed events.
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
    const line = new RedisQueueLine(lineClient, options.redisPrefix);
    // a retired key stays published while a token it signed may be live: one lifetime, plus one refresh
    const keepRetiredMs = options.policy.tokenLifetimeMs + options.signingKeyRefreshMs;
    const { signer, created } = await loadSigningKey(app.pg, options.issuer, keepRetiredMs);
    const stopKeyRefresh = refreshSigningKeys(app.pg, signer, options.signingKeyRefreshMs, app.log);
    app.addHook('onClose', async () => stopKeyRefresh());
    app.log.info({ kid: signer.kid, created }, created ? 'queue signing key created' : 'queue signing key loaded');

    const admitter = new Admitter(line, options.policy, options.admitterIntervalMs, app.log);
    const journalClient = app.redis.duplicate();
    journalClient.on('error', () => undefined);
    const recorder = new LifecycleRecorder(line, journalClient, app.pg, app.log);
    app.decorate('queue', { line, admitter, recorder, signer, policy: options.policy });
    app.addHook('onReady', async () => {
      admitter.start();
      recorder.start();
    });
    app.addHook('onClose', async () => {
      await Promise.all([admitter.stop(), recorder.stop()]);
      journalClient.disconnect();
      lineClient.disconnect();
    });
  },
  { name: 'waiting-room', dependencies: ['postgres', 'redis'] },
);
