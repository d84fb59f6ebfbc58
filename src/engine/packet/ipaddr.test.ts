// IPv4 text forms, as the real tools accept them. Recorded on Debian 12 (glibc 2.36, iproute2
// 6.1, iputils 20221126) with `ip route get X` and `getent ahostsv4 X` / `ping -c1 X`; libpcap
// and the lab's own formats read four decimal parts.

import { describe, expect, it } from 'vitest';
import { formatIpv4, parseIpv4, type Ipv4Syntax } from './ipaddr.ts';

/** text -> what each syntax makes of it (null: rejected). */
const CASES: [string, Record<Ipv4Syntax, string | null>][] = [
  [
    '10.244.1.2',
    {
      dotted: '10.244.1.2',
      inet_pton: '10.244.1.2',
      iproute2: '10.244.1.2',
      inet_aton: '10.244.1.2',
    },
  ],
  ['010.0.0.1', { dotted: '10.0.0.1', inet_pton: null, iproute2: '8.0.0.1', inet_aton: '8.0.0.1' }],
  ['0127.0.0.1', { dotted: null, inet_pton: null, iproute2: '87.0.0.1', inet_aton: '87.0.0.1' }],
  [
    '127.0.0.01',
    { dotted: '127.0.0.1', inet_pton: null, iproute2: '127.0.0.1', inet_aton: '127.0.0.1' },
  ],
  ['0x7f.0.0.1', { dotted: null, inet_pton: null, iproute2: '127.0.0.1', inet_aton: '127.0.0.1' }],
  ['127.1', { dotted: null, inet_pton: null, iproute2: '127.1.0.0', inet_aton: '127.0.0.1' }],
  ['10', { dotted: null, inet_pton: null, iproute2: '10.0.0.0', inet_aton: '0.0.0.10' }],
  ['2130706433', { dotted: null, inet_pton: null, iproute2: null, inet_aton: '127.0.0.1' }],
  ['1.2.65535', { dotted: null, inet_pton: null, iproute2: null, inet_aton: '1.2.255.255' }],
  [' 1.2.3.4', { dotted: null, inet_pton: null, iproute2: '1.2.3.4', inet_aton: null }],
  ['+1.2.3.4', { dotted: null, inet_pton: null, iproute2: '1.2.3.4', inet_aton: null }],
  ['-1.0.0.0', { dotted: null, inet_pton: null, iproute2: null, inet_aton: null }],
  ['09.0.0.1', { dotted: '9.0.0.1', inet_pton: null, iproute2: null, inet_aton: null }],
  ['256.0.0.1', { dotted: null, inet_pton: null, iproute2: null, inet_aton: null }],
  ['1.2.3.4.5', { dotted: null, inet_pton: null, iproute2: null, inet_aton: null }],
  ['1..2.3', { dotted: null, inet_pton: null, iproute2: null, inet_aton: null }],
  ['1.2.3.', { dotted: null, inet_pton: null, iproute2: null, inet_aton: null }],
  ['127.0.0.1x', { dotted: null, inet_pton: null, iproute2: null, inet_aton: null }],
  ['0x0a000001', { dotted: null, inet_pton: null, iproute2: null, inet_aton: '10.0.0.1' }],
  ['', { dotted: null, inet_pton: null, iproute2: null, inet_aton: null }],
];

describe('parseIpv4', () => {
  for (const [text, expected] of CASES) {
    for (const [syntax, want] of Object.entries(expected) as [Ipv4Syntax, string | null][]) {
      it(`${syntax}: '${text}' -> ${want}`, () => {
        const got = parseIpv4(text, syntax);
        expect(got === null ? null : formatIpv4(got)).toBe(want);
      });
    }
  }
});
