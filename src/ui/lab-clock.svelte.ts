// The lab clock as the page runs it: it owns the clock params and sends every change to every
// worker, shows lab time in the header, and fast-forwards by pausing the workers' clocks and
// stepping them together (see workers/clock-steps.ts).

import {
  labTimeAt,
  withAdvance,
  withSpeed,
  type ClockParams,
} from '../engine/os/realtime-clock.ts';
import { fastForward, type SteppedWorker } from '../workers/clock-steps.ts';

/** Absolute real time, the same frame of reference in the page and in every worker. */
export function realNow(): number {
  return performance.timeOrigin + performance.now();
}

export interface LabClockDeps {
  /** Every worker with a clock: the KV and the hosts that have started. */
  workers: () => SteppedWorker[];
  /** Sends new params to every worker. */
  broadcast: (params: ClockParams) => void;
}

export class LabClockControl {
  params = $state.raw<ClockParams>({ labAtAnchor: 0, sourceAtAnchor: 0, speed: 1 });
  /** Lab time, refreshed a few times a second for the header. */
  labTime = $state(0);
  /** A fast-forward is running. */
  advancing = $state(false);
  /** Fast-forwards run one after another (clicking +1 h twice moves 2 h). */
  private queue: Promise<void> = Promise.resolve();
  /** While one runs: the speed to go on at afterwards. */
  private resumeSpeed = 1;
  private ticker: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly deps: LabClockDeps) {
    // Lab time starts at the wall clock (the UI may read it; the engine may not).
    this.params = { labAtAnchor: Date.now(), sourceAtAnchor: realNow(), speed: 1 };
    this.labTime = labTimeAt(this.params, realNow());
  }

  /** Keeps `labTime` current. */
  startTicking(): void {
    this.ticker ??= setInterval(() => (this.labTime = labTimeAt(this.params, realNow())), 250);
  }

  /** Resolves once no fast-forward runs (a host boots on the clock as it runs). */
  idle(): Promise<void> {
    return this.queue.catch(() => {});
  }

  setSpeed(speed: number): void {
    const params = withSpeed(this.params, speed, realNow()); // checks the speed
    if (this.advancing) this.resumeSpeed = speed;
    else this.apply(params);
  }

  /**
   * Moves lab time `ms` ahead: the clocks pause, step together through every deadline on the
   * way and run on at the same speed from the new time.
   */
  advance(ms: number): Promise<void> {
    withAdvance(this.params, ms, realNow()); // checks `ms`
    this.queue = this.idle().then(() => this.fastForward(ms));
    return this.queue;
  }

  dispose(): void {
    if (this.ticker !== null) clearInterval(this.ticker);
    this.ticker = null;
  }

  private async fastForward(ms: number): Promise<void> {
    this.resumeSpeed = this.params.speed;
    this.advancing = true;
    const paused = withSpeed(this.params, 0, realNow());
    this.apply(paused);
    const target = paused.labAtAnchor + ms;
    try {
      await fastForward(this.deps.workers, target, (t) => {
        // The header's clock follows the steps (the workers' clocks are already there).
        this.params = { ...paused, labAtAnchor: t };
        this.labTime = t;
      });
    } finally {
      this.advancing = false;
      this.apply({ labAtAnchor: target, sourceAtAnchor: realNow(), speed: this.resumeSpeed });
    }
  }

  private apply(params: ClockParams): void {
    this.params = params;
    this.labTime = labTimeAt(params, realNow());
    this.deps.broadcast(params);
  }
}
