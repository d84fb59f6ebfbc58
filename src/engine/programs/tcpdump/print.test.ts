import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readPcap } from '../../packet/pcap.ts';
import { formatTimestamp, printPacket, type PrintOptions } from './print.ts';

const GOLDEN = new URL('../../../../tests/golden/linux/', import.meta.url);
// any-*.pcap are cooked (-i any) captures, tested on their own below.
const pcaps = readdirSync(GOLDEN).filter((f) => f.endsWith('.pcap') && !f.startsWith('any-'));

function render(name: string, opts: PrintOptions): string {
  const file = readPcap(new Uint8Array(readFileSync(new URL(name, GOLDEN))));
  return file.records
    .map(
      (r) => `${formatTimestamp(r.time)} ${printPacket(r.data, r.origLen, file.linktype, opts)}\n`,
    )
    .join('');
}

const VARIANTS: [prefix: string, opts: PrintOptions][] = [
  ['tcpdump-', { verbose: 0, linkHeader: false, numeric: true }],
  ['tcpdump-v-', { verbose: 1, linkHeader: false, numeric: true }],
  ['tcpdump-vv-', { verbose: 2, linkHeader: true, numeric: true }],
  ['tcpdump-e-', { verbose: 0, linkHeader: true, numeric: true }],
  ['tcpdump-vvnoe-', { verbose: 2, linkHeader: false, numeric: true }],
  ['tcpdump-names-ev-', { verbose: 1, linkHeader: true, numeric: false }],
];

describe('tcpdump printer against the golden captures', () => {
  it('has golden captures to compare', () => {
    expect(pcaps.length).toBeGreaterThanOrEqual(8);
  });
  for (const pcap of pcaps) {
    for (const [prefix, opts] of VARIANTS) {
      const txt = `${prefix}${pcap.replace(/\.pcap$/, '.txt')}`;
      it(`${txt} byte for byte`, () => {
        const want = readFileSync(new URL(txt, GOLDEN), 'utf8');
        expect(render(pcap, opts)).toBe(want);
      });
    }
  }
});

describe('tcpdump -i any (cooked v2) against a live capture', () => {
  const names = new Map([[2, 'eth0']]);
  const base = { numeric: true, ifname: (i: number) => names.get(i) };
  it('-n', () => {
    expect(render('any-eth0.pcap', { ...base, verbose: 0, linkHeader: false })).toBe(
      readFileSync(new URL('tcpdump-any-eth0.txt', GOLDEN), 'utf8'),
    );
  });
  it('-n -e -vv', () => {
    expect(render('any-eth0.pcap', { ...base, verbose: 2, linkHeader: true })).toBe(
      readFileSync(new URL('tcpdump-any-vv-eth0.txt', GOLDEN), 'utf8'),
    );
  });
  it("prints '?' for an unknown interface", () => {
    const file = readPcap(new Uint8Array(readFileSync(new URL('any-eth0.pcap', GOLDEN))));
    const text = printPacket(file.records[0]!.data, file.records[0]!.origLen, file.linktype, {
      verbose: 0,
      linkHeader: false,
      numeric: true,
    });
    expect(text).toBe('?     Out ARP, Request who-has 10.9.1.2 tell 10.9.1.1, length 28');
  });
});

describe('formatTimestamp', () => {
  it('prints UTC time of day with microseconds', () => {
    expect(formatTimestamp(Date.UTC(2026, 0, 1, 7, 32, 9) + 715.119)).toBe('07:32:09.715119');
    expect(formatTimestamp(Date.UTC(2026, 0, 1, 23, 59, 59) + 999.9999)).toBe('00:00:00.000000');
  });
});

describe('printPacket on arbitrary bytes', () => {
  it('never throws, whatever the frame', async () => {
    const fc = (await import('fast-check')).default;
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 160 }),
        fc.constantFrom(1, 101),
        fc.integer({ min: 0, max: 3 }),
        fc.boolean(),
        (b, linktype, verbose, linkHeader) => {
          expect(
            typeof printPacket(b, b.length, linktype, { verbose, linkHeader, numeric: true }),
          ).toBe('string');
        },
      ),
      { numRuns: 3000 },
    );
  });
  it('never throws on mutated golden frames', async () => {
    const fc = (await import('fast-check')).default;
    const frames = pcaps.flatMap((name) => {
      const file = readPcap(new Uint8Array(readFileSync(new URL(name, GOLDEN))));
      return file.records.map((r) => ({ data: r.data, linktype: file.linktype }));
    });
    fc.assert(
      fc.property(
        fc.constantFrom(...frames),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        fc.nat(),
        (frame, edits, cut) => {
          const b = frame.data.slice(0, frame.data.length - (cut % 40));
          for (const [at, v] of edits) b[at % Math.max(1, b.length)] = v;
          expect(
            typeof printPacket(b, frame.data.length, frame.linktype, {
              verbose: 2,
              linkHeader: true,
              numeric: true,
            }),
          ).toBe('string');
        },
      ),
      { numRuns: 3000 },
    );
  });
});
