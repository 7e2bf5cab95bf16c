import type { Static, TSchema } from '@sinclair/typebox';
import type { Consumer } from 'kafkajs';
import type { EventContract, EventEnvelope } from '@boxoffice/contracts';
import { createEventBus, ensureTopics, payloadProblem } from '@boxoffice/events';
import { testInfra, uniqueSuffix } from './infra';
import { waitFor } from './wait';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Reads real events from the real broker: a consumer in a group of its own, from the start of the topics.
 * Tests use it to see what a service published, as any other service would.
 */
export class EventRecorder {
  readonly events: EventEnvelope[] = [];
  private consumer: Consumer | undefined;

  constructor(
    private readonly topicPrefix: string,
    private readonly topics: string[],
    private readonly brokers: string = testInfra.kafkaBrokers,
  ) {}

  async start(): Promise<this> {
    const bus = createEventBus({
      brokers: this.brokers,
      clientId: 'test-recorder',
      topicPrefix: this.topicPrefix,
      logger: quiet,
    });
    const topics = this.topics.map((topic) => bus.topic(topic));
    await ensureTopics(bus, topics);
    this.consumer = bus.kafka.consumer({ groupId: `recorder-${uniqueSuffix()}`, maxWaitTimeInMs: 200 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ message }) => {
        this.events.push(JSON.parse(message.value!.toString('utf8')) as EventEnvelope);
      },
    });
    return this;
  }

  waitFor(what: string, predicate: (event: EventEnvelope) => boolean, timeoutMs = 20_000): Promise<EventEnvelope> {
    return waitFor(what, () => this.events.find(predicate), { timeoutMs });
  }

  /**
   * The recorded events of one contract, typed. Each payload is checked against the contract first: one that does
   * not fit fails the test, as it would fail every consumer.
   */
  of<S extends TSchema>(contract: EventContract<S>): EventEnvelope<Static<S>>[] {
    return this.events
      .filter((event) => event.type === contract.type)
      .map((event) => {
        const problem = payloadProblem(contract, event.payload);
        if (problem) throw new Error(`event ${event.id} breaks its contract: ${problem}`);
        return event as EventEnvelope<Static<S>>;
      });
  }

  /** Waits for an event of `contract` that `predicate` accepts (payload typed and checked). */
  waitForEvent<S extends TSchema>(
    contract: EventContract<S>,
    what: string,
    predicate: (event: EventEnvelope<Static<S>>) => boolean,
    timeoutMs = 20_000,
  ): Promise<EventEnvelope<Static<S>>> {
    return waitFor(what, () => this.of(contract).find(predicate), { timeoutMs });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
