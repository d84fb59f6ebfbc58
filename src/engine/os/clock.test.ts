import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.ts';

describe('ManualClock', () => {
  it('fires timers in order and lets awaiting code run between them', async () => {
    const clock = new ManualClock(0);
    const seen: string[] = [];
    const run = async () => {
      await clock.sleep(100);
      seen.push(`a@${clock.now()}`);
      await clock.sleep(100);
      seen.push(`b@${clock.now()}`);
    };
    void run();
    clock.setTimer(150, () => seen.push(`t@${clock.now()}`));
    await clock.advance(250);
    expect(seen).toEqual(['a@100', 't@150', 'b@200']);
    expect(clock.now()).toBe(250);
  });

  it('rejects a sleep when its signal aborts', async () => {
    const clock = new ManualClock(0);
    const ctl = new AbortController();
    const p = clock.sleep(1000, ctl.signal);
    ctl.abort();
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    expect(clock.nextTimer()).toBe(Infinity);
  });
});
