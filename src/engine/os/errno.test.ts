import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import { Errno, strerror } from './errno.ts';
import { NetlinkError } from '../kernel/types.ts';

describe('errno', () => {
  it("numbers every name as Linux does (Node's os.constants.errno)", () => {
    for (const [name, errno] of Object.entries(Errno))
      expect([name, errno]).toEqual([name, constants.errno[name as keyof typeof constants.errno]]);
  });

  it("has every errno the kernel's AssemblyScript returns, with the same number", () => {
    const source = readFileSync(new URL('../kernel/assembly/errno.ts', import.meta.url), 'utf8');
    const kernel = [...source.matchAll(/^export const (E[A-Z]+) = (\d+);$/gm)];
    expect(kernel.length).toBeGreaterThan(10);
    for (const [, name, n] of kernel)
      expect([name, (Errno as Record<string, number>)[name]]).toEqual([name, Number(n)]);
  });

  it('is the one strerror text for netlink, socket and filesystem failures', () => {
    expect(strerror(Errno.ENODEV)).toBe('No such device');
    expect(strerror('ENOTEMPTY')).toBe('Directory not empty');
    expect(strerror(4095)).toBe('errno 4095');
    expect(strerror(4095, 'unknown')).toBe('unknown');
    expect(new NetlinkError(Errno.ENETUNREACH).message).toBe('Network is unreachable');
  });
});
