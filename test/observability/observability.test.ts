import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { startStack, STACK_SERVICES, type Stack } from '@boxoffice/testing';
import { metricNamesIn, parseExposition, groupingLabelsIn, type Exposition } from './promql';

/**
 * The Grafana dashboard and the Prometheus alert rules under deploy/observability read only metrics that the
 * services really export: the whole stack runs as real processes, each /metrics is scraped, and every metric name
 * in every expression must be one of them. A misspelled or renamed metric fails here instead of drawing an empty
 * panel or an alert that can never fire. Where a metric has samples, the labels an expression groups or matches by
 * must be on them too (scrape labels such as `job` come from Prometheus, not from the service).
 */
const ROOT = path.resolve(__dirname, '..', '..');
const DASHBOARD = path.join(ROOT, 'deploy', 'observability', 'grafana-dashboard.json');
const ALERTS = path.join(ROOT, 'deploy', 'observability', 'alerts.yaml');
/** Added by Prometheus to every scraped series (or by Kubernetes service discovery), never by a service. */
const SCRAPE_LABELS = new Set(['job', 'instance', 'pod', 'namespace', 'service']);
/** The alerts the operations guide promises (issue 17): each must exist. */
const PROMISED_ALERTS = [
  'BoxofficeOutboxStuck',
  'BoxofficeConsumerLag',
  'BoxofficeDeadLetters',
  'BoxofficeCircuitBreakerOpen',
  'BoxofficeHoldSweeperBehind',
  'BoxofficeQueueAdmissionStalled',
];

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: { severity?: string };
  annotations?: { summary?: string; description?: string };
}

const rules: Rule[] = (parse(readFileSync(ALERTS, 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap(
  (group) => group.rules,
);
const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
  panels: { title: string; type: string; targets?: { expr: string }[] }[];
};
const panelExpressions = dashboard.panels.flatMap((panel) =>
  (panel.targets ?? []).map((target) => ({ where: `panel "${panel.title}"`, expr: target.expr })),
);
const expressions = [...rules.map((rule) => ({ where: `alert ${rule.alert}`, expr: rule.expr })), ...panelExpressions];

let stack: Stack;
const scraped = new Map<string, Exposition>();

beforeAll(async () => {
  stack = await startStack();
  for (const service of STACK_SERVICES) {
    const response = await fetch(`${stack.url(service)}/metrics`);
    expect(response.status).toBe(200);
    scraped.set(service, parseExposition(await response.text()));
  }
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

/** Every service whose /metrics has this series name (a histogram's _bucket/_sum/_count included). */
function exportersOf(name: string): string[] {
  return [...scraped].filter(([, exposition]) => exposition.series.has(name)).map(([service]) => service);
}

describe('deploy/observability: the dashboard and alerts read what the services export', () => {
  it('the rule file has the promised alerts, each with a severity, a summary and a description', () => {
    expect(rules.map((rule) => rule.alert)).toEqual(expect.arrayContaining(PROMISED_ALERTS));
    for (const rule of rules) {
      expect({ alert: rule.alert, severity: rule.labels?.severity }).toEqual({
        alert: rule.alert,
        severity: expect.stringMatching(/^(warning|critical)$/),
      });
      expect(rule.annotations?.summary).toBeTruthy();
      expect(rule.annotations?.description).toBeTruthy();
    }
    expect(panelExpressions.length).toBeGreaterThanOrEqual(10);
  });

  it('every metric an alert or a panel names is exported by a running service', () => {
    const missing = expressions.flatMap(({ where, expr }) =>
      metricNamesIn(expr)
        .filter((name) => exportersOf(name).length === 0)
        .map((name) => `${where}: ${name}`),
    );
    expect(missing).toEqual([]);
    // the extractor finds the names (a check that found none would pass whatever the files said)
    expect(metricNamesIn(rules.find((rule) => rule.alert === 'BoxofficeQueueAdmissionStalled')!.expr)).toEqual([
      'queue_waiting_users',
      'queue_admitted_total',
    ]);
  });

  it('the labels an expression groups or matches by are on the samples of its metrics', () => {
    const wrong: string[] = [];
    for (const { where, expr } of expressions) {
      const labels = groupingLabelsIn(expr).filter((label) => !SCRAPE_LABELS.has(label));
      for (const name of metricNamesIn(expr)) {
        const sampled = exportersOf(name).flatMap((service) => scraped.get(service)!.labelsOf(name));
        if (sampled.length === 0) continue; // no sample yet (a counter nobody has increased): names were checked above
        for (const label of labels)
          if (!sampled.includes(label)) wrong.push(`${where}: ${name} has no label "${label}"`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('the metrics the alerts rest on are where an operator expects them', () => {
    expect(exportersOf('ticket_hold_sweep_lag_seconds')).toEqual(['ticket']);
    expect(exportersOf('queue_waiting_users')).toEqual(['queue']);
    // every service with an outbox reports it, and every service has the request histogram
    expect(exportersOf('http_request_duration_seconds_count')).toEqual([...STACK_SERVICES]);
    expect(exportersOf('events_outbox_oldest_pending_seconds')).toEqual(
      STACK_SERVICES.filter((service) => service !== 'gateway'),
    );
    // payment calls ticket and item through breakers; both closed on a healthy stack
    expect(scraped.get('payment')!.valueOf('circuit_breaker_open', { peer: 'ticket' })).toBe(0);
    expect(scraped.get('payment')!.valueOf('circuit_breaker_open', { peer: 'item' })).toBe(0);
  });
});
