import type { Resource } from './use-resource';
import { Loading, ProblemNote, StaleNote } from './notes';

/**
 * What every page says about the data it shows: "may be stale" when a peer answered from its cache, the first
 * problem (retried by itself at the time it names), and "loading" until the first resource has arrived.
 */
export function ResourceNotes({ of, loading }: { of: [Resource<unknown>, ...Resource<unknown>[]]; loading: string }) {
  const [first] = of;
  return (
    <>
      <StaleNote stale={of.some((resource) => resource.stale)} />
      <ProblemNote problem={of.find((resource) => resource.problem)?.problem} autoRetry />
      {first.loading && first.data === undefined && <Loading what={loading} />}
    </>
  );
}
