import net from 'node:net';
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

/** Integration tests need the real PostgreSQL, Redis and Kafka: say clearly when they are not there. */
export default async function globalSetup(): Promise<void> {
  const targets = {
    postgres: new URL(testInfra.postgresServer).host,
    redis: new URL(testInfra.redisUrl).host,
    kafka: testInfra.kafkaBrokers.split(',')[0]!,
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
