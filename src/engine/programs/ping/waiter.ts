// A ping's sleep: `ms` of lab time, cut short by Ctrl-C or by a packet arriving (`wake()`),
// as ping's poll() on its socket returns early.

import type { LabClock } from '../../os/clock.ts';

export class PacketWaiter {
  private woken: (() => void) | null = null;

  constructor(
    private readonly clock: LabClock,
    private readonly signal: AbortSignal,
  ) {}

  /** A packet arrived: the wait in progress (if it is wakeable) ends now. */
  wake(): void {
    this.woken?.();
  }

  wait(ms: number, wakeable = true): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        cancel();
        this.signal.removeEventListener('abort', done);
        this.woken = null;
        resolve();
      };
      const cancel = this.clock.setTimer(ms, done);
      this.woken = wakeable ? done : null;
      this.signal.addEventListener('abort', done, { once: true });
    });
  }
}
