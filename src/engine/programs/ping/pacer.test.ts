import { describe, expect, it } from 'vitest';
import { runPing } from './testing/fake-net.ts';
import { MIN_INTERVAL_MS, ProbePacer } from './pacer.ts';
import { acknowledge, advanceTransmitted, inFlight, newStats, recordTrip } from './stats.ts';

describe('ProbePacer', () => {
  it('lets `preload` probes go at once, then one per interval', () => {
    const p = new ProbePacer(1000, 3);
    const sends: number[] = [];
    let now = 0;
    while (now <= 2000) {
      const wait = p.reserve(now, 0);
      if (wait > 0) {
        now += wait;
        continue;
      }
      sends.push(now);
      now += Math.max(0, p.afterSend());
    }
    expect(sends).toEqual([0, 0, 0, 1000, 2000]);
  });

  it('floods while fewer than preload are in flight, else every 10 ms', () => {
    const p = new ProbePacer(0, 2);
    expect(p.reserve(0, 0)).toBe(0);
    expect(p.reserve(0, 1)).toBe(0);
    expect(p.reserve(0, 2)).toBe(MIN_INTERVAL_MS);
    expect(p.reserve(4, 2)).toBe(6);
    expect(p.reserve(10, 2)).toBe(0);
  });

  it('adapts the interval to the smoothed round trip (-A)', () => {
    const p = new ProbePacer(1000, 1);
    p.adapt(0);
    expect(p.interval).toBe(1000);
    p.adapt(8 * 2600);
    expect(p.interval).toBe(3);
  });
});

describe('ping statistics', () => {
  it('keeps the ewma as iputils does (µs x 8, integer steps)', () => {
    const s = newStats();
    for (const trip of [39, 6, 6, 7]) recordTrip(s, trip);
    // 312, then 312 + 6 - 39 = 279, then 279 + 6 - 34 = 251, then 251 + 7 - 31 = 227.
    expect(s.rtt).toBe(227);
  });

  it('tracks probes in flight across the 16-bit sequence wrap', () => {
    const s = newStats();
    for (let i = 0; i < 65540; i++) advanceTransmitted(s);
    acknowledge(s, 65535 & 0xffff);
    expect(inFlight(s)).toBe(5);
    acknowledge(s, 3);
    expect(inFlight(s)).toBe(1);
    expect(s.pipesize).toBe(6);
  });

  it('counts no false duplicates once the sequence numbers wrap', async () => {
    const r = await runPing(['-q', '-f', '-l', '64', '-c', '70000', '10.244.1.3'], {
      rttMs: 0.01,
    });
    expect(r.text).toContain('70000 packets transmitted, 70000 received, 0% packet loss');
    expect(r.text).not.toContain('duplicates');
  });
});
