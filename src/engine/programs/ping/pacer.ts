// When ping may send its next probe: iputils' token bucket (pinger's "packets < rate*time +
// preload"). `preload` probes may go at once; after that one per `interval` ms. With interval 0
// (flood) a probe goes whenever fewer than `preload` are in flight, so replies pace the sender;
// if none come back it still sends one every MIN_INTERVAL_MS.

/** iputils' MININTERVAL: an unanswered flood still sends every 10 ms (100 per second). */
export const MIN_INTERVAL_MS = 10;

export class ProbePacer {
  /** When the last probe took its token (iputils' cur_time); the summary's `time` ends here. */
  lastSlot: number | undefined;
  private tokens = 0;

  constructor(
    /** Milliseconds between probes; -A changes it as replies come in. */
    public interval: number,
    readonly preload: number,
  ) {}

  /**
   * Asks to send one probe at `now`. Returns how many ms to wait first; 0 or less means "send
   * now", and the probe's token is taken.
   */
  reserve(now: number, inFlight: number): number {
    if (this.lastSlot === undefined) {
      this.lastSlot = now;
      this.tokens = this.interval * (this.preload - 1);
      return 0;
    }
    // Whole milliseconds, as iputils counts them; the epsilon absorbs float noise in lab time.
    let elapsed = Math.floor(now - this.lastSlot + 1e-6);
    if (!this.interval && elapsed < MIN_INTERVAL_MS && inFlight >= this.preload)
      return MIN_INTERVAL_MS - elapsed;
    elapsed = Math.min(elapsed + this.tokens, this.interval * this.preload);
    if (elapsed < this.interval) return this.interval - elapsed;
    this.lastSlot = now;
    this.tokens = elapsed - this.interval;
    return 0;
  }

  /** The wait after a probe went out (zero or negative: the next may go at once). */
  afterSend(): number {
    return this.interval - this.tokens;
  }

  /** The wait after a hard local error (the probe counts as sent): back off to 10 ms or more. */
  afterError(): number {
    this.tokens = 0;
    return Math.max(this.interval, MIN_INTERVAL_MS);
  }

  /** -A: the interval follows the smoothed round trip (rtt8 is µs times 8; 0 before any reply). */
  adapt(rtt8: number): void {
    const estimateUs = rtt8 ? Math.trunc(rtt8 / 8) : this.interval * 1000;
    this.interval = Math.trunc((estimateUs + 500) / 1000);
  }
}
