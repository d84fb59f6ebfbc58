import { describe, expect, it } from 'vitest';
import { goDuration, goTime, klogLine } from './klog.ts';

describe('klog format', () => {
  it('prints severity, date, microseconds, a 7-wide pid and file:line', () => {
    const t = Date.UTC(2026, 10, 23, 8, 10, 0) + 123.456;
    expect(klogLine('I', t, 1234, 'main.go:211', 'hello')).toBe(
      'I1123 08:10:00.123456    1234 main.go:211] hello',
    );
    expect(klogLine('E', t, 7, 'x.go:1', 'm')).toBe('E1123 08:10:00.123456       7 x.go:1] m');
  });

  it('prints durations and times the way Go does', () => {
    expect(goDuration(23 * 3600_000 - 100)).toBe('22h59m59.9s');
    expect(goDuration(23 * 3600_000)).toBe('23h0m0s');
    expect(goDuration(60_000)).toBe('1m0s');
    expect(goDuration(1500)).toBe('1.5s');
    expect(goDuration(250)).toBe('250ms');
    expect(goTime(Date.UTC(2026, 10, 24, 8, 10, 0) + 10)).toBe('2026-11-24 08:10:00.01 +0000 UTC');
  });
});
