// What a line writes, on its way to the page's terminal: one Comlink message per write. The
// page answers a write at once, or once xterm.js has drawn it when its own backlog is past a
// watermark. So the writes waiting for an answer say how far the screen is behind: past
// MAX_IN_FLIGHT a program that asks (`stdoutReady`: `yes`, `cat`) waits, and a flood of output
// neither piles up in the worker nor freezes the page.

/** Writes that may wait for the page's answer before a writer that asks waits too. */
export const MAX_IN_FLIGHT = 8;

export class TerminalOutput {
  private inFlight = 0;
  private last: Promise<unknown> = Promise.resolve();
  private waiting: (() => void)[] = [];

  /** Sends one write (or file): `send` returns what settles once the page has taken it. */
  send(send: () => unknown): void {
    this.inFlight++;
    const done = Promise.resolve(send()).then(
      () => this.settled(),
      () => this.settled(),
    );
    this.last = done;
  }

  /** Resolves once the page is no more than MAX_IN_FLIGHT writes behind. */
  ready(): Promise<void> {
    if (this.inFlight <= MAX_IN_FLIGHT) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Resolves once the page has taken every write sent so far (they are answered in order). */
  drained(): Promise<unknown> {
    return this.last;
  }

  private settled(): void {
    this.inFlight--;
    if (this.inFlight > MAX_IN_FLIGHT) return;
    const waiting = this.waiting;
    this.waiting = [];
    for (const wake of waiting) wake();
  }
}
