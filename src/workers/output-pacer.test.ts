import { describe, expect, it } from 'vitest';
import { HIGH_WATER, OutputPacer } from './output-pacer.ts';
import type { OutputStream } from './host-api.ts';

describe('OutputPacer', () => {
  it('keeps one call in flight and merges what is written meanwhile, in order', async () => {
    const calls: Array<Array<[OutputStream, string]>> = [];
    let inFlight = 0;
    let most = 0;
    const pacer = new OutputPacer(async (pieces) => {
      calls.push(pieces.map(([s, t]) => [s, t]));
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 1));
      inFlight--;
    });
    // A flood ping: a dot per probe, 65,536 of them, with an error in between.
    for (let i = 0; i < 65536; i++) {
      pacer.write('stdout', '.');
      if (i === 40000) pacer.write('stderr', 'E');
    }
    await pacer.drain();
    expect(most).toBe(1);
    expect(calls.length).toBeLessThanOrEqual(3);
    const text = calls
      .flat()
      .map(([s, t]) => (s === 'stderr' ? `[${t}]` : t))
      .join('');
    expect(text).toBe('.'.repeat(40001) + '[E]' + '.'.repeat(65536 - 40001));
  });
});

describe('OutputPacer.ready', () => {
  it('holds a writer that asks while more than HIGH_WATER characters wait, and lets it go once sent', async () => {
    let release!: () => void;
    const pacer = new OutputPacer(() => new Promise<void>((r) => (release = r)));
    pacer.write('stdout', 'x'); // the first call goes out and waits for the page
    await expect(pacer.ready()).resolves.toBeUndefined(); // nothing waits behind it
    pacer.write('stdout', 'y'.repeat(HIGH_WATER + 1));
    let ready = false;
    void pacer.ready().then(() => (ready = true));
    await new Promise((r) => setTimeout(r, 5));
    expect(ready).toBe(false);
    release(); // the page took the first call: the big one is sent, nothing waits
    await new Promise((r) => setTimeout(r, 5));
    expect(ready).toBe(true);
    release();
    await pacer.drain();
  });
});
