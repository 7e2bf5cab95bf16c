import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { EventContract } from '@boxoffice/contracts';
import { withMigrations } from '@boxoffice/db';
import { EventConsumer, type EventConsumerOptions } from './consumer';
import { registerEventMetrics } from './event-metrics';
import { createEventBus, type EventBus } from './kafka';
import { EVENTS_MIGRATIONS } from './migrations';
import { OutboxRelay } from './outbox-relay';
import { EventSigner, EventVerifier, parseVerifyKeys } from './signing';

/** What a service may tune per consumer; the bus, pool and metrics come from the plugin. */
export type ConsumerSettings = Pick<
  EventConsumerOptions,
  'partitionsConcurrently' | 'sessionTimeoutMs' | 'maxAttempts' | 'retryBackoffMs' | 'replayPollMs'
>;

declare module 'fastify' {
  interface FastifyInstance {
    events: EventBus & {
      relay: OutboxRelay;
      /** The contracts this service publishes through its outbox (bootService's `publishes`). */
      publishes: readonly EventContract[];
      /** Every consumer of this service, in the order they were created. */
      consumers: readonly EventConsumer[];
      /**
       * A consumer in group `groupId`; subscribe with `.on(Contract, handler)`. It starts when the app is ready and
       * stops when it closes.
       */
      consumer(groupId: string, settings?: ConsumerSettings): EventConsumer;
    };
  }
}

export interface EventsPluginOptions {
  service: string;
  brokers: string;
  topicPrefix: string;
  databaseUrl: string;
  publishes?: readonly EventContract[];
  /** This service's Ed25519 private key (32-byte seed, hex): its relay signs every event it publishes. */
  signingKey: string;
  /** `owner:publicKey,…`: its consumers apply only events signed by the owner of their topic. */
  verifyKeys: string;
  /** Defaults for every consumer of the service (poison handling). */
  consumerDefaults?: ConsumerSettings;
}

/**
 * Kafka for one service: the outbox relay (publishing what the service wrote) and its consumers. Neither blocks
 * start-up: with Kafka down the service serves requests, keeps writing to its outbox, and catches up later.
 * Brings the outbox, inbox and dead-letter tables (EVENTS_MIGRATIONS) and the events metrics.
 */
export const eventsPlugin = withMigrations(
  fp<EventsPluginOptions>(
    async (app, options) => {
      const service = options.service;
      const bus = createEventBus({
        brokers: options.brokers,
        clientId: service,
        topicPrefix: options.topicPrefix,
        logger: app.log,
      });
      const registry = (app as FastifyInstance & { metrics?: Registry }).metrics;
      const metrics = registry ? registerEventMetrics(registry, app.pg) : undefined;
      const publishes = options.publishes ?? [];
      const verifier = new EventVerifier(parseVerifyKeys(options.verifyKeys));
      const relay = new OutboxRelay({
        bus,
        pool: app.pg,
        databaseUrl: options.databaseUrl,
        name: service,
        signer: new EventSigner(options.signingKey),
        metrics,
        declared: options.publishes && publishes.map((contract) => contract.type),
      });
      const consumers: EventConsumer[] = [];
      app.decorate('events', {
        ...bus,
        relay,
        publishes,
        consumers,
        consumer(groupId: string, settings: ConsumerSettings = {}) {
          if (consumers.some((consumer) => consumer.groupId === groupId))
            throw new Error(`${service} has two consumers in group ${groupId}`);
          const consumer = new EventConsumer({
            ...options.consumerDefaults,
            ...settings,
            groupId,
            bus,
            pool: app.pg,
            verifier,
            metrics,
          });
          consumers.push(consumer);
          return consumer;
        },
      });
      app.addHook('onReady', async () => {
        relay.start();
        consumers.forEach((consumer) => consumer.start());
      });
      app.addHook('onClose', async () => {
        await Promise.all([relay.stop(), ...consumers.map((consumer) => consumer.stop())]);
      });
    },
    { name: 'events', dependencies: ['postgres'] },
  ),
  EVENTS_MIGRATIONS,
);
