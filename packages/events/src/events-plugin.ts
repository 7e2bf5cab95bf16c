import fp from 'fastify-plugin';
import { createEventBus, type EventBus } from './kafka';
import { OutboxRelay } from './outbox-relay';
import { EventConsumer, type EventConsumerOptions } from './consumer';

declare module 'fastify' {
  interface FastifyInstance {
    events: EventBus & {
      relay: OutboxRelay;
      /** Registers a consumer; it starts when the app is ready and stops when it closes. */
      consume(options: Omit<EventConsumerOptions, 'bus' | 'pool'>): EventConsumer;
    };
  }
}

export interface EventsPluginOptions {
  service: string;
  brokers: string;
  topicPrefix: string;
  databaseUrl: string;
}

/**
 * Kafka for one service: the outbox relay (publishing what the service wrote) and its consumers. Neither blocks
 * start-up: with Kafka down the service serves requests, keeps writing to its outbox, and catches up later.
 */
export const eventsPlugin = fp<EventsPluginOptions>(
  async (app, options) => {
    const service = options.service;
    const bus = createEventBus({
      brokers: options.brokers,
      clientId: service,
      topicPrefix: options.topicPrefix,
      logger: app.log,
    });
    const relay = new OutboxRelay({ bus, pool: app.pg, databaseUrl: options.databaseUrl, name: service });
    const consumers: EventConsumer[] = [];
    app.decorate('events', {
      ...bus,
      relay,
      consume(consumerOptions: Omit<EventConsumerOptions, 'bus' | 'pool'>) {
        const consumer = new EventConsumer({ ...consumerOptions, bus, pool: app.pg });
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
);
