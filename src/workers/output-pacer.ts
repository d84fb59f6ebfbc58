// A program's terminal output, paced to the page: each Comlink call is a message to the page
// and a reply back, so a flood ping's dot per probe would be 65,536 of each and freeze both.
// Text written while a call is in flight is merged (adjacent pieces of one stream joined) and
// goes as the next call once the page has taken the last, so the page gets as many calls as
// it can handle and the worker's queue holds at most one reply. A program that asks
// (`ready`: `yes`, `cat`) waits while more than HIGH_WATER characters wait to be sent, so a
// flood of output neither piles up in the worker nor freezes the page.

import type { OutputStream } from './host-api.ts';

/** Characters that may wait for the page before a writer that asks waits too. */
export const HIGH_WATER = 64 * 1024;

export class OutputPacer {
  private pending: Array<[OutputStream, string]> = [];
  private pendingChars = 0;
  private inFlight: Promise<void> | null = null;
  /** The call the page has not answered yet. */
  private sending: Promise<unknown> | null = null;

  /** `send` hands one batch of pieces, in order, to the page. */
  constructor(private readonly send: (pieces: Array<[OutputStream, string]>) => Promise<unknown>) {}

  write(stream: OutputStream, text: string): void {
    const last = this.pending[this.pending.length - 1];
    if (last && last[0] === stream) last[1] += text;
    else this.pending.push([stream, text]);
    this.pendingChars += text.length;
    if (!this.inFlight) this.inFlight = this.pump();
  }

  /** Resolves once no more than HIGH_WATER characters wait to be sent. */
  async ready(): Promise<void> {
    while (this.pendingChars > HIGH_WATER && this.sending) await this.sending;
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
        this.pendingChars = 0;
        this.sending = this.send(pieces);
        await this.sending;
      }
    } finally {
      this.sending = null;
      this.inFlight = null;
    }
  }
}
