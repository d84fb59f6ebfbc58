// The lab clock. The engine never reads the wall clock: every module is handed a LabClock.
//
// `ManualClock` is driven by tests and by the browser's scheduler: `advance(ms)` moves time
// forward, firing due timers in order and letting the promise jobs they start run before the
// next timer, so `await clock.sleep(1000)` inside a program behaves as in real time.

export interface LabClock {
  /** Lab time in milliseconds since the Unix epoch (fractional allowed; tcpdump prints it). */
  now(): number;
  /** Resolves after `ms` of lab time; rejects with an AbortError when `signal` fires first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Calls `fn` after `ms` of lab time; returns a cancel function. */
  setTimer(ms: number, fn: () => void, opts?: TimerOptions): () => void;
}

export interface TimerOptions {
  /**
   * The timer's work stays in its own worker: it sends nothing to another host or to etcd
   * (flanneld's iptables check every 5 s). A fast-forward of the lab does not stop all the
   * lab's workers at it, so 7 days are a few dozen steps, not one per check. A function is
   * asked each time a fast-forward looks for its next step (a lease's expiry is local while
   * nobody watches its keys).
   */
  local?: boolean | (() => boolean);
}

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
  local: boolean | (() => boolean);
}

/** Timers ordered by due time, then by creation (both clocks keep theirs here). */
export class TimerQueue {
  private timers: Timer[] = [];
  private seq = 0;

  add(at: number, fn: () => void, local: TimerOptions['local'] = false): () => void {
    const timer: Timer = { at, seq: this.seq++, fn, local };
    this.timers.push(timer);
    return () => {
      const i = this.timers.indexOf(timer);
      if (i >= 0) this.timers.splice(i, 1);
    };
  }

  get size(): number {
    return this.timers.length;
  }

  /** Due time of the earliest timer (of the earliest non-local one with `skipLocal`), or Infinity. */
  next(skipLocal = false): number {
    let next = Infinity;
    for (const t of this.timers) {
      if (t.at >= next) continue;
      if (skipLocal && (typeof t.local === 'function' ? t.local() : t.local)) continue;
      next = t.at;
    }
    return next;
  }

  /** Removes and returns the earliest timer due by `end`. */
  popDue(end: number): Timer | undefined {
    let best = -1;
    for (let i = 0; i < this.timers.length; i++) {
      const t = this.timers[i];
      if (t.at > end) continue;
      if (
        best < 0 ||
        t.at < this.timers[best].at ||
        (t.at === this.timers[best].at && t.seq < this.timers[best].seq)
      )
        best = i;
    }
    return best < 0 ? undefined : this.timers.splice(best, 1)[0];
  }

  clear(): void {
    this.timers = [];
  }
}

/**
 * Fires every timer of `queue` due by `end`, earliest first, moving time (`setNow`) to each
 * one's due time and letting the promise jobs it starts run before the next one.
 */
export async function runTimersUntil(
  queue: TimerQueue,
  end: number,
  setNow: (t: number) => void,
): Promise<void> {
  await settle();
  for (;;) {
    const due = queue.popDue(end);
    if (!due) break;
    setNow(due.at);
    due.fn();
    await settle();
  }
  setNow(end);
  await settle();
}

export function abortError(): Error {
  const err = new Error('The operation was aborted');
  err.name = 'AbortError';
  return err;
}

/** `LabClock.sleep` on top of its `setTimer`: resolves after `ms`, rejects when `signal` aborts. */
export function sleepOn(
  setTimer: (ms: number, fn: () => void) => () => void,
  ms: number,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    const cancel = setTimer(ms, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    const onAbort = () => {
      cancel();
      reject(abortError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Lets queued promise jobs run (several rounds, since each await adds one). */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}

export class ManualClock implements LabClock {
  private current: number;
  private readonly timers = new TimerQueue();

  /** Starts at 2026-01-01 07:32:09 UTC unless told otherwise. */
  constructor(start = Date.UTC(2026, 0, 1, 7, 32, 9)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimer(ms: number, fn: () => void, opts?: TimerOptions): () => void {
    return this.timers.add(this.current + Math.max(0, ms), fn, opts?.local);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn((t, fn) => this.setTimer(t, fn), ms, signal);
  }

  /** Time of the earliest pending timer, or Infinity. */
  nextTimer(): number {
    return this.timers.next();
  }

  /** Moves time forward by `ms`, firing every timer due on the way, in order. */
  advance(ms: number): Promise<void> {
    return runTimersUntil(this.timers, this.current + ms, (t) => {
      this.current = Math.max(this.current, t);
    });
  }
}

/** A view of `clock` whose timers can all be cancelled at once (a store given up half-restored). */
export function scopedClock(clock: LabClock): LabClock & { dispose(): void } {
  const cancels = new Set<() => void>();
  const setTimer = (ms: number, fn: () => void, opts?: TimerOptions) => {
    const cancel = clock.setTimer(
      ms,
      () => {
        cancels.delete(cancel);
        fn();
      },
      opts,
    );
    cancels.add(cancel);
    return () => {
      cancels.delete(cancel);
      cancel();
    };
  };
  return {
    now: () => clock.now(),
    setTimer,
    sleep: (ms, signal) => sleepOn(setTimer, ms, signal),
    dispose() {
      for (const cancel of cancels) cancel();
      cancels.clear();
    },
  };
}
