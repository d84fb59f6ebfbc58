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
  setTimer(ms: number, fn: () => void): () => void;
}

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
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
  private timers: Timer[] = [];
  private seq = 0;

  /** Starts at 2026-01-01 07:32:09 UTC unless told otherwise. */
  constructor(start = Date.UTC(2026, 0, 1, 7, 32, 9)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimer(ms: number, fn: () => void): () => void {
    const timer: Timer = { at: this.current + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return () => {
      const i = this.timers.indexOf(timer);
      if (i >= 0) this.timers.splice(i, 1);
    };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn((t, fn) => this.setTimer(t, fn), ms, signal);
  }

  /** Time of the earliest pending timer, or Infinity. */
  nextTimer(): number {
    let next = Infinity;
    for (const t of this.timers) next = Math.min(next, t.at);
    return next;
  }

  /** Moves time forward by `ms`, firing every timer due on the way, in order. */
  async advance(ms: number): Promise<void> {
    const end = this.current + ms;
    await settle();
    for (;;) {
      const due = this.popDue(end);
      if (!due) break;
      this.current = Math.max(this.current, due.at);
      due.fn();
      await settle();
    }
    this.current = end;
    await settle();
  }

  private popDue(end: number): Timer | undefined {
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
}
