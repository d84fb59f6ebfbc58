// Issue 16's full fuzz run: a million hostile frames and 100,000 garbage wire messages at the
// seeds' vxlan lab (tests/unit/wire-fuzz.ts, bounded there for CI). Reports frames/s and what
// went wrong; never fails on timing.
import { runWireFuzz } from '../tests/unit/wire-fuzz.ts';

export async function benchFuzz(): Promise<Record<string, number | string>> {
  const r = await runWireFuzz(1_000_000, 100_000);
  return {
    frames: r.frames,
    garbageMessages: r.messages,
    framesPerSecond: Math.round(r.frames / (r.ms / 1000)),
    uncaughtErrors: r.uncaught.length,
    leakedBuffers: r.leakedBuffers,
    rxMalformed: r.rxMalformed,
    podsPingAfterwards: r.podsPing ? 'yes' : 'NO',
  };
}
