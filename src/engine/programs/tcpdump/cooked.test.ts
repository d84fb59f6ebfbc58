import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CaptureMeta } from '../../kernel/types.ts';
import { readPcap } from '../../packet/pcap.ts';
import { PacketType, Sll2Packet } from '../../packet/sll2.ts';
import { cookFrame } from './cooked.ts';

const GOLDEN = new URL('../../../../tests/golden/linux/', import.meta.url);
const OWN_MAC = '6a:cf:e6:81:a6:25';
const PEER_MAC = '3a:b5:6b:3c:84:cb';
const mac = (s: string) => s.split(':').map((h) => parseInt(h, 16));

describe('cookFrame', () => {
  // Each record of the live -i any capture, turned back into the Ethernet frame the kernel saw,
  // must cook to the very bytes Linux recorded.
  const file = readPcap(new Uint8Array(readFileSync(new URL('any-eth0.pcap', GOLDEN))));
  file.records.forEach((record, i) => {
    it(`reproduces record ${i + 1} of any-eth0.pcap`, () => {
      const sll = Sll2Packet.checked(record.data);
      const out = sll.pkttype === PacketType.OUTGOING;
      // Outgoing frames are 'Out' whatever their destination; incoming ones here are unicast to us.
      const dst = out ? PEER_MAC : OWN_MAC;
      const frame = Uint8Array.from([
        ...mac(dst),
        ...mac(sll.srcMac!),
        sll.protocol >> 8,
        sll.protocol & 0xff,
        ...sll.payload,
      ]);
      const meta: CaptureMeta = {
        ifindex: 2,
        ifname: 'eth0',
        direction: out ? 'out' : 'in',
        linktype: 1,
        time: record.time,
      };
      expect(cookFrame(frame, meta, OWN_MAC)).toEqual(record.data);
    });
  });

  it('marks broadcast, multicast and other-host frames', () => {
    const frame = (dst: string) =>
      Uint8Array.from([...mac(dst), ...mac(PEER_MAC), 0x08, 0x06, ...new Array(28).fill(0)]);
    const meta: CaptureMeta = { ifindex: 3, ifname: 'cni0', direction: 'in', linktype: 1, time: 0 };
    const type = (dst: string) => Sll2Packet.checked(cookFrame(frame(dst), meta, OWN_MAC)!).pkttype;
    expect(type('ff:ff:ff:ff:ff:ff')).toBe(PacketType.BROADCAST);
    expect(type('01:00:5e:00:00:16')).toBe(PacketType.MULTICAST);
    expect(type('02:00:00:00:00:09')).toBe(PacketType.OTHERHOST);
    expect(type(OWN_MAC)).toBe(PacketType.HOST);
  });

  it('cooks a TUN packet with no link address', () => {
    const ip = Uint8Array.of(0x45, 0, 0, 20, ...new Array(16).fill(0));
    const meta: CaptureMeta = {
      ifindex: 5,
      ifname: 'flannel0',
      direction: 'out',
      linktype: 101,
      time: 0,
    };
    const sll = Sll2Packet.checked(cookFrame(ip, meta, null)!);
    expect(sll.protocol).toBe(0x0800);
    expect(sll.hatype).toBe(0xfffe);
    expect(sll.srcMac).toBeNull();
    expect(sll.payload).toEqual(ip);
    expect(cookFrame(new Uint8Array(0), meta, null)).toBeNull();
  });
});
