// Fast-forwarding a lab whose hosts and etcd live in separate workers, each with its own clock.
//
// Jumping every clock to the target at once fires each worker's due timers without the others:
// the KV worker expires a node's lease (24 h after it was granted) before the host worker's
// flanneld gets to renew it (23 h). So the lab's clocks are paused and stepped together: all
// move to the earliest deadline any worker has (or the target), fire what is due, and the lab
// waits until the work those timers started (a renewal's round trip to etcd, the watch events
// it causes) has landed everywhere before the next step. Timers whose work stays in their
// worker (TimerOptions.local) fire inside a step and do not make steps of their own.

/** How busy a worker is right now, for deciding that a step's work has landed. */
export interface QuietReport {
  /** A timer is due, or a call to etcd waits for its answer. */
  busy: boolean;
  /** A count of what the worker received from other workers (KV calls, events, frames). */
  activity: number;
}

/** What each worker offers a fast-forward (its clock already paused by the page). */
export interface SteppedWorker {
  /** Lab time of the worker's earliest non-local timer, or Infinity. */
  clockDeadline(): number | Promise<number>;
  /** Fires every timer due by lab time `t`, in order, and stops the clock at `t`. */
  clockStepTo(t: number): void | Promise<void>;
  clockQuiet(): QuietReport | Promise<QuietReport>;
}

export interface FastForwardResult {
  /** Clock steps taken (each one a deadline of some worker, or the target). */
  steps: number;
}

/** Real milliseconds to yield between two looks at a busy lab (messages need a task to land). */
const SETTLE_POLL_MS = 0;

/**
 * Steps every worker's (paused) clock to lab time `target`, deadline by deadline. `onStep`
 * hears each step's lab time (the header's clock follows the fast-forward).
 */
export async function fastForward(
  workers: () => SteppedWorker[],
  target: number,
  onStep?: (t: number) => void,
): Promise<FastForwardResult> {
  let steps = 0;
  for (;;) {
    const all = workers();
    const deadlines = await Promise.all(all.map((w) => w.clockDeadline()));
    const t = Math.min(target, ...deadlines);
    await Promise.all(all.map((w) => w.clockStepTo(t)));
    steps++;
    onStep?.(t);
    await settle(workers);
    if (t >= target) return { steps };
  }
}

/**
 * Waits until no worker is busy and nothing arrived anywhere between two looks: the timers of
 * the last step, and whatever their messages set off, have finished.
 */
async function settle(workers: () => SteppedWorker[]): Promise<void> {
  let previous = -1;
  for (;;) {
    const reports = await Promise.all(workers().map((w) => w.clockQuiet()));
    const activity = reports.reduce((n, r) => n + r.activity, 0);
    if (!reports.some((r) => r.busy) && activity === previous) return;
    previous = activity;
    await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
  }
}
