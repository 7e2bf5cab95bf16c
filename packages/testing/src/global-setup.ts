import net from 'node:net';
import { containerInfraWanted, startContainerInfra, type ContainerInfra } from './containers';
import { testInfra } from './infra';

function reachable(hostPort: string): Promise<boolean> {
  const [host, port] = hostPort.split(':');
  return new Promise((resolve) => {
    const socket = net.connect({ host, port: Number(port) });
    socket.setTimeout(2_000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** Where global-teardown.ts finds the containers to stop (globalSetup and globalTeardown share one process). */
export const CONTAINER_INFRA = Symbol.for('boxoffice.containerInfra');

/**
 * Integration tests need the real PostgreSQL, Redis and Kafka: say clearly when they are not there. With
 * TEST_INFRA=containers they are started here in containers, and the workers (started after this) inherit their
 * addresses through the environment that `testInfra` reads.
 */
export default async function globalSetup(): Promise<void> {
  let infra: Pick<ContainerInfra, 'postgresServer' | 'redisUrl' | 'kafkaBrokers'> = testInfra;
  if (containerInfraWanted()) {
    const containers = await startContainerInfra();
    (globalThis as Record<symbol, unknown>)[CONTAINER_INFRA] = containers;
    process.env.TEST_POSTGRES_SERVER = containers.postgresServer;
    process.env.REDIS_URL = containers.redisUrl;
    process.env.KAFKA_BROKERS = containers.kafkaBrokers;
    infra = containers;
    process.stdout.write(
      `\n[test-infra] containers: postgres ${new URL(containers.postgresServer).host}, redis ${new URL(containers.redisUrl).host}, kafka ${containers.kafkaBrokers}\n`,
    );
  }
  const targets = {
    postgres: new URL(infra.postgresServer).host,
    redis: new URL(infra.redisUrl).host,
    kafka: infra.kafkaBrokers.split(',')[0]!,
  };
  const missing: string[] = [];
  for (const [name, hostPort] of Object.entries(targets)) {
    if (!(await reachable(hostPort))) missing.push(`${name} (${hostPort})`);
  }
  if (missing.length > 0) {
    throw new Error(
      `Not reachable: ${missing.join(', ')}. Run the tests with \`npm test\`, which starts them, or start them with \`scripts/infra.sh up\`.`,
    );
  }
}
