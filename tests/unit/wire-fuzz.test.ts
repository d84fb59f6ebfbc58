// Issue 16's fuzz, bounded for CI: 60,000 hostile frames and 20,000 garbage wire messages at
// the seeds' vxlan lab; nothing escapes, no buffer leaks, and the pods still ping. The
// million-frame run is `npm run bench` (bench/fuzz.ts).
import { describe, expect, it } from 'vitest';
import { runWireFuzz } from './wire-fuzz.ts';

describe('the lab under a hostile stranger on its switch', () => {
  it('survives mutated frames and garbage wire messages, and the pods still ping', async () => {
    const r = await runWireFuzz(60_000, 20_000);
    expect(r.uncaught).toEqual([]);
    expect(r.leakedBuffers).toBe(0);
    expect(r.rxMalformed).toBeGreaterThan(10_000);
    expect(r.podsPing).toBe(true);
  }, 60_000);
});
