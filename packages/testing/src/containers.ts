import { execFileSync } from 'node:child_process';
import type { StartedKafkaContainer } from '@testcontainers/kafka';
import type { StartedPostgreSqlContainer } from '@testcontainers/postgresql';
import type { StartedRedisContainer } from '@testcontainers/redis';

/**
 * TEST_INFRA=containers: the tests' PostgreSQL, Redis and Kafka run in containers started by testcontainers, from
 * the images `npm run images` makes (official ones where a registry answers, else the same roles on a local
 * Debian base). Without it the tests use the native servers of scripts/infra.sh, the default.
 */
export const containerInfraWanted = () => process.env.TEST_INFRA === 'containers';

export const TEST_INFRA_IMAGES = {
  postgres: 'boxoffice/postgres',
  redis: 'boxoffice/redis',
  // @testcontainers/kafka drives Confluent's image layout and reads its version from the tag (7.9 is Kafka 3.9).
  kafka: 'boxoffice/kafka-cp:7.9.1',
} as const;

const OWNER_LABEL = 'boxoffice.test-infra.pid';

export interface ContainerInfra {
  postgresServer: string;
  redisUrl: string;
  kafkaBrokers: string;
  stop(): Promise<void>;
}

/** Containers a killed test run left behind (their owner's process is gone); other runs' containers stay. */
function removeOrphans(): void {
  const rows = execFileSync(
    'docker',
    ['ps', '-a', '--filter', `label=${OWNER_LABEL}`, '--format', '{{.ID}} {{.Labels}}'],
    {
      encoding: 'utf8',
    },
  );
  for (const row of rows.split('\n').filter(Boolean)) {
    const [id, labels = ''] = row.split(' ');
    const pid = Number(new RegExp(`${OWNER_LABEL.replaceAll('.', '\\.')}=(\\d+)`).exec(labels)?.[1]);
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = true;
    } catch {
      alive = false;
    }
    if (!alive) execFileSync('docker', ['rm', '-f', '-v', id!], { stdio: 'ignore' });
  }
}

/** Every published port must be on loopback: tests send nothing to any other address. */
function assertLoopbackOnly(containerId: string): void {
  const ports = JSON.parse(
    execFileSync('docker', ['inspect', '--format', '{{json .NetworkSettings.Ports}}', containerId], {
      encoding: 'utf8',
    }),
  ) as Record<string, { HostIp: string }[] | null>;
  const elsewhere = Object.values(ports)
    .flatMap((bindings) => bindings ?? [])
    .filter((binding) => binding.HostIp !== '127.0.0.1');
  if (elsewhere.length > 0) {
    throw new Error(
      `container ${containerId.slice(0, 12)} publishes on ${elsewhere.map((b) => b.HostIp || '*').join(', ')}, not only 127.0.0.1: ` +
        'start the engine with `dockerd --ip 127.0.0.1` (scripts/docker-engine.sh does) so ports bind to loopback',
    );
  }
}

export async function startContainerInfra(): Promise<ContainerInfra> {
  // No registry may be reachable: no Ryuk reaper image (we stop what we start, and removeOrphans catches a killed
  // run), and every connection goes to 127.0.0.1, never to a bridge gateway address.
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';
  const [{ PostgreSqlContainer }, { RedisContainer }, { KafkaContainer }] = await Promise.all([
    import('@testcontainers/postgresql'),
    import('@testcontainers/redis'),
    import('@testcontainers/kafka'),
  ]);
  removeOrphans();
  const labels = { [OWNER_LABEL]: String(process.pid) };
  const started = await Promise.allSettled([
    new PostgreSqlContainer(TEST_INFRA_IMAGES.postgres)
      .withUsername('postgres')
      .withPassword('postgres')
      .withDatabase('postgres')
      .withLabels(labels)
      .withTmpFs({ '/var/lib/postgresql/data': 'rw' })
      // the same test profile as `scripts/infra.sh up --fast`
      .withCommand([
        'postgres',
        ...['-c', 'max_connections=400', '-c', 'fsync=off', '-c', 'synchronous_commit=off'],
        ...['-c', 'full_page_writes=off'],
      ])
      .start(),
    new RedisContainer(TEST_INFRA_IMAGES.redis).withLabels(labels).start(),
    new KafkaContainer(TEST_INFRA_IMAGES.kafka)
      .withKraft()
      .withLabels(labels)
      // as infra/kafka/server.properties: topics are created by the services, three partitions each
      .withEnvironment({
        KAFKA_NUM_PARTITIONS: '3',
        KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_NUM_PARTITIONS: '1',
        KAFKA_LOG_CLEANER_DEDUPE_BUFFER_SIZE: '2097152',
        KAFKA_HEAP_OPTS: '-Xms256m -Xmx768m',
      })
      .start(),
  ]);
  const running = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const stop = async () => {
    await Promise.all(running.map((container) => container.stop({ remove: true, removeVolumes: true })));
  };
  const failed = started.find((result) => result.status === 'rejected');
  if (failed) {
    await stop();
    throw new Error(
      `TEST_INFRA=containers: a container did not start (did \`npm run images\` run?): ${(failed as PromiseRejectedResult).reason}`,
    );
  }
  const [postgres, redis, kafka] = running as [
    StartedPostgreSqlContainer,
    StartedRedisContainer,
    StartedKafkaContainer,
  ];
  try {
    for (const container of running) assertLoopbackOnly(container.getId());
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    postgresServer: `postgres://postgres:postgres@${postgres.getHost()}:${postgres.getPort()}`,
    redisUrl: `redis://${redis.getHost()}:${redis.getMappedPort(6379)}`,
    kafkaBrokers: `${kafka.getHost()}:${kafka.getMappedPort(9093)}`,
    stop,
  };
}
