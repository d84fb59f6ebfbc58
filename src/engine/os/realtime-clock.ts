// The lab clock in the browser: lab time runs at `speed` times real time and can be
// fast-forwarded (advance 1 h / 24 h to watch flannel renew its 24 h leases).
//
// Lab time is a pure function of `ClockParams` and an absolute time source, so every worker
// that holds the same params reads the same lab time. The UI owns the params and sends them to
// every worker on each change. The source is injected (the engine never reads the wall clock);
// in the browser it is `performance.timeOrigin + performance.now()`, which is absolute, so it
// agrees across workers whose `performance.now()` origins differ.

import { sleepOn, type LabClock } from './clock.ts';

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

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
}

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
  private timers: Timer[] = [];
  private seq = 0;
  private cancelWake: (() => void) | null = null;
  /** Never let lab time step backwards, even if new params would say so. */
  private lastNow = -Infinity;

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

  setTimer(ms: number, fn: () => void): () => void {
    const timer: Timer = { at: this.now() + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    this.rearm();
    return () => {
      const i = this.timers.indexOf(timer);
      if (i >= 0) {
        this.timers.splice(i, 1);
        this.rearm();
      }
    };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn((t, fn) => this.setTimer(t, fn), ms, signal);
  }

  /** Number of pending timers (for tests and the UI). */
  pending(): number {
    return this.timers.length;
  }

  /** Stops all timers (the host is shutting down). */
  dispose(): void {
    this.timers = [];
    this.cancelWake?.();
    this.cancelWake = null;
  }

  /** Fires every due timer, earliest first, then arms the real timer for the next one. */
  private wake(): void {
    const now = this.now();
    const due = this.timers.filter((t) => t.at <= now).sort((a, b) => a.at - b.at || a.seq - b.seq);
    this.timers = this.timers.filter((t) => t.at > now);
    for (const t of due) {
      try {
        t.fn();
      } catch {
        // One timer's failure must not stop the others (or the clock).
      }
    }
    this.rearm();
  }

  private rearm(): void {
    this.cancelWake?.();
    this.cancelWake = null;
    if (this.timers.length === 0 || this.params.speed === 0) return;
    let next = Infinity;
    for (const t of this.timers) next = Math.min(next, t.at);
    const realMs = Math.max(0, (next - this.now()) / this.params.speed);
    // Browsers clamp long timeouts to 2^31-1 ms; wake early and re-check.
    this.cancelWake = this.schedule(() => this.wake(), Math.min(realMs, 2 ** 31 - 1));
  }
}
