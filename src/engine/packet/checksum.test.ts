import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checksumShouldBe,
  internetChecksum,
  pseudoHeaderSum,
  updateChecksum,
  verifyChecksum,
} from './checksum.ts';

const hex = (s: string): Uint8Array => Uint8Array.from(s.match(/../g)!, (b) => parseInt(b, 16));

describe('internet checksum', () => {
  it('matches a real IPv4 header (golden ARP-era ping, TTL 64)', () => {
    // 10.244.1.2 -> 10.244.9.9 echo request header from vxlan-cni0.pcap, checksum zeroed.
    const header = hex('45000054169040004001' + '0000' + '0af401020af40909');
    const sum = internetChecksum(header);
    header[10] = sum >> 8;
    header[11] = sum & 0xff;
    expect(verifyChecksum(header)).toBe(true);
  });

  it('handles odd lengths by padding with zero (RFC 1071)', () => {
    expect(internetChecksum(Uint8Array.of(0x01))).toBe(~0x0100 & 0xffff);
    expect(internetChecksum(Uint8Array.of(0x00, 0x01, 0xf2))).toBe(~(0x0001 + 0xf200) & 0xffff);
  });

  it('pseudo-header sum adds addresses, protocol and length', () => {
    expect(pseudoHeaderSum(0x0a000001, 0x0a000002, 17, 8)).toBe(0x0a00 + 1 + 0x0a00 + 2 + 17 + 8);
  });

  it('incremental update equals a full recomputation (RFC 1624)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 20, maxLength: 20 }),
        fc.integer({ min: 0, max: 9 }),
        fc.integer({ min: 0, max: 0xffff }),
        (bytes, word, value) => {
          const data = bytes.slice();
          data[10] = data[11] = 0;
          const before = internetChecksum(data);
          data[10] = before >> 8;
          data[11] = before & 0xff;
          if (word === 5) return; // the checksum field itself
          const old = (data[word * 2]! << 8) | data[word * 2 + 1]!;
          data[word * 2] = value >> 8;
          data[word * 2 + 1] = value & 0xff;
          const updated = updateChecksum(before, old, value);
          data[10] = updated >> 8;
          data[11] = updated & 0xff;
          expect(verifyChecksum(data)).toBe(true);
        },
      ),
    );
  });

  it("computes tcpdump's 'should be' value from a wrong field", () => {
    const data = hex('45000054169040004001' + '0000' + '0af401020af40909');
    const right = internetChecksum(data);
    data[10] = 0x12;
    data[11] = 0x34;
    expect(checksumShouldBe(0x1234, internetChecksum(data))).toBe(right);
  });
});
