import type { AdmissionRound, QueueLine } from './queue-token';

interface Log {
  warn(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

/**
 * Refills free ACTIVE slots from the head of each room's line every `intervalMs` (and at once when told a slot
 * opened). Every instance runs one; each room's round is one atomic script, so together they never exceed a
 * room's capacity or rate and always admit in line order. `onRound` hears every room's outcome (metrics).
 */
export class Admitter {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private again = false;

  constructor(
    private readonly line: QueueLine,
    private readonly intervalMs: number,
    private readonly log: Log,
    private readonly onRound: (roomId: string, round: AdmissionRound) => void = () => undefined,
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

  /** One round of every room, for callers that need it done before they go on. */
  async round(nowMs = Date.now()): Promise<Map<string, AdmissionRound>> {
    const rooms = await this.line.roomIds();
    const rounds = await Promise.all(
      rooms.map(async (roomId) => [roomId, await this.roomRound(roomId, nowMs)] as const),
    );
    return new Map(rounds);
  }

  private async roomRound(roomId: string, nowMs: number): Promise<AdmissionRound> {
    let total: AdmissionRound | undefined;
    // a full batch means more may be due right now: keep going rather than wait a tick
    for (;;) {
      const round = await this.line.admit({ roomId, nowMs, batch: this.batch });
      total = {
        expired: (total?.expired ?? 0) + round.expired,
        abandoned: (total?.abandoned ?? 0) + round.abandoned,
        admitted: (total?.admitted ?? 0) + round.admitted,
        closedOut: (total?.closedOut ?? 0) + round.closedOut,
        waiting: round.waiting,
        active: round.active,
      };
      const full = [round.expired, round.abandoned, round.admitted, round.closedOut].some((n) => n >= this.batch);
      if (!full) break;
    }
    this.onRound(roomId, total);
    return total;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.round()
        .then((rounds) => {
          for (const [roomId, round] of rounds)
            if (round.admitted + round.expired + round.abandoned + round.closedOut > 0)
              this.log.debug({ roomId, ...round }, 'admission round');
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
