import { describe, expect, it } from 'vitest';
import { RealtimeClock, withAdvance, withSpeed, type ClockParams } from './realtime-clock.ts';

/** A fake real-time world: a source we move by hand and a scheduler that fires as it moves. */
function fakeWorld(start = 1000) {
  let real = start;
  let tasks: Array<{ at: number; fn: () => void; id: number }> = [];
  let ids = 0;
  return {
    source: () => real,
    schedule: (fn: () => void, ms: number) => {
      const task = { at: real + ms, fn, id: ids++ };
      tasks.push(task);
      return () => {
        tasks = tasks.filter((t) => t !== task);
      };
    },
    /** Moves real time forward, running scheduled tasks when they come due. */
    pass(ms: number) {
      const end = real + ms;
      for (;;) {
        tasks.sort((a, b) => a.at - b.at || a.id - b.id);
        const next = tasks[0];
        if (!next || next.at > end) break;
        tasks.shift();
        real = Math.max(real, next.at);
        next.fn();
      }
      real = end;
    },
    scheduled: () => tasks.length,
  };
}

const LAB_START = Date.UTC(2026, 0, 1, 7, 32, 9);

describe('RealtimeClock', () => {
  it('keeps firing the other timers, and keeps running, when one timer throws', () => {
    const w = fakeWorld();
    const clock = new RealtimeClock(
      { labAtAnchor: LAB_START, sourceAtAnchor: w.source(), speed: 1 },
      w.source,
      w.schedule,
    );
    const fired: string[] = [];
    clock.setTimer(10, () => {
      throw new Error('a program failed');
    });
    clock.setTimer(10, () => fired.push('same time'));
    clock.setTimer(20, () => fired.push('later'));
    w.pass(30);
    expect(fired).toEqual(['same time', 'later']);
  });

  it('runs lab time at the given speed from the anchor', () => {
    const w = fakeWorld();
    const clock = new RealtimeClock(
      { labAtAnchor: LAB_START, sourceAtAnchor: 1000, speed: 10 },
      w.source,
      w.schedule,
    );
    expect(clock.now()).toBe(LAB_START);
    w.pass(500);
    expect(clock.now()).toBe(LAB_START + 5000);
  });

  it('fires timers in lab time, scaled to real time', () => {
    const w = fakeWorld();
    const clock = new RealtimeClock(
      { labAtAnchor: 0, sourceAtAnchor: 1000, speed: 60 },
      w.source,
      w.schedule,
    );
    const fired: number[] = [];
    clock.setTimer(60_000, () => fired.push(clock.now()));
    w.pass(999);
    expect(fired).toEqual([]);
    w.pass(1);
    expect(fired).toEqual([60_000]);
  });

  it('advance fires every timer it jumps over, in deadline order', () => {
    const w = fakeWorld();
    const clock = new RealtimeClock(
      { labAtAnchor: 0, sourceAtAnchor: 1000, speed: 1 },
      w.source,
      w.schedule,
    );
    const fired: string[] = [];
    clock.setTimer(23 * 3600_000, () => fired.push('renew'));
    clock.setTimer(3600_000, () => fired.push('1h'));
    clock.setTimer(25 * 3600_000, () => fired.push('late'));
    clock.advance(24 * 3600_000);
    expect(fired).toEqual(['1h', 'renew']);
    expect(clock.now()).toBe(24 * 3600_000);
    expect(clock.pending()).toBe(1);
    w.pass(3600_000);
    expect(fired).toEqual(['1h', 'renew', 'late']);
  });

  it('keeps lab time continuous across a speed change and reschedules timers', () => {
    const w = fakeWorld();
    const clock = new RealtimeClock(
      { labAtAnchor: 0, sourceAtAnchor: 1000, speed: 1 },
      w.source,
      w.schedule,
    );
    const fired: number[] = [];
    clock.setTimer(10_000, () => fired.push(clock.now()));
    w.pass(4000);
    clock.setSpeed(6);
    expect(clock.now()).toBe(4000);
    w.pass(999);
    expect(fired).toEqual([]);
    w.pass(1);
    expect(fired).toEqual([10_000]);
  });

  it('pauses at speed 0 and never schedules a wake-up', () => {
    const w = fakeWorld();
    const clock = new RealtimeClock(
      { labAtAnchor: 5, sourceAtAnchor: 1000, speed: 0 },
      w.source,
      w.schedule,
    );
    clock.setTimer(1, () => {});
    expect(w.scheduled()).toBe(0);
    w.pass(10_000);
    expect(clock.now()).toBe(5);
  });

  it('rejects sleeps on abort and cancels their timer', async () => {
    const w = fakeWorld();
    const clock = new RealtimeClock(
      { labAtAnchor: 0, sourceAtAnchor: 1000, speed: 1 },
      w.source,
      w.schedule,
    );
    const ctl = new AbortController();
    const p = clock.sleep(1000, ctl.signal);
    ctl.abort();
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    expect(clock.pending()).toBe(0);
  });

  it('two clocks with the same params read the same lab time (two workers)', () => {
    const w = fakeWorld();
    let params: ClockParams = { labAtAnchor: LAB_START, sourceAtAnchor: 1000, speed: 1 };
    const a = new RealtimeClock(params, w.source, w.schedule);
    const b = new RealtimeClock(params, w.source, w.schedule);
    w.pass(1234);
    params = withSpeed(params, 100, w.source());
    params = withAdvance(params, 3600_000, w.source());
    a.setParams(params);
    b.setParams(params);
    w.pass(10);
    expect(a.now()).toBe(b.now());
    expect(a.now()).toBe(LAB_START + 1234 + 3600_000 + 1000);
  });

  it('validates speed and refuses to go backwards', () => {
    const p: ClockParams = { labAtAnchor: 0, sourceAtAnchor: 0, speed: 1 };
    expect(() => withSpeed(p, -1, 0)).toThrow(RangeError);
    expect(() => withSpeed(p, Number.NaN, 0)).toThrow(RangeError);
    expect(() => withSpeed(p, 100_000, 0)).toThrow(RangeError);
    expect(() => withAdvance(p, -5, 0)).toThrow(RangeError);
  });

  it('a throwing timer does not stop the others', () => {
    const w = fakeWorld();
    const clock = new RealtimeClock(
      { labAtAnchor: 0, sourceAtAnchor: 1000, speed: 1 },
      w.source,
      w.schedule,
    );
    const fired: string[] = [];
    clock.setTimer(10, () => {
      throw new Error('boom');
    });
    clock.setTimer(10, () => fired.push('second'));
    w.pass(10);
    expect(fired).toEqual(['second']);
  });

  it('steps while paused: local timers fire on the way but are no deadline', async () => {
    const w = fakeWorld();
    const clock = new RealtimeClock(
      { labAtAnchor: 0, sourceAtAnchor: 1000, speed: 0 },
      w.source,
      w.schedule,
    );
    const fired: string[] = [];
    const check = () => {
      fired.push(`check@${clock.now()}`);
      clock.setTimer(5000, check, { local: true });
    };
    clock.setTimer(5000, check, { local: true });
    clock.setTimer(12_000, () => fired.push(`renew@${clock.now()}`));
    expect(clock.nextDeadline()).toBe(12_000);
    await expect(clock.stepTo(1)).resolves.toBeUndefined();
    w.pass(60_000); // paused: real time does not move it
    expect(clock.now()).toBe(1);
    await clock.stepTo(12_000);
    expect(fired).toEqual(['check@5000', 'check@10000', 'renew@12000']);
    expect(clock.nextDeadline()).toBe(Infinity);
    // A zero-delay timer needs no time to pass, even paused.
    clock.setTimer(0, () => fired.push('now'));
    w.pass(0);
    expect(fired.at(-1)).toBe('now');
    clock.setParams({ labAtAnchor: 12_000, sourceAtAnchor: w.source(), speed: 1 });
    await expect(clock.stepTo(13_000)).rejects.toThrow('paused');
  });
});
