import client from 'prom-client';
import type CircuitBreaker from 'opossum';

interface Watched {
  peer: string;
  breaker: CircuitBreaker;
}

/** One gauge per registry, over every breaker created with it (a service has several peers). */
const watchedByRegistry = new WeakMap<client.Registry, Set<Watched>>();

/**
 * Reports a breaker as `circuit_breaker_open{peer}`: 1 while it is open or half-open (calls answer from the cache
 * or fail fast), 0 while closed. The returned function stops reporting it (the client shut down).
 */
export function reportBreaker(registry: client.Registry, peer: string, breaker: CircuitBreaker): () => void {
  let watched = watchedByRegistry.get(registry);
  if (!watched) {
    const breakers = new Set<Watched>();
    watched = breakers;
    watchedByRegistry.set(registry, breakers);
    new client.Gauge({
      name: 'circuit_breaker_open',
      help: 'Circuit breaker to a peer service: 1 while open or half-open (answers come from the cache), 0 while closed',
      labelNames: ['peer'],
      registers: [registry],
      collect() {
        this.reset();
        const byPeer = new Map<string, number>();
        for (const { peer: name, breaker: each } of breakers)
          byPeer.set(name, Math.max(byPeer.get(name) ?? 0, each.closed ? 0 : 1));
        for (const [name, open] of byPeer) this.set({ peer: name }, open);
      },
    });
  }
  const entry = { peer, breaker };
  watched.add(entry);
  return () => void watched.delete(entry);
}

/** The app's metrics registry when it has one (`app.metrics`, from @boxoffice/http); a bare test app has none. */
export function metricsOf(app: object): client.Registry | undefined {
  return (app as { metrics?: client.Registry }).metrics;
}
