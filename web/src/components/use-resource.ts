import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { Answer } from '../api/http';
import { asProblem, type ApiProblem } from '../api/problem';
import { session } from '../api/session';
import { href, matchRoute } from '../routes';
import { here, navigate } from '../router';

export interface Resource<T> {
  data: T | undefined;
  stale: boolean;
  problem: ApiProblem | undefined;
  loading: boolean;
  /** When the data last came back (ms since epoch). */
  updatedAt: number | undefined;
  reload(): void;
}

/**
 * Which concert's waiting room a buyer sent to the line must join: the one the refusal names, else the concert of
 * the page they are on, else the one their place was for.
 */
function concertInLine(problem: ApiProblem): number | null {
  if (problem.options.concertId !== undefined) return problem.options.concertId;
  const onPage = Number(matchRoute(location.pathname).params.concertId);
  if (Number.isInteger(onPage) && onPage > 0) return onPage;
  return session.place()?.concertId ?? null;
}

/**
 * Sends the buyer where a credential problem says they must go: sign in again, or back to the waiting line.
 * Returns true when it did (the page need not show the problem itself).
 */
export function followCredentialProblem(problem: ApiProblem): boolean {
  if (problem.kind === 'signed-out') {
    session.signOut();
    navigate(href('signIn', {}, { next: here() }), { replace: true });
    return true;
  }
  if (problem.kind === 'queue-ended' || problem.kind === 'waiting' || problem.kind === 'wrong-room') {
    // a page's other calls fail the same way a moment later: the first one has already sent the buyer to the line
    if (matchRoute(location.pathname).page === 'line') return true;
    const concert = concertInLine(problem);
    if (problem.kind === 'queue-ended') session.setQueueToken(undefined);
    navigate(href('line', {}, { next: here(), ...(concert === null ? {} : { concert: String(concert) }) }), {
      replace: true,
    });
    return true;
  }
  return false;
}

/**
 * Loads one thing, keeps it fresh (pollMs), and retries by itself after a 503/429/lost connection at the time
 * the answer named. The last good data stays on screen while a problem is shown.
 */
export function useResource<T>(
  load: () => Promise<Answer<T>>,
  deps: unknown[],
  { pollMs }: { pollMs?: number } = {},
): Resource<T> {
  const [state, setState] = useState<Omit<Resource<T>, 'reload'>>({
    data: undefined,
    stale: false,
    problem: undefined,
    loading: true,
    updatedAt: undefined,
  });
  const generation = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout>>();

  const run = useCallback(async () => {
    const mine = ++generation.current;
    clearTimeout(timer.current);
    setState((before) => ({ ...before, loading: true }));
    let next: number | undefined = pollMs;
    try {
      const answer = await load();
      if (mine !== generation.current) return;
      setState({ data: answer.body, stale: answer.stale, problem: undefined, loading: false, updatedAt: Date.now() });
    } catch (error) {
      if (mine !== generation.current) return;
      const problem = asProblem(error);
      if (followCredentialProblem(problem)) return;
      setState((before) => ({ ...before, problem, loading: false }));
      next = problem.retryAfterSeconds !== undefined ? problem.retryAfterSeconds * 1000 : undefined;
    }
    if (next !== undefined) timer.current = setTimeout(() => void run(), next);
  }, deps);

  useEffect(() => {
    void run();
    return () => {
      generation.current++;
      clearTimeout(timer.current);
    };
  }, [run]);

  return { ...state, reload: () => void run() };
}

/** A write's progress: busy while sending, its problem when refused. */
export function useAction<A extends unknown[], R>(action: (...args: A) => Promise<R>) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem>();
  const run = async (...args: A): Promise<R | undefined> => {
    setBusy(true);
    setProblem(undefined);
    try {
      return await action(...args);
    } catch (error) {
      const found = asProblem(error);
      if (!followCredentialProblem(found)) setProblem(found);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { busy, problem, run, clear: () => setProblem(undefined) };
}
