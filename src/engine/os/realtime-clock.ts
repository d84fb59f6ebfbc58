// The lab clock in the browser: lab time runs at `speed` times real time and can be
// fast-forwarded (advance 1 h / 24 h to watch flannel renew its 24 h leases).
//
// A fast-forward pauses the clocks (speed 0) and steps them: every worker of the lab moves to
// the earliest deadline any of them has (`nextDeadline`, `stepTo`), and waits until the work
// those timers started has landed everywhere before the next step (see workers/clock-steps.ts).
//
// Lab time is a pure function of `ClockParams` and an absolute time source, so every worker
// that holds the same params reads the same lab time. The UI owns the params and sends them to
// every worker on each change. The source is injected (the engine never reads the wall clock);
// in the browser it is `performance.timeOrigin + performance.now()`, which is absolute, so it
// agrees across workers whose `performance.now()` origins differ.

import { runTimersUntil, sleepOn, TimerQueue, type LabClock, type TimerOptions } from './clock.ts';

export interface ClockParams {
  /** Lab time (ms since the epoch) at the anchor. */
  labAtAnchor: number;
  /** Source time (ms) at the anchor. */
  sourceAtAnchor: number;
  /** Lab ms per real ms; 0 pauses the lab. */
  speed: number;
}

export const MAX_SPEED = 3600;

/** Real-time scheduler: calls `fn` after `ms` real milliseconds; returns a cancel function. */
export type Scheduler = (fn: () => void, ms: number) => () => void;

export function labTimeAt(params: ClockParams, source: number): number {
  return params.labAtAnchor + (source - params.sourceAtAnchor) * params.speed;
}

/** Params that continue the current lab time at a new speed (no jump). */
export function withSpeed(params: ClockParams, speed: number, source: number): ClockParams {
  if (!Number.isFinite(speed) || speed < 0 || speed > MAX_SPEED) {
    throw new RangeError(`speed must be between 0 and ${MAX_SPEED}`);
  }
  return { labAtAnchor: labTimeAt(params, source), sourceAtAnchor: source, speed };
}

/** Params whose lab time is `ms` later than now (time only moves forward). */
export function withAdvance(params: ClockParams, ms: number, source: number): ClockParams {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError('the lab clock only moves forward');
  return { ...params, labAtAnchor: labTimeAt(params, source) + ms, sourceAtAnchor: source };
}

export class RealtimeClock implements LabClock {
  private params: ClockParams;
  private readonly timers = new TimerQueue();
  private cancelWake: (() => void) | null = null;
  /** Never let lab time step backwards, even if new params would say so. */
  private lastNow = -Infinity;
  /** `stepTo` is firing timers itself: no real-time wake meanwhile. */
  private stepping = false;

  constructor(
    params: ClockParams,
    private readonly source: () => number,
    private readonly schedule: Scheduler,
  ) {
    this.params = { ...params };
  }

  getParams(): ClockParams {
    return { ...this.params };
  }

  now(): number {
    const t = Math.max(labTimeAt(this.params, this.source()), this.lastNow);
    this.lastNow = t;
    return t;
  }

  /** Adopts new params (from the UI): timers now due fire, the rest are rescheduled. */
  setParams(params: ClockParams): void {
    this.params = { ...params };
    this.wake();
  }

  setSpeed(speed: number): void {
    this.setParams(withSpeed(this.params, speed, this.source()));
  }

  advance(ms: number): void {
    this.setParams(withAdvance(this.params, ms, this.source()));
  }

  setTimer(ms: number, fn: () => void, opts?: TimerOptions): () => void {
    const guarded = () => {
      try {
        fn();
      } catch {
        // One timer's failure must not stop the others (or the clock).
      }
    };
    const cancel = this.timers.add(this.now() + Math.max(0, ms), guarded, opts?.local);
    this.rearm();
    return () => {
      cancel();
      this.rearm();
    };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn((t, fn) => this.setTimer(t, fn), ms, signal);
  }

  /** Number of pending timers (for tests and the UI). */
  pending(): number {
    return this.timers.size;
  }

  /** Lab time of the earliest timer that is not local (a fast-forward's next step), or Infinity. */
  nextDeadline(): number {
    return this.timers.next(true);
  }

  /** Whether a timer is due and waiting to fire. */
  due(): boolean {
    return this.timers.next() <= this.now();
  }

  /**
   * While paused (speed 0): fires every timer due by lab time `t`, local ones included, in
   * order, letting the promise jobs each starts run before the next, and stops at `t`.
   */
  async stepTo(t: number): Promise<void> {
    if (this.params.speed !== 0) throw new Error('the lab clock must be paused to step it');
    this.stepping = true;
    this.cancelWake?.();
    this.cancelWake = null;
    try {
      await runTimersUntil(this.timers, Math.max(t, this.now()), (at) => {
        this.params = { ...this.params, labAtAnchor: Math.max(at, this.params.labAtAnchor) };
      });
    } finally {
      this.stepping = false;
      this.rearm();
    }
  }

  /** Stops all timers (the host is shutting down). */
  dispose(): void {
    this.timers.clear();
    this.cancelWake?.();
    this.cancelWake = null;
  }

  /** Fires every due timer, earliest first, then arms the real timer for the next one. */
  private wake(): void {
    const now = this.now();
    const due = [];
    for (let t = this.timers.popDue(now); t; t = this.timers.popDue(now)) due.push(t);
    for (const t of due) t.fn();
    this.rearm();
  }

  private rearm(): void {
    this.cancelWake?.();
    this.cancelWake = null;
    if (this.stepping || this.timers.size === 0) return;
    const wait = this.timers.next() - this.now();
    // Paused, only timers due now fire (a zero-delay timer needs no time to pass).
    if (this.params.speed === 0 && wait > 0) return;
    const realMs = Math.max(0, wait / (this.params.speed || 1));
    // Browsers clamp long timeouts to 2^31-1 ms; wake early and re-check.
    this.cancelWake = this.schedule(() => this.wake(), Math.min(realMs, 2 ** 31 - 1));
  }
}
