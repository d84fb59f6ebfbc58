// Giving the host's other work a turn: a busy shell loop or `yes` awaits this now and then so
// the kernel, the wire and Ctrl-C keep running in the same worker. A macrotask, not lab time:
// it never waits on a clock (a ManualClock in a test would never let it go).

export function yieldToHost(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
