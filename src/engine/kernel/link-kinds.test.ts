import { describe, expect, it } from 'vitest';
import * as A from './assembly/abi.ts';
import { LINK_KINDS, linkKind } from './link-kinds.ts';

describe('LINK_KINDS', () => {
  it("names every kind at the kernel's KIND_* number, and no other", () => {
    for (const [name, facts] of Object.entries(LINK_KINDS))
      expect([name, A.KIND_NAMES[facts.abi]]).toEqual([name, name]);
    expect([...A.KIND_NAMES].sort()).toEqual(Object.keys(LINK_KINDS).sort());
  });

  it("agrees with the AssemblyScript's KIND_* constants (KIND_VETH is 'veth')", () => {
    const numbers = Object.entries(A).filter(
      ([k, v]) => k.startsWith('KIND_') && typeof v === 'number',
    );
    expect(numbers).toHaveLength(A.KIND_NAMES.length);
    for (const [constant, n] of numbers)
      expect([constant, A.KIND_NAMES[n as number]]).toEqual([
        constant,
        constant.slice(5).toLowerCase(),
      ]);
  });

  it('finds a kind by name, and nothing for other names', () => {
    expect(linkKind('vxlan')).toBe('vxlan');
    expect(linkKind('macvlan')).toBeUndefined();
    expect(linkKind('toString')).toBeUndefined();
  });
});
