// A program's terminal output, paced to the page: each Comlink call is a message to the page
// and a reply back, so a flood ping's dot per probe would be 65,536 of each and freeze both.
// Text written while a call is in flight is merged (adjacent pieces of one stream joined) and
// goes as the next call once the page has taken the last, so the page gets as many calls as
// it can handle and the worker's queue holds at most one reply.

import type { OutputStream } from './host-api.ts';

export class OutputPacer {
  private pending: Array<[OutputStream, string]> = [];
  private inFlight: Promise<void> | null = null;

  /** `send` hands one batch of pieces, in order, to the page. */
  constructor(private readonly send: (pieces: Array<[OutputStream, string]>) => Promise<unknown>) {}

  write(stream: OutputStream, text: string): void {
    const last = this.pending[this.pending.length - 1];
    if (last && last[0] === stream) last[1] += text;
    else this.pending.push([stream, text]);
    if (!this.inFlight) this.inFlight = this.pump();
  }

  /** Resolves once everything written so far has reached the page. */
  async drain(): Promise<void> {
    while (this.inFlight) await this.inFlight;
  }

  private async pump(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const pieces = this.pending;
        this.pending = [];
        await this.send(pieces);
      }
    } finally {
      this.inFlight = null;
    }
  }
}
