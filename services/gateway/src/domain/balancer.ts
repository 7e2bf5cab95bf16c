/**
 * Round-robin over a service's instances, skipping one that recently failed to connect until its cool-down ends.
 * When every instance is marked down, the least recently failed one is tried anyway: better a try than a refusal.
 */
export class Balancer {
  private next = 0;
  private readonly downUntil: number[];

  constructor(
    readonly instances: string[],
    private readonly coolDownMs = 2_000,
    private readonly now: () => number = Date.now,
  ) {
    if (instances.length === 0) throw new Error('a balancer needs at least one instance');
    this.downUntil = instances.map(() => 0);
  }

  /** Instances in the order to try them for one request. */
  order(): string[] {
    const start = this.next;
    this.next = (this.next + 1) % this.instances.length;
    const rotated = this.instances.map((_, i) => (start + i) % this.instances.length);
    const time = this.now();
    const up = rotated.filter((i) => this.downUntil[i]! <= time);
    const down = rotated
      .filter((i) => this.downUntil[i]! > time)
      .sort((a, b) => this.downUntil[a]! - this.downUntil[b]!);
    return [...up, ...down].map((i) => this.instances[i]!);
  }

  markDown(instance: string): void {
    const index = this.instances.indexOf(instance);
    if (index >= 0) this.downUntil[index] = this.now() + this.coolDownMs;
  }

  markUp(instance: string): void {
    const index = this.instances.indexOf(instance);
    if (index >= 0) this.downUntil[index] = 0;
  }
}
