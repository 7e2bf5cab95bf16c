import type { AdmissionRound, QueueLine, QueuePolicy } from './queue-token';

interface Log {
  warn(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

/**
 * Refills free ACTIVE slots from the head of the line every `intervalMs` (and at once when told a slot opened).
 * Every instance runs one; each round is one atomic script, so together they never exceed the maximum and
 * always admit in arrival order.
 */
export class Admitter {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private again = false;

  constructor(
    private readonly line: QueueLine,
    private readonly policy: QueuePolicy,
    private readonly intervalMs: number,
    private readonly log: Log,
    private readonly batch = 500,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** A slot opened (someone paid): do not wait for the next tick. */
  admitNow(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.schedule(0);
  }

  /** One round, for callers that need it done before they go on. */
  async round(nowMs = Date.now()): Promise<AdmissionRound> {
    let total: AdmissionRound = { expired: 0, abandoned: 0, admitted: 0 };
    // a full batch means more may be due right now: keep going rather than wait a tick
    for (;;) {
      const round = await this.line.admit({ nowMs, policy: this.policy, batch: this.batch });
      total = {
        expired: total.expired + round.expired,
        abandoned: total.abandoned + round.abandoned,
        admitted: total.admitted + round.admitted,
      };
      if (round.expired < this.batch && round.abandoned < this.batch && round.admitted < this.batch) return total;
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.round()
        .then((round) => {
          if (round.admitted + round.expired + round.abandoned > 0) this.log.debug({ ...round }, 'admission round');
        })
        .catch((error: unknown) => this.log.warn({ err: error }, 'admission round failed; retrying on the next tick'))
        .finally(() => {
          this.running = undefined;
          const again = this.again;
          this.again = false;
          this.schedule(again ? 0 : this.intervalMs);
        });
    }, delayMs);
  }
}
