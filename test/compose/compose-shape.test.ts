import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

// No Docker engine runs where we develop and test, so the compose file is checked for its shape instead.
const ROOT = path.resolve(__dirname, '..', '..');
const SPEC_PORTS: Record<string, number> = {
  user: 7001,
  item: 5001,
  alarm: 6001,
  queue: 8001,
  ticket: 8002,
  payment: 8003,
  gateway: 8080,
};

interface ComposeService {
  build?: { args?: Record<string, string> };
  image?: string;
  environment?: Record<string, string | number>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yaml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};
const repoServices = readdirSync(path.join(ROOT, 'services')).filter((name) =>
  existsSync(path.join(ROOT, 'services', name, 'src', 'server.ts')),
);

describe('docker-compose.yaml', () => {
  it('when read, then every service in the repo is there, built from the one Dockerfile with its name', () => {
    expect(repoServices.length).toBeGreaterThan(0);
    for (const name of repoServices) {
      expect(compose.services[name]?.build?.args?.SERVICE).toBe(name);
    }
  });

  it('when read, then each service publishes its SPEC port and listens on it', () => {
    for (const name of repoServices) {
      const service = compose.services[name]!;
      expect(service.ports).toEqual([`${SPEC_PORTS[name]}:${SPEC_PORTS[name]}`]);
      expect(Number(service.environment?.PORT)).toBe(SPEC_PORTS[name]);
    }
  });

  it('when read, then every service but the gateway has a PostgreSQL of its own, and none shares one', () => {
    const databases = new Set<string>();
    for (const name of repoServices.filter((n) => n !== 'gateway')) {
      const service = compose.services[name]!;
      const url = new URL(String(service.environment?.DATABASE_URL));
      expect(url.hostname).toBe(`pg-${name}`);
      expect(compose.services[url.hostname]?.image).toMatch(/^postgres:/);
      expect(service.depends_on?.[url.hostname]).toEqual({ condition: 'service_healthy' });
      databases.add(url.hostname);
    }
    expect(databases.size).toBe(repoServices.filter((n) => n !== 'gateway').length);
    expect(compose.services.gateway?.environment?.DATABASE_URL).toBeUndefined();
  });

  it('when read, then Redis and a KRaft Kafka are there, and everything has a healthcheck and waits for healthy peers', () => {
    expect(compose.services.redis?.image).toMatch(/^redis:/);
    expect(compose.services.kafka?.environment?.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    for (const [name, service] of Object.entries(compose.services)) {
      expect({ name, healthcheck: Boolean(service.healthcheck?.test?.length) }).toEqual({ name, healthcheck: true });
      for (const dependency of Object.values(service.depends_on ?? {}))
        expect(dependency.condition).toBe('service_healthy');
    }
    for (const name of repoServices) {
      expect(compose.services[name]!.depends_on).toMatchObject({
        redis: { condition: 'service_healthy' },
        kafka: { condition: 'service_healthy' },
      });
    }
    for (const name of repoServices.filter((n) => n !== 'gateway')) {
      expect(compose.services.gateway!.depends_on?.[name]).toEqual({ condition: 'service_healthy' });
    }
  });

  it('when read, then the Dockerfile is multi-stage and runs the service named by its build argument', () => {
    const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^FROM node:20\S* AS build$/m);
    expect(dockerfile).toMatch(/^FROM node:20\S* AS runtime$/m);
    expect(dockerfile).toMatch(/ARG SERVICE/);
    expect(dockerfile).toContain('services/${SERVICE}/dist/server.js');
  });
});
