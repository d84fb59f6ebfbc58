import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readPcap } from '../../packet/pcap.ts';
import { compileFilter, FilterError } from './filter.ts';
import { formatTimestamp, printPacket } from './print.ts';

const GOLDEN = new URL('../../../../tests/golden/linux/', import.meta.url);

// tcpdump-filters.txt: real `tcpdump -n -r FILE 'EXPR'` output, one "### FILE | EXPR" section each.
const sections = readFileSync(new URL('tcpdump-filters.txt', GOLDEN), 'utf8')
  .split(/^### /m)
  .filter(Boolean)
  .map((block) => {
    const nl = block.indexOf('\n');
    const [file, expr] = block.slice(0, nl).split(' | ') as [string, string];
    return { file, expr, want: block.slice(nl + 1) };
  });

describe('filters select what real tcpdump selects', () => {
  it('has recorded cases', () => expect(sections.length).toBeGreaterThan(100));
  for (const { file, expr, want } of sections) {
    it(`${file}: ${expr}`, () => {
      const pcap = readPcap(new Uint8Array(readFileSync(new URL(file, GOLDEN))));
      const match = compileFilter(expr);
      const got = pcap.records
        .filter((r) => match(r.data, pcap.linktype))
        .map(
          (r) =>
            `${formatTimestamp(r.time)} ${printPacket(r.data, r.origLen, pcap.linktype, { verbose: 0, linkHeader: false, numeric: true })}\n`,
        )
        .join('');
      expect(got).toBe(want);
    });
  }
});

describe('filter errors carry libpcap text', () => {
  const cases: [string, string][] = [
    ['port bogus', "unknown port 'bogus'"],
    ['host 1.2.3.400', "invalid IPv4 address '1.2.3.400'"],
    ['host foo', "unknown host 'foo'"],
    ['port 70000', 'illegal port number 70000 > 65535'],
    ['net 10.0.0.0/33', 'mask length must be <= 32'],
    ['net 10.0.0.1/8', 'non-network bits set in "10.0.0.1/8"'],
    ['src port 53 and', "can't parse filter expression: syntax error"],
    ['not', "can't parse filter expression: syntax error"],
    ['icmp or', "can't parse filter expression: syntax error"],
    ['(udp', "can't parse filter expression: syntax error"],
    ['udp)', "can't parse filter expression: syntax error"],
    ['host', "can't parse filter expression: syntax error"],
  ];
  for (const [expr, message] of cases) {
    it(expr, () => {
      expect(() => compileFilter(expr)).toThrow(FilterError);
      expect(() => compileFilter(expr)).toThrow(message);
    });
  }
  it('an empty expression matches everything', () => {
    expect(compileFilter('')(new Uint8Array(0), 1)).toBe(true);
  });
});

describe('filters never throw on frames', () => {
  it('random frames give a boolean', () => {
    const f = compileFilter('host 10.0.0.1 or port 53 or arp or icmp');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.constantFrom(1, 101), (b, lt) => {
        expect(typeof f(b, lt)).toBe('boolean');
      }),
    );
  });
});
