import { describe, expect, it } from 'vitest';
import { humanBytes } from './format.ts';

describe('humanBytes (go-humanize.Bytes)', () => {
  it('rounds as Go prints %.0f: an exact half to even', () => {
    // A fresh etcd 3.4.23's db is 20480 bytes: its etcdctl prints "20 kB".
    expect(humanBytes(20480)).toBe('20 kB');
    expect(humanBytes(21504)).toBe('22 kB'); // 21.5
    expect(humanBytes(24576)).toBe('25 kB');
    expect(humanBytes(4096)).toBe('4.1 kB');
    expect(humanBytes(8)).toBe('8 B');
  });
});
