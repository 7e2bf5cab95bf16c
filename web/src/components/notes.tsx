import { useEffect, useState } from 'preact/hooks';
import type { ApiProblem } from '../api/problem';

/** Counts down from `seconds`; the parent retries when it reaches 0. */
function useSecondsLeft(seconds: number | undefined, key: unknown): number | undefined {
  const [left, setLeft] = useState(seconds);
  useEffect(() => {
    setLeft(seconds);
    if (seconds === undefined) return;
    const started = Date.now();
    const timer = setInterval(() => setLeft(Math.max(0, Math.ceil(seconds - (Date.now() - started) / 1000))), 250);
    return () => clearInterval(timer);
  }, [seconds, key]);
  return left;
}

const RETRIED_BY_ITSELF = new Set(['unavailable', 'rate-limited', 'offline']);

/**
 * A refusal or outage in words: the API's sentence for a refusal, "try again shortly" with the time for a 503,
 * the wait for a 429. Never a raw error. `autoRetry` says the page retries by itself at that time.
 */
export function ProblemNote({
  problem,
  autoRetry = false,
  onRetry,
}: {
  problem: ApiProblem | undefined;
  autoRetry?: boolean;
  onRetry?: () => void;
}) {
  const left = useSecondsLeft(problem?.retryAfterSeconds, problem);
  if (!problem) return null;
  const waits = RETRIED_BY_ITSELF.has(problem.kind);
  return (
    <div class={`note note-${waits ? 'warn' : 'error'}`} role="alert" data-problem={problem.kind}>
      <p>
        <strong>{problem.message}</strong>
        {waits && left !== undefined && (
          <span class="retry-time">
            {' '}
            {autoRetry
              ? left > 0
                ? `Retrying in ${left} s.`
                : 'Retrying now…'
              : left > 0
                ? `You can try again in ${left} s.`
                : 'You can try again now.'}
          </span>
        )}
      </p>
      {problem.options.fields && problem.options.fields.length > 0 && (
        <ul>
          {problem.options.fields.map((field, index) => (
            <li key={index}>{field.msg}</li>
          ))}
        </ul>
      )}
      {onRetry && !autoRetry && (
        <button type="button" class="secondary" onClick={onRetry} disabled={waits && (left ?? 0) > 0}>
          Try again
        </button>
      )}
    </div>
  );
}

/** SPEC §0's X-Data-Stale: the answer came from a copy while its owner was unreachable. */
export function StaleNote({ stale }: { stale: boolean }) {
  if (!stale) return null;
  return (
    <p class="note note-stale" role="status" data-stale="true">
      This data may be stale: a service is not answering, so you see the last copy we have. It updates by itself once
      the service is back.
    </p>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="loading" role="status">
      Loading {what}…
    </p>
  );
}
