// Every frame of every golden capture: parse with the checked views, rebuild from the Reprs,
// and compare with the captured bytes.

import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ArpPacket, ArpRepr } from './arp.ts';
import { EtherType, EthernetFrame, EthernetRepr, ETHERNET_HEADER_LEN } from './ethernet.ts';
import { IcmpPacket, IcmpRepr } from './icmp.ts';
import { IgmpPacket, IgmpRepr } from './igmp.ts';
import { IpProtocol, Ipv4Packet, Ipv4Repr } from './ipv4.ts';
import { LINKTYPE_RAW, PcapWriter, readPcap } from './pcap.ts';
import { LINKTYPE_LINUX_SLL2, Sll2Packet, Sll2Repr, SLL2_HEADER_LEN } from './sll2.ts';
import { UdpPacket, UdpRepr } from './udp.ts';
import { VxlanPacket, VxlanRepr, VXLAN_LINUX_PORT } from './vxlan.ts';

const GOLDEN = new URL('../../../tests/golden/linux/', import.meta.url);
// crafted-edge.pcap holds deliberately wrong checksums and fragments: printer-only.
const pcaps = readdirSync(GOLDEN).filter((f) => f.endsWith('.pcap') && !f.startsWith('crafted-'));

/** Rebuilds an IPv4 packet from its Reprs; UDP checksums are recomputed (and reported). */
function rebuildIpv4(bytes: Uint8Array, udpChecksums: number[]): Uint8Array {
  const ip = Ipv4Packet.checked(bytes);
  const repr = Ipv4Repr.parse(ip);
  const out = new Uint8Array(Ipv4Repr.bufferLen(repr));
  Ipv4Repr.emit(repr, out);
  const payload = out.subarray(Ipv4Repr.headerLen(repr));
  switch (repr.protocol) {
    case IpProtocol.ICMP: {
      const icmp = IcmpRepr.parse(IcmpPacket.checked(ip.payload));
      IcmpRepr.emit(icmp, payload);
      break;
    }
    case IpProtocol.IGMP:
      IgmpRepr.emit(IgmpRepr.parse(IgmpPacket.checked(ip.payload)), payload);
      break;
    case IpProtocol.UDP: {
      const udp = UdpPacket.checked(ip.payload);
      const urepr = UdpRepr.parse(udp);
      let inner = udp.payload;
      if (urepr.dstPort === VXLAN_LINUX_PORT) {
        const vx = VxlanPacket.checked(inner);
        const rebuilt = new Uint8Array(VxlanRepr.bufferLen(vx.payload.length));
        VxlanRepr.emit(VxlanRepr.parse(vx), rebuilt);
        rebuilt.set(rebuildEthernet(vx.payload, udpChecksums), 8);
        inner = rebuilt;
      }
      payload.set(inner, 8);
      UdpRepr.emit(urepr, payload, ip.src, ip.dst);
      udpChecksums.push(UdpPacket.checked(payload).checksum);
      // The captures were taken before checksum offload filled the field: keep theirs.
      payload.set(ip.payload.subarray(6, 8), 6);
      break;
    }
    default:
      payload.set(ip.payload);
  }
  return out;
}

/** A cooked (-i any) record: SLL2 header, then ARP or IPv4. */
function rebuildCooked(record: Uint8Array, udpChecksums: number[]): Uint8Array {
  const sll = Sll2Packet.checked(record);
  const repr = Sll2Repr.parse(sll);
  const out = new Uint8Array(record.length);
  Sll2Repr.emit(repr, out);
  const body = out.subarray(SLL2_HEADER_LEN);
  if (repr.protocol === EtherType.ARP)
    ArpRepr.emit(ArpRepr.parse(ArpPacket.checked(sll.payload)), body);
  else body.set(rebuildIpv4(sll.payload, udpChecksums));
  return out;
}

function rebuildEthernet(frame: Uint8Array, udpChecksums: number[]): Uint8Array {
  const eth = EthernetFrame.checked(frame);
  const repr = EthernetRepr.parse(eth);
  const out = new Uint8Array(frame.length);
  EthernetRepr.emit(repr, out);
  const body = out.subarray(ETHERNET_HEADER_LEN);
  if (repr.ethertype === EtherType.ARP) {
    ArpRepr.emit(ArpRepr.parse(ArpPacket.checked(eth.payload)), body);
    body.set(eth.payload.subarray(28), 28);
  } else if (repr.ethertype === EtherType.IPV4) {
    const ip = rebuildIpv4(eth.payload, udpChecksums);
    body.set(ip);
    body.set(eth.payload.subarray(ip.length), ip.length);
  } else {
    body.set(eth.payload);
  }
  return out;
}

describe('golden captures parse and re-emit byte for byte', () => {
  for (const name of pcaps) {
    it(name, () => {
      const bytes = new Uint8Array(readFileSync(new URL(name, GOLDEN)));
      const file = readPcap(bytes);
      expect(file.records.length).toBeGreaterThan(0);
      const checksums: number[] = [];
      const writer = new PcapWriter(file.linktype, file.snaplen);
      for (const record of file.records) {
        const rebuilt =
          file.linktype === LINKTYPE_RAW
            ? rebuildIpv4(record.data, checksums)
            : file.linktype === LINKTYPE_LINUX_SLL2
              ? rebuildCooked(record.data, checksums)
              : rebuildEthernet(record.data, checksums);
        expect(rebuilt).toEqual(record.data);
        writer.write(record.time, rebuilt);
      }
      // The pcap writer reproduces the file itself.
      expect(writer.bytes()).toEqual(bytes);
      // The UDP checksums we compute are the ones tcpdump says the packets should carry.
      if (name.startsWith('vxlan-eth0')) expect(new Set(checksums)).toEqual(new Set([0xa312]));
      if (name.startsWith('udp-eth0')) expect(new Set(checksums)).toEqual(new Set([0x8553]));
    });
  }
});
