import { useEffect, useState } from 'preact/hooks';
import type { PageProps } from '../app';
import { gatewayApi, type MetricsSnapshot } from '../api/gateway';
import { asProblem, type ApiProblem } from '../api/problem';
import { ProblemNote } from '../components/notes';
import { PageTitle } from '../components/page-title';
import { Sparkline } from '../components/sparkline';
import { followCredentialProblem } from '../components/use-resource';
import { BREAKER_STATES, PANELS, panelSeries, type PanelSpec } from '../domain/metrics';

const SCRAPE_MS = 5_000;
const KEEP = 60; // five minutes of readings

function useSnapshots(): { snapshots: MetricsSnapshot[]; problem: ApiProblem | undefined } {
  const [snapshots, setSnapshots] = useState<MetricsSnapshot[]>([]);
  const [problem, setProblem] = useState<ApiProblem>();
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout>;
    const scrape = async () => {
      let delay = SCRAPE_MS;
      try {
        const answer = await gatewayApi.metrics();
        if (stopped) return;
        setProblem(undefined);
        setSnapshots((before) => [...before, answer.body].slice(-KEEP));
      } catch (error) {
        if (stopped) return;
        const found = asProblem(error);
        if (followCredentialProblem(found)) return;
        setProblem(found);
        delay = Math.max(SCRAPE_MS, (found.retryAfterSeconds ?? 5) * 1000);
      }
      timer = setTimeout(() => void scrape(), delay);
    };
    void scrape();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, []);
  return { snapshots, problem };
}

function BreakerTable({ spec, snapshots }: { spec: PanelSpec; snapshots: MetricsSnapshot[] }) {
  const series = panelSeries(spec, snapshots);
  return (
    <table class="table compact">
      <caption class="visually-hidden">Circuit breaker states</caption>
      <thead>
        <tr>
          <th scope="col">Service · peer</th>
          <th scope="col">State</th>
        </tr>
      </thead>
      <tbody>
        {series.map((line) => {
          const state = BREAKER_STATES[line.points.at(-1)?.v ?? 0] ?? 'open';
          return (
            <tr key={line.key}>
              <td>{line.key}</td>
              <td>
                <span class={`badge breaker-${state}`}>
                  {state === 'closed' ? '● ' : state === 'half-open' ? '◐ ' : '○ '}
                  {state}
                </span>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** The operator's view of a sale: what every service reports, scraped through the gateway every 5 s. */
export function OpsDashboardPage(_: PageProps) {
  const { snapshots, problem } = useSnapshots();
  const latest = snapshots.at(-1);
  const reported = PANELS.filter((spec) => panelSeries(spec, snapshots.slice(-2)).length > 0);
  const missing = [...new Set(PANELS.filter((spec) => !reported.includes(spec)).map((spec) => spec.metric))];
  return (
    <section>
      <PageTitle>Live dashboard</PageTitle>
      <ProblemNote problem={problem} autoRetry />
      {latest && (
        <p class="hint">
          Last reading {new Date(latest.at).toLocaleTimeString('en-GB')} · {snapshots.length} reading
          {snapshots.length === 1 ? '' : 's'} kept (5 minutes at most).
        </p>
      )}
      {latest && (
        <div class="instances" aria-label="Service instances">
          {latest.instances.map((instance) => (
            <span
              key={`${instance.service}-${instance.instance}`}
              class={`badge ${instance.up ? 'badge-up' : 'badge-down'}`}
              data-service={instance.service}
              data-up={String(instance.up)}
            >
              {instance.up ? '▲' : '▼'} {instance.service}
              {latest.instances.filter((one) => one.service === instance.service).length > 1
                ? ` #${instance.instance}`
                : ''}
              : {instance.up ? 'up' : 'down'}
            </span>
          ))}
        </div>
      )}
      {!latest && !problem && <p role="status">Reading the services' metrics…</p>}
      <div class="dashboard">
        {reported.map((spec) => (
          <article class="panel" key={spec.id} data-panel={spec.id}>
            <h2>{spec.title}</h2>
            {spec.kind === 'state' ? (
              <BreakerTable spec={spec} snapshots={snapshots} />
            ) : (
              <Sparkline series={panelSeries(spec, snapshots)} unit={spec.unit} label={spec.title} />
            )}
          </article>
        ))}
      </div>
      {latest && missing.length > 0 && (
        <details class="not-reported">
          <summary>
            {missing.length} metric{missing.length === 1 ? ' is' : 's are'} not reported by any service yet
          </summary>
          <p class="hint">Their panels appear here as soon as a service starts reporting them.</p>
          <ul>
            {missing.map((name) => (
              <li key={name}>
                <code>{name}</code>
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
