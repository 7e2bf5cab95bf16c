import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/**
 * What docker-compose.yaml must say, read without a Docker engine (the file is run for real by
 * stack.containers.test.ts under `npm run test:containers`): every service of the repo is there with a database of
 * its own, and the production rules hold for every variable, including the ones the running test never reaches.
 */
const ROOT = path.resolve(__dirname, '..', '..');

interface ComposeService {
  image?: string;
  profiles?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  command?: string[];
  depends_on?: Record<string, { condition: string }>;
}

const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yaml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};
const example = Object.fromEntries(
  readFileSync(path.join(ROOT, '.env.example'), 'utf8')
    .split('\n')
    .filter((line) => /^[A-Z_]+=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
);
const repoServices = readdirSync(path.join(ROOT, 'services')).filter((name) =>
  existsSync(path.join(ROOT, 'services', name, 'src', 'server.ts')),
);
const always = Object.entries(compose.services).filter(([, service]) => !service.profiles);
const SECRET_NAME = /(TOKEN|SECRET|PASSWORD|SIGNING_KEY)/;
const reference = /\$\{([A-Z_]+):\?[^}]+\}/g;

describe('docker-compose.yaml', () => {
  it('when read, then every service of the repo runs from the one services image, with SERVICE naming it', () => {
    expect(repoServices.length).toBeGreaterThan(0);
    for (const name of repoServices) {
      expect([name, compose.services[name]?.image, compose.services[name]?.environment?.SERVICE]).toEqual([
        name,
        'boxoffice/services',
        name,
      ]);
    }
  });

  it('when read, then every service but the gateway has a PostgreSQL of its own that it waits for, and none shares one', () => {
    const hosts = new Set<string>();
    for (const name of repoServices.filter((n) => n !== 'gateway')) {
      // the password is a ${...} reference, which new URL() would not take
      const host = /@([^:/]+):5432\//.exec(String(compose.services[name]!.environment?.DATABASE_URL))?.[1] ?? '';
      expect([name, host]).toEqual([name, `pg-${name}`]);
      expect(compose.services[host]?.image).toBe('boxoffice/postgres');
      expect(compose.services[name]!.depends_on?.[host]).toEqual({ condition: 'service_healthy' });
      hosts.add(host);
    }
    expect(hosts.size).toBe(repoServices.length - 1);
    expect(compose.services.gateway?.environment?.DATABASE_URL).toBeUndefined();
  });

  it('when read, then every service runs in production mode without demo data, which only the demo profile loads', () => {
    for (const name of repoServices) {
      expect([
        name,
        compose.services[name]!.environment?.NODE_ENV,
        compose.services[name]!.environment?.DEMO_DATA,
      ]).toEqual([name, 'production', 'false']);
    }
    const loaders = Object.entries(compose.services).filter(([, s]) => s.environment?.DEMO_DATA === 'true');
    expect(loaders.map(([name]) => name).sort()).toEqual(['demo-item', 'demo-ticket', 'demo-user']);
    for (const [, loader] of loaders) expect(loader.profiles).toEqual(['demo']);
  });

  it('when read, then only the gateway publishes a port, on GATEWAY_BIND (loopback unless .env says otherwise)', () => {
    const published = always.filter(([, service]) => service.ports?.length).map(([name]) => name);
    expect(published).toEqual(['gateway']);
    expect(compose.services.gateway!.ports).toEqual(['${GATEWAY_BIND:-127.0.0.1}:${GATEWAY_PORT:-8080}:8080']);
  });

  it('when read, then no secret is written in the file: each is a required variable that scripts/compose-env.sh generates', () => {
    const raw = readFileSync(path.join(ROOT, 'docker-compose.yaml'), 'utf8');
    const referenced = new Set([...raw.matchAll(reference)].map((match) => match[1]!));
    for (const [name, service] of Object.entries(compose.services)) {
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        if (SECRET_NAME.test(key))
          expect([name, key, String(value)]).toEqual([name, key, expect.stringMatching(/^\$\{[A-Z_]+:\?/)]);
      }
      for (const url of ['DATABASE_URL', 'REDIS_URL']) {
        const value = service.environment?.[url];
        if (value !== undefined)
          expect([name, url, String(value)]).toEqual([name, url, expect.stringMatching(/:\$\{[A-Z_]+:\?[^}]+\}@/)]);
      }
    }
    const secrets = [...referenced].filter((name) => SECRET_NAME.test(name));
    expect(secrets.length).toBeGreaterThanOrEqual(10);
    for (const name of secrets) expect([name, example[name]]).toEqual([name, 'generate']);
  });

  it('when read, then every service signs its events with a key of its own, and checks them with the public keys compose-env.sh derives', () => {
    const services = always.filter(([name]) => name !== 'gateway' && compose.services[name]?.environment?.SERVICE);
    const signingKeys = services.map(([, service]) => String(service.environment?.EVENT_SIGNING_KEY));
    expect(new Set(signingKeys).size).toBe(services.length);
    for (const [name, service] of services) {
      expect([name, service.environment?.EVENT_SIGNING_KEY]).toEqual([
        name,
        `\${EVENT_SIGNING_KEY_${name.toUpperCase()}:?see .env.example}`,
      ]);
      expect([name, String(service.environment?.EVENT_VERIFY_KEYS)]).toEqual([
        name,
        expect.stringMatching(/^\$\{EVENT_VERIFY_KEYS:\?/),
      ]);
    }
    expect(compose.services.gateway?.environment?.EVENT_SIGNING_KEY).toBeUndefined();
    expect(readFileSync(path.join(ROOT, 'scripts', 'compose-env.sh'), 'utf8')).toMatch(
      /event-keys\.mjs" "\$target" >>"\$target"/,
    );
  });
});
