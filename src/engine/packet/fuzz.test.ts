// Property: parsing arbitrary bytes throws nothing but PacketError, for every format.

import fc from 'fast-check';
import { describe, it } from 'vitest';
import { ArpPacket, ArpRepr } from './arp.ts';
import { PacketError } from './errors.ts';
import { EthernetFrame, EthernetRepr } from './ethernet.ts';
import { IcmpPacket, IcmpRepr } from './icmp.ts';
import { IgmpPacket, IgmpRepr } from './igmp.ts';
import { Ipv4Packet, Ipv4Repr } from './ipv4.ts';
import { readPcap } from './pcap.ts';
import { UdpPacket, UdpRepr } from './udp.ts';
import { VxlanPacket, VxlanRepr } from './vxlan.ts';

const PARSERS: [string, (b: Uint8Array) => unknown][] = [
  ['ethernet', (b) => EthernetRepr.parse(EthernetFrame.checked(b))],
  ['arp', (b) => ArpRepr.parse(ArpPacket.checked(b))],
  ['ipv4', (b) => Ipv4Repr.parse(Ipv4Packet.checked(b))],
  ['icmp', (b) => IcmpRepr.parse(IcmpPacket.checked(b))],
  ['udp', (b) => UdpRepr.parse(UdpPacket.checked(b))],
  ['vxlan', (b) => VxlanRepr.parse(VxlanPacket.checked(b))],
  ['igmp', (b) => IgmpRepr.parse(IgmpPacket.checked(b))],
  ['pcap', (b) => readPcap(b)],
];

function onlyPacketErrors(parse: (b: Uint8Array) => unknown, b: Uint8Array): void {
  try {
    parse(b);
  } catch (err) {
    if (!(err instanceof PacketError)) throw err;
  }
}

describe('parsers on random bytes', () => {
  for (const [name, parse] of PARSERS) {
    it(`${name} throws only PacketError`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 120 }), (b) => onlyPacketErrors(parse, b)),
        { numRuns: 2000 },
      );
    });
  }
  it('ipv4 with a plausible first byte throws only PacketError', () => {
    const arb = fc
      .tuple(fc.integer({ min: 0x40, max: 0x4f }), fc.uint8Array({ minLength: 19, maxLength: 80 }))
      .map(([first, rest]) => Uint8Array.of(first, ...rest));
    fc.assert(
      fc.property(arb, (b) => onlyPacketErrors(PARSERS[2]![1], b)),
      { numRuns: 2000 },
    );
  });
});
