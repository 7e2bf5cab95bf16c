import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { TOPICS } from '@boxoffice/contracts';
import { AlarmConfigSchema, readConfig as readAlarmConfig } from '../../services/alarm/src/config';
import { GatewayConfigSchema, readConfig as readGatewayConfig } from '../../services/gateway/src/config';
import { ItemConfigSchema, readConfig as readItemConfig } from '../../services/item/src/config';
import { PaymentConfigSchema, readConfig as readPaymentConfig } from '../../services/payment/src/config';
import { QueueConfigSchema, readConfig as readQueueConfig } from '../../services/queue/src/config';
import { TicketConfigSchema, readConfig as readTicketConfig } from '../../services/ticket/src/config';
import { UserConfigSchema, readConfig as readUserConfig } from '../../services/user/src/config';

// The Helm chart, checked offline: helm lint --strict, helm template for each value set, every rendered document
// validated against Kubernetes' schemas (kubernetes-validate) and the operators' CRDs, and the chart's wiring
// checked against the code it deploys (config schemas, peers, topics, consumer groups).
const REPO_ROOT = path.resolve(__dirname, '..', '..');
const CHART = path.join(REPO_ROOT, 'deploy', 'helm', 'boxoffice');
const VALIDATOR = path.join(REPO_ROOT, 'deploy', 'helm', 'tools', 'validate-manifests.py');
// The oldest version the chart claims (Chart.yaml kubeVersion) and the newest kubernetes-validate ships.
const KUBERNETES_VERSIONS = ['1.29', '1.37'];
const VALUE_SETS: Record<string, string[]> = {
  default: [],
  production: ['values-production.yaml'],
  operators: ['values-operators.yaml'],
  'production + operators': ['values-production.yaml', 'values-operators.yaml'],
};
const CONFIG_SCHEMAS: Record<string, { properties: Record<string, unknown> }> = {
  alarm: AlarmConfigSchema,
  gateway: GatewayConfigSchema,
  item: ItemConfigSchema,
  payment: PaymentConfigSchema,
  queue: QueueConfigSchema,
  ticket: TicketConfigSchema,
  user: UserConfigSchema,
};
/** Each workload's own config reader: what it does at start-up with the environment the chart gives it. */
const CONFIG_READERS: Record<string, (env: NodeJS.ProcessEnv) => unknown> = {
  alarm: readAlarmConfig,
  gateway: readGatewayConfig,
  item: readItemConfig,
  payment: readPaymentConfig,
  queue: readQueueConfig,
  ticket: readTicketConfig,
  user: readUserConfig,
};
const SERVICES = readdirSync(path.join(REPO_ROOT, 'services')).filter((name) => name !== 'gateway');
const RELEASE = 'bx';
const name = (component: string) => `${RELEASE}-boxoffice-${component}`;
/** Settings that carry a secret: they must come from a Secret, never from a value in the chart. */
const SECRET_SETTING = /(TOKEN|SECRET|PASSWORD|PRIVATE_KEY|SIGNING_KEY|^DATABASE_URL|^REDIS_URL)$/;

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- rendered YAML, inspected per kind below
  stringData?: Record<string, string>;
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}
interface ValidationReport {
  valid: { file: string; kind: string; name: string; schema: string }[];
  invalid: { file: string; kind: string; name: string; error: string }[];
  notValidated: { file: string; kind: string; name: string }[];
}

let tools: string;
let rendered: Record<string, Manifest[]>;
const validation: Record<string, { status: number | null; reports: Record<string, ValidationReport> }> = {};
const helm = (...args: string[]) =>
  spawnSync(path.join(tools, 'helm', 'v3.22.0', 'helm'), args, { encoding: 'utf8', cwd: REPO_ROOT });

function render(valueFiles: string[], ...extra: string[]): Manifest[] {
  const flags = valueFiles.flatMap((file) => ['-f', path.join(CHART, file)]);
  const result = helm(
    'template',
    RELEASE,
    CHART,
    '--namespace',
    'shop',
    '--kube-version',
    '1.33.0',
    ...flags,
    ...extra,
  );
  if (result.status !== 0) throw new Error(`helm template failed: ${result.stderr}`);
  return parseAllDocuments(result.stdout)
    .map((document) => document.toJS() as Manifest)
    .filter(Boolean);
}

/** Runs the validator once over several renders (loading the schemas is most of its time). */
function validate(
  renders: Record<string, Manifest[]>,
  kubernetesVersion: string,
): { status: number | null; reports: Record<string, ValidationReport> } {
  const dir = mkdtempSync(path.join(tmpdir(), 'chart-'));
  const files = Object.entries(renders).map(([label, manifests], index) => {
    const file = path.join(dir, `${index}.yaml`);
    writeFileSync(file, manifests.map((manifest) => JSON.stringify(manifest)).join('\n---\n'));
    return [label, file] as const;
  });
  const crds = readdirSync(path.join(tools, 'crds')).flatMap((crdDir) =>
    readdirSync(path.join(tools, 'crds', crdDir))
      .filter((crd) => crd.endsWith('.yaml'))
      .flatMap((crd) => ['--crd', path.join(tools, 'crds', crdDir, crd)]),
  );
  const result = spawnSync(
    path.join(tools, 'python', 'bin', 'python'),
    [VALIDATOR, '--kubernetes-version', kubernetesVersion, ...crds, ...files.map(([, file]) => file)],
    { encoding: 'utf8' },
  );
  if (!result.stdout) throw new Error(`validator failed: ${result.stderr}`);
  const report = JSON.parse(result.stdout) as ValidationReport;
  const reports = Object.fromEntries(
    files.map(([label, file]) => {
      const inFile = <T extends { file: string }>(entries: T[]) => entries.filter((entry) => entry.file === file);
      return [
        label,
        { valid: inFile(report.valid), invalid: inFile(report.invalid), notValidated: inFile(report.notValidated) },
      ];
    }),
  );
  return { status: result.status, reports };
}

const ofKind = (manifests: Manifest[], kind: string) => manifests.filter((manifest) => manifest.kind === kind);
const find = (manifests: Manifest[], kind: string, component: string) =>
  manifests.find((manifest) => manifest.kind === kind && manifest.metadata.name === name(component));
const containerOf = (deployment: Manifest) => deployment.spec.template.spec.containers[0];
const envOf = (container: { env: EnvVar[] }) => new Map(container.env.map((variable) => [variable.name, variable]));
/** The peers a service's config says it calls: FOO_SERVICE_URL (services) or FOO_SERVICE_URLS (the gateway). */
const peersInConfig = (component: string) =>
  Object.keys(CONFIG_SCHEMAS[component]!.properties)
    .map((setting) => /^([A-Z]+)_SERVICE_URLS?$/.exec(setting)?.[1]?.toLowerCase())
    .filter((peer): peer is string => peer !== undefined)
    .sort();

beforeAll(() => {
  // Builds helm and fetches the schemas on a machine that has never run this (minutes, once); a no-op after.
  tools = execFileSync('bash', [path.join(REPO_ROOT, 'scripts', 'helm-tools.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  rendered = Object.fromEntries(Object.entries(VALUE_SETS).map(([label, files]) => [label, render(files)]));
  for (const version of KUBERNETES_VERSIONS) validation[version] = validate(rendered, version);
}, 900_000);

describe.each(Object.entries(VALUE_SETS))('the chart with the %s values', (label, valueFiles) => {
  it('when linted with --strict, then helm reports no problem', () => {
    const flags = valueFiles.flatMap((file) => ['-f', path.join(CHART, file)]);
    const result = helm('lint', '--strict', CHART, ...flags);
    expect({ status: result.status, output: result.stdout + result.stderr }).toEqual({
      status: 0,
      output: expect.stringContaining('1 chart(s) linted, 0 chart(s) failed'),
    });
  });

  it.each(KUBERNETES_VERSIONS)(
    'when rendered, then every document is valid for Kubernetes %s or its operator CRD; only Strimzi kinds go unchecked',
    (version) => {
      const manifests = rendered[label]!;
      const report = validation[version]!.reports[label]!;
      expect(report.invalid).toEqual([]);
      expect(validation[version]!.status).toBe(0);
      expect(report.valid.length + report.notValidated.length).toBe(manifests.length);
      // Strimzi publishes its CRDs only as release files (no registry package carries them): named, not checked.
      const usesStrimzi = valueFiles.includes('values-operators.yaml');
      expect([...new Set(report.notValidated.map((entry) => entry.kind))].sort()).toEqual(
        usesStrimzi ? ['Kafka', 'KafkaNodePool', 'KafkaTopic'] : [],
      );
      const crdChecked = report.valid.filter((entry) => !entry.schema.startsWith('kubernetes '));
      expect(crdChecked.map((entry) => entry.kind).sort()).toEqual(
        [
          ...(usesStrimzi ? SERVICES.map(() => 'Cluster') : []),
          ...(valueFiles.includes('values-production.yaml') ? SERVICES.map(() => 'ScaledObject') : []),
        ].sort(),
      );
    },
  );

  it('when rendered, then each service and the gateway run in production mode with probes, limits and no secret values', () => {
    const manifests = rendered[label]!;
    expect(
      ofKind(manifests, 'Deployment')
        .map((deployment) => deployment.metadata.name)
        .sort(),
    ).toEqual([...SERVICES, 'gateway'].map(name).sort());
    for (const component of [...SERVICES, 'gateway']) {
      const deployment = find(manifests, 'Deployment', component)!;
      const container = containerOf(deployment);
      const env = envOf(container);
      expect(container.command).toEqual(['node', `services/${component}/dist/server.js`]);
      expect(container.readinessProbe.httpGet).toEqual({ path: '/ready', port: 'http' });
      expect(container.livenessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
      expect(Object.keys(container.resources).sort()).toEqual(['limits', 'requests']);
      expect(env.get('NODE_ENV')?.value).toBe('production');
      if (component !== 'gateway') expect(env.get('DEMO_DATA')?.value).toBe('false'); // the gateway has no data
      expect(env.get('PORT')?.value).toBe(
        String((CONFIG_SCHEMAS[component]!.properties.PORT as { default: number }).default),
      );
      // Every variable is one the service reads (a typo would be silently ignored), set once.
      expect(container.env.length).toBe(env.size);
      const known = new Set([...Object.keys(CONFIG_SCHEMAS[component]!.properties), 'NODE_ENV']);
      expect([...env.keys()].filter((variable) => !known.has(variable))).toEqual([]);
      // Every secret the service reads comes from a Secret, so none can fall back to a shipped default.
      const secretSettings = [...known].filter((setting) => SECRET_SETTING.test(setting));
      for (const setting of secretSettings) {
        expect({ setting, from: env.get(setting)?.valueFrom?.secretKeyRef?.key }).toEqual({
          setting,
          from: expect.any(String),
        });
        expect(env.get(setting)?.value).toBeUndefined();
      }
    }
  });

  it('when each workload reads the environment it is given (secrets filled in), then its own config accepts it', () => {
    const manifests = rendered[label]!;
    const secretValue = (key: string) => {
      if (key === 'uri' || key.startsWith('database-url-')) return 'postgres://svc:pw@db.shop.svc:5432/boxoffice';
      if (key === 'redis-url') return 'redis://:pw@redis.shop.svc:6379';
      if (key === 'event-verify-keys')
        return SERVICES.map((service) => `${service}:${randomBytes(32).toString('hex')}`).join(',');
      return randomBytes(32).toString('hex');
    };
    for (const component of [...SERVICES, 'gateway']) {
      const env = Object.fromEntries(
        (containerOf(find(manifests, 'Deployment', component)!).env as EnvVar[]).map((variable) => [
          variable.name,
          variable.valueFrom ? secretValue(variable.valueFrom.secretKeyRef!.key) : variable.value!,
        ]),
      );
      expect(() => CONFIG_READERS[component]!(env)).not.toThrow();
    }
  });

  it('when rendered, then every service migrates in an init container before it starts', () => {
    const manifests = rendered[label]!;
    for (const service of SERVICES) {
      const pod = find(manifests, 'Deployment', service)!.spec.template.spec;
      expect(pod.initContainers.map((container: { command: string[] }) => container.command)).toEqual([
        ['node', `services/${service}/dist/migrate.js`],
      ]);
      expect(pod.initContainers[0].env).toEqual(pod.containers[0].env);
      expect(readFileSync(path.join(REPO_ROOT, 'services', service, 'src', 'migrate.ts'), 'utf8')).toContain(
        'migrateAndExit',
      );
    }
    expect(find(manifests, 'Deployment', 'gateway')!.spec.template.spec.initContainers).toBeUndefined();
  });

  it('when rendered, then each peer URL a service reads points at that peer, and no other', () => {
    const manifests = rendered[label]!;
    const services = new Map(ofKind(manifests, 'Service').map((service) => [service.metadata.name, service]));
    for (const component of [...SERVICES, 'gateway']) {
      const env = envOf(containerOf(find(manifests, 'Deployment', component)!));
      const peerVariables = [...env.keys()].filter((variable) => /_SERVICE_URLS?$/.test(variable));
      expect(peerVariables.map((variable) => variable.split('_')[0]!.toLowerCase()).sort()).toEqual(
        peersInConfig(component),
      );
      for (const variable of peerVariables) {
        const peer = variable.split('_')[0]!.toLowerCase();
        const port = services.get(name(peer))!.spec.ports[0].port;
        expect(env.get(variable)!.value).toBe(`http://${name(peer)}:${port}`);
      }
    }
  });

  it('when rendered, then only the gateway admits anyone, and a service admits only the gateway and the peers that call it', () => {
    const manifests = rendered[label]!;
    const policies = ofKind(manifests, 'NetworkPolicy');
    expect(policies).toHaveLength(SERVICES.length + 1);
    const gateway = policies.find((policy) => policy.metadata.name === name('gateway'))!;
    expect(gateway.spec.ingress).toEqual([{ ports: [{ port: 'http', protocol: 'TCP' }] }]);
    for (const service of SERVICES) {
      const policy = policies.find((candidate) => candidate.metadata.name === name(service))!;
      expect(policy.spec.podSelector.matchLabels['app.kubernetes.io/component']).toBe(service);
      expect(policy.spec.policyTypes).toEqual(['Ingress']);
      const admitted = policy.spec.ingress.flatMap((rule: { from: { podSelector: { matchLabels: object } }[] }) =>
        rule.from.map((peer) => peer.podSelector.matchLabels),
      );
      for (const labels of admitted) expect(labels).toMatchObject({ 'app.kubernetes.io/instance': RELEASE });
      const callers = ['gateway', ...SERVICES.filter((caller) => peersInConfig(caller).includes(service))].sort();
      expect(admitted.map((labels: Record<string, string>) => labels['app.kubernetes.io/component']).sort()).toEqual(
        callers,
      );
    }
  });

  it('when rendered, then every workload has a disruption budget and exactly one autoscaler, and no fixed replica count', () => {
    const manifests = rendered[label]!;
    const scaledByKeda = new Set(ofKind(manifests, 'ScaledObject').map((scaled) => scaled.spec.scaleTargetRef.name));
    const scaledByHpa = new Set(
      ofKind(manifests, 'HorizontalPodAutoscaler').map((hpa) => hpa.spec.scaleTargetRef.name as string),
    );
    const budgets = new Set(ofKind(manifests, 'PodDisruptionBudget').map((budget) => budget.metadata.name));
    for (const deployment of ofKind(manifests, 'Deployment')) {
      const workload = deployment.metadata.name;
      expect({ workload, autoscalers: Number(scaledByKeda.has(workload)) + Number(scaledByHpa.has(workload)) }).toEqual(
        { workload, autoscalers: 1 },
      );
      expect(deployment.spec.replicas).toBeUndefined();
      expect(budgets.has(workload)).toBe(true);
    }
  });
});

describe('the production values', () => {
  it('when rendered, then each service scales on the lag of exactly its consumer groups in the code, and on CPU', () => {
    const manifests = rendered.production!;
    for (const service of SERVICES) {
      const scaled = find(manifests, 'ScaledObject', service)!;
      const triggers: { type: string; metadata: Record<string, string> }[] = scaled.spec.triggers;
      expect(triggers.filter((trigger) => trigger.type === 'cpu')).toHaveLength(1);
      const groups = triggers.filter((trigger) => trigger.type === 'kafka').map((t) => t.metadata.consumerGroup);
      expect({ service, groups: groups.sort() }).toEqual({ service, groups: consumerGroupsInCode(service) });
      for (const trigger of triggers.filter((t) => t.type === 'kafka')) {
        expect(trigger.metadata.allowIdleConsumers).toBe('false');
      }
    }
    expect(find(manifests, 'ScaledObject', 'gateway')).toBeUndefined();
    expect(find(manifests, 'HorizontalPodAutoscaler', 'gateway')).toBeDefined();
  });
});

describe('the operators values', () => {
  it('when rendered, then each service has its own PostgreSQL cluster and reads its URL from the Secret CloudNativePG writes', () => {
    const manifests = rendered.operators!;
    const clusters = ofKind(manifests, 'Cluster');
    expect(clusters.map((cluster) => cluster.metadata.name).sort()).toEqual(
      SERVICES.map((service) => name(`pg-${service}`)).sort(),
    );
    for (const service of SERVICES) {
      const env = envOf(containerOf(find(manifests, 'Deployment', service)!));
      expect(env.get('DATABASE_URL')!.valueFrom!.secretKeyRef).toEqual({
        name: `${name(`pg-${service}`)}-app`,
        key: 'uri',
      });
      expect(env.get('KAFKA_BROKERS')!.value).toBe(`${name('kafka')}-kafka-bootstrap:9092`);
    }
  });

  it('when rendered, then Kafka runs in KRaft mode on node pools, with one replicated KafkaTopic per topic in the contracts', () => {
    const manifests = render(VALUE_SETS.operators!, '--set', 'kafkaTopicPrefix=shop.');
    const [kafka, ...others] = ofKind(manifests, 'Kafka');
    expect(others).toEqual([]);
    expect(kafka!.metadata.annotations).toMatchObject({
      'strimzi.io/kraft': 'enabled',
      'strimzi.io/node-pools': 'enabled',
    });
    expect(kafka!.spec.zookeeper).toBeUndefined();
    const pools = ofKind(manifests, 'KafkaNodePool');
    expect(pools.flatMap((pool) => pool.spec.roles).sort()).toEqual(['broker', 'controller']);
    for (const pool of pools) expect(pool.metadata.labels!['strimzi.io/cluster']).toBe(kafka!.metadata.name);
    const topics = ofKind(manifests, 'KafkaTopic');
    expect(topics.map((topic) => topic.spec.topicName).sort()).toEqual(
      Object.values(TOPICS)
        .map((topic) => `shop.${topic}`)
        .sort(),
    );
    for (const topic of topics) {
      expect(topic.metadata.labels!['strimzi.io/cluster']).toBe(kafka!.metadata.name);
      expect(topic.spec.replicas).toBe(3);
      expect(topic.spec.config['min.insync.replicas']).toBe('2');
    }
  });

  it.each(['operators', 'production + operators'])(
    'with the %s values, when every service runs its most instances, then their connections fit its database',
    (label) => {
      const manifests = rendered[label]!;
      for (const service of SERVICES) {
        const env = envOf(containerOf(find(manifests, 'Deployment', service)!));
        const scaler = find(manifests, 'ScaledObject', service) ?? find(manifests, 'HorizontalPodAutoscaler', service)!;
        const most = scaler.spec.maxReplicaCount ?? scaler.spec.maxReplicas;
        // Each instance: its pool, plus the outbox relay's own connection (its leader lock).
        const connections = most * (Number(env.get('DATABASE_POOL_SIZE')!.value) + 1);
        const cluster = find(manifests, 'Cluster', `pg-${service}`)!;
        // CloudNativePG keeps superuser_reserved_connections (3) for itself.
        const available = Number(cluster.spec.postgresql.parameters.max_connections) - 3;
        expect({ service, fits: connections <= available }).toEqual({ service, fits: true });
      }
    },
  );

  it('when only the infrastructure is asked for, then it renders the operators resources and no workload', () => {
    const manifests = render(VALUE_SETS.operators!, '--set', 'infrastructureOnly=true');
    expect([...new Set(manifests.map((manifest) => manifest.kind))].sort()).toEqual([
      'Cluster',
      'Kafka',
      'KafkaNodePool',
      'KafkaTopic',
    ]);
  });
});

describe('the chart-created Secret', () => {
  it('when secrets.create is set without a value, then the render stops naming the missing key', () => {
    const result = helm('template', RELEASE, CHART, '--kube-version', '1.33.0', '--set', 'secrets.create=true');
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('secrets.values.card-gateway-secret is required');
  });

  it('when every value is given, then the Secret holds exactly the keys the workloads read', () => {
    const keys = [
      'internal-api-token',
      'card-gateway-secret',
      'idempotency-hash-secret',
      'redis-url',
      'event-verify-keys',
      ...SERVICES.map((service) => `database-url-${service}`),
      ...SERVICES.map((service) => `event-signing-key-${service}`),
    ];
    const sets = keys.flatMap((key) => ['--set', `secrets.values.${key}=value-of-${key}`]);
    const manifests = render([], '--set', 'secrets.create=true', ...sets);
    const [secret] = ofKind(manifests, 'Secret');
    expect(Object.keys(secret!.stringData!).sort()).toEqual(keys.sort());
    const referenced = new Set(
      ofKind(manifests, 'Deployment').flatMap((deployment) =>
        (containerOf(deployment).env as EnvVar[]).flatMap((variable) => variable.valueFrom?.secretKeyRef?.key ?? []),
      ),
    );
    expect([...referenced].sort()).toEqual(keys.sort());
  });
});

describe('the validator', () => {
  it('when a rendered document has a field its schema does not know, then it fails naming that field', () => {
    const manifests = rendered['production + operators']!;
    const broken = (kind: string) => {
      const copy = JSON.parse(JSON.stringify(manifests.find((manifest) => manifest.kind === kind))) as Manifest;
      copy.spec.replicaCount = 2; // a typo the API server would silently drop for a custom resource
      return copy;
    };
    const { status, reports } = validate(
      { broken: [broken('Deployment'), broken('ScaledObject'), broken('Cluster')] },
      '1.33',
    );
    const report = reports.broken!;
    expect(status).toBe(1);
    expect(report.invalid.map((entry) => [entry.kind, entry.error])).toEqual([
      ['Deployment', expect.stringContaining("'replicaCount' was unexpected")],
      ['ScaledObject', expect.stringContaining("'replicaCount' was unexpected")],
      ['Cluster', expect.stringContaining("'replicaCount' was unexpected")],
    ]);
  });
});

/** Consumer groups a service starts, read from its source: its own consumers and the kernel plugins it registers. */
function consumerGroupsInCode(service: string): string[] {
  const sourceDir = path.join(REPO_ROOT, 'services', service, 'src');
  const sources = readdirSync(sourceDir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => readFileSync(path.join(sourceDir, file), 'utf8'))
    .join('\n');
  // app.events.consumer('<group>', …), a replica's `group: '<group>'`, and the queue guard's own `<group>.queue-guard`
  const groups = [...sources.matchAll(/\.consumer\('([^']+)'/g), ...sources.matchAll(/\bgroup: '([^']+)'/g)].map(
    (match) => match[1]!,
  );
  for (const match of sources.matchAll(/queueGuardPlugin,[^}]*consumerGroup: '([^']+)'/g)) {
    groups.push(`${match[1]!}.queue-guard`);
  }
  return groups.sort();
}
