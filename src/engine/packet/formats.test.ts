import { describe, expect, it } from 'vitest';
import { ArpOperation, ArpPacket, ArpRepr } from './arp.ts';
import { PacketError } from './errors.ts';
import { EtherType, EthernetFrame, EthernetRepr } from './ethernet.ts';
import { IcmpPacket, IcmpRepr, IcmpType } from './icmp.ts';
import { IgmpPacket, IgmpRepr } from './igmp.ts';
import { cidrContains, formatIpv4, parseCidr, parseIpv4 } from './ipaddr.ts';
import { IpProtocol, Ipv4Packet, Ipv4Repr } from './ipv4.ts';
import { formatMac, isValidMac, parseMac } from './mac.ts';
import { LINKTYPE_ETHERNET, LINKTYPE_RAW, PcapWriter, readPcap } from './pcap.ts';
import { UdpPacket, UdpRepr } from './udp.ts';
import { VxlanPacket, VxlanRepr } from './vxlan.ts';

const hex = (s: string): Uint8Array =>
  Uint8Array.from(s.replace(/\s+/g, '').match(/../g)!, (b) => parseInt(b, 16));

// Frames copied from tests/golden/linux/vxlan-cni0.pcap.
const ARP_REQUEST = hex(
  'ffffffffffff 0a7e10db6c48 0806 0001 0800 06 04 0001 0a7e10db6c48 0af40102 000000000000 0af40101',
);
const ICMP_UNREACH = hex(
  '0a7e10db6c48 fec4c3389e29 0800 45c0 0070 f18e 0000 4001 7054 0af4 0101 0af4' +
    '0102 0300 fcff 0000 0000 4500 0054 7c0d 4000 4001 9ea9 0af4 0102 0af4 0909 0800' +
    '02a9 1fb1 0001 fceb 036b 0000 0000 147b 0200 0000 0000 1011 1213 1415 1617 1819' +
    '1a1b 1c1d 1e1f 2021 2223 2425 2627 2829 2a2b 2c2d 2e2f 3031 3233 3435 3637',
);

describe('mac and ipaddr helpers', () => {
  it('parses and formats MACs', () => {
    expect(formatMac(parseMac('0A:7e:10:db:6c:48')!)).toBe('0a:7e:10:db:6c:48');
    expect(isValidMac('zz:zz')).toBe(false);
    expect(parseMac('01:02:03:04:05')).toBeNull();
  });
  it('parses dotted quads strictly', () => {
    expect(parseIpv4('10.244.1.2')).toBe(0x0af40102);
    expect(parseIpv4('10.0.0.300')).toBeNull();
    expect(parseIpv4('10.0.0')).toBeNull();
    expect(parseIpv4('1.2.3.04x')).toBeNull();
    expect(formatIpv4(0xe0000016)).toBe('224.0.0.22');
  });
  it('parses CIDRs and tests membership', () => {
    const net = parseCidr('10.244.0.0/16')!;
    expect(cidrContains(net, parseIpv4('10.244.9.9')!)).toBe(true);
    expect(cidrContains(net, parseIpv4('10.245.0.1')!)).toBe(false);
    expect(parseCidr('10.0.0.0/33')).toBeNull();
    expect(cidrContains(parseCidr('0.0.0.0/0')!, 0xffffffff)).toBe(true);
  });
});

describe('ethernet + arp', () => {
  it('reads the golden ARP request field by field', () => {
    const eth = EthernetFrame.checked(ARP_REQUEST);
    expect(eth.dst).toBe('ff:ff:ff:ff:ff:ff');
    expect(eth.src).toBe('0a:7e:10:db:6c:48');
    expect(eth.ethertype).toBe(EtherType.ARP);
    expect(eth.isMulticastDst).toBe(true);
    const arp = ArpRepr.parse(ArpPacket.checked(eth.payload));
    expect(arp).toEqual({
      operation: ArpOperation.REQUEST,
      senderMac: '0a:7e:10:db:6c:48',
      senderIp: '10.244.1.2',
      targetMac: '00:00:00:00:00:00',
      targetIp: '10.244.1.1',
    });
  });
  it('emits exactly the captured bytes', () => {
    const out = new Uint8Array(42);
    EthernetRepr.emit(
      { dst: 'ff:ff:ff:ff:ff:ff', src: '0a:7e:10:db:6c:48', ethertype: EtherType.ARP },
      out,
    );
    ArpRepr.emit(
      {
        operation: 1,
        senderMac: '0a:7e:10:db:6c:48',
        senderIp: '10.244.1.2',
        targetMac: '00:00:00:00:00:00',
        targetIp: '10.244.1.1',
      },
      out.subarray(14),
    );
    expect(out).toEqual(ARP_REQUEST);
  });
  it('rejects truncated input with a typed error', () => {
    expect(() => EthernetFrame.checked(new Uint8Array(13))).toThrow(PacketError);
    expect(() => ArpPacket.checked(ARP_REQUEST.subarray(14, 14 + 27))).toThrow(PacketError);
    expect(() =>
      ArpRepr.parse(ArpPacket.checked(hex('0006 0800 06 04 0001' + '00'.repeat(20)))),
    ).toThrow(PacketError);
  });
});

describe('ipv4', () => {
  const repr: Ipv4Repr = {
    src: '10.244.1.2',
    dst: '10.244.2.2',
    protocol: IpProtocol.ICMP,
    ttl: 64,
    tos: 0,
    ident: 21455,
    dontFrag: true,
    moreFrags: false,
    fragOffset: 0,
    options: new Uint8Array(0),
    payloadLen: 64,
  };
  it('emits a header whose checksum verifies and parses back', () => {
    const buf = new Uint8Array(Ipv4Repr.bufferLen(repr));
    Ipv4Repr.emit(repr, buf);
    expect(Array.from(buf.subarray(0, 10))).toEqual([0x45, 0, 0, 84, 0x53, 0xcf, 0x40, 0, 64, 1]);
    const p = Ipv4Packet.checked(buf);
    expect(p.checksumValid).toBe(true);
    expect(Ipv4Repr.parse(p)).toEqual(repr);
  });
  it('skips options by IHL and reads flags and fragment offset', () => {
    const withRa = {
      ...repr,
      options: Uint8Array.of(0x94, 4, 0, 0),
      moreFrags: true,
      dontFrag: false,
      fragOffset: 1480,
    };
    const buf = new Uint8Array(Ipv4Repr.bufferLen(withRa));
    Ipv4Repr.emit(withRa, buf);
    const p = Ipv4Packet.checked(buf);
    expect(p.headerLen).toBe(24);
    expect(p.payload.length).toBe(64);
    expect(p.moreFrags).toBe(true);
    expect(p.fragOffset).toBe(1480);
    expect(Array.from(p.options)).toEqual([0x94, 4, 0, 0]);
  });
  it('ignores Ethernet padding after the total length', () => {
    const buf = new Uint8Array(Ipv4Repr.bufferLen(repr) + 6);
    Ipv4Repr.emit(repr, buf);
    expect(Ipv4Packet.checked(buf).payload.length).toBe(64);
  });
  it('rejects bad versions, lengths and checksums', () => {
    const buf = new Uint8Array(84);
    Ipv4Repr.emit(repr, buf);
    expect(() => Ipv4Packet.checked(buf.subarray(0, 83))).toThrow(PacketError);
    const v6 = buf.slice();
    v6[0] = 0x65;
    expect(() => Ipv4Packet.checked(v6)).toThrow(/version 6/);
    const shortIhl = buf.slice();
    shortIhl[0] = 0x44;
    expect(() => Ipv4Packet.checked(shortIhl)).toThrow(/header length/);
    const corrupt = buf.slice();
    corrupt[8] = 63;
    expect(() => Ipv4Repr.parse(Ipv4Packet.checked(corrupt))).toThrow(/checksum/);
  });
});

describe('icmp', () => {
  it('round-trips echo requests with a valid checksum', () => {
    const repr: IcmpRepr = {
      kind: 'echoRequest',
      ident: 8040,
      seq: 1,
      data: Uint8Array.of(1, 2, 3),
    };
    const buf = new Uint8Array(IcmpRepr.bufferLen(repr));
    IcmpRepr.emit(repr, buf);
    const p = IcmpPacket.checked(buf);
    expect(p.type).toBe(IcmpType.ECHO_REQUEST);
    expect(p.echoIdent).toBe(8040);
    expect(IcmpRepr.parse(p)).toEqual(repr);
  });
  it('carries the next-hop MTU of fragmentation needed (RFC 1191)', () => {
    const original = new Uint8Array(28);
    original[0] = 0x45;
    const repr: IcmpRepr = { kind: 'destUnreachable', code: 4, nextHopMtu: 1450, original };
    const buf = new Uint8Array(IcmpRepr.bufferLen(repr));
    IcmpRepr.emit(repr, buf);
    expect(Array.from(buf.subarray(0, 2))).toEqual([3, 4]);
    expect(IcmpPacket.checked(buf).nextHopMtu).toBe(1450);
    expect(IcmpRepr.parse(IcmpPacket.checked(buf))).toEqual(repr);
  });
  it('round-trips time exceeded and rejects a bad checksum', () => {
    const repr: IcmpRepr = { kind: 'timeExceeded', code: 0, original: new Uint8Array(28) };
    const buf = new Uint8Array(IcmpRepr.bufferLen(repr));
    IcmpRepr.emit(repr, buf);
    expect(IcmpRepr.parse(IcmpPacket.checked(buf))).toEqual(repr);
    buf[9] = 1;
    expect(() => IcmpRepr.parse(IcmpPacket.checked(buf))).toThrow(PacketError);
    expect(() => IcmpPacket.checked(new Uint8Array(7))).toThrow(PacketError);
  });
  it('parses the golden net unreachable and its quoted packet', () => {
    const ip = Ipv4Packet.checked(EthernetFrame.checked(ICMP_UNREACH).payload);
    expect(ip.tos).toBe(0xc0);
    expect(ip.checksumValid).toBe(true);
    const icmp = IcmpRepr.parse(IcmpPacket.checked(ip.payload));
    if (icmp.kind !== 'destUnreachable') throw new Error(icmp.kind);
    expect(icmp.code).toBe(0);
    const quoted = Ipv4Packet.checked(icmp.original);
    expect(quoted.dstText).toBe('10.244.9.9');
    expect(quoted.dontFrag).toBe(true);
    const out = new Uint8Array(IcmpRepr.bufferLen(icmp));
    IcmpRepr.emit(icmp, out);
    expect(out).toEqual(ip.payload);
  });
});

describe('udp + vxlan', () => {
  const src = parseIpv4('172.16.112.133')!;
  const dst = parseIpv4('172.16.112.130')!;
  it('computes a checksum over the pseudo-header that verifies', () => {
    const buf = new Uint8Array(8 + 5);
    buf.set([104, 101, 108, 108, 111], 8);
    UdpRepr.emit({ srcPort: 36760, dstPort: 8472, payloadLen: 5 }, buf, src, dst);
    const p = UdpPacket.checked(buf);
    expect(p.checksumValid(src, dst)).toBe(true);
    expect(p.checksumValid(src, dst + 1)).toBe(false);
    expect(UdpRepr.parse(p)).toEqual({ srcPort: 36760, dstPort: 8472, payloadLen: 5 });
  });
  it("writes 0 for 'none' and treats 0 as no checksum", () => {
    const buf = new Uint8Array(8);
    UdpRepr.emit({ srcPort: 1, dstPort: 2, payloadLen: 0 }, buf, src, dst, 'none');
    expect(UdpPacket.checked(buf).checksum).toBe(0);
    expect(UdpPacket.checked(buf).checksumValid(src, dst)).toBe(true);
  });
  it('rejects a length field beyond the buffer or under 8', () => {
    expect(() => UdpPacket.checked(hex('0001000200200000'))).toThrow(PacketError);
    expect(() => UdpPacket.checked(hex('0001000200040000'))).toThrow(/length 4/);
  });
  it('emits and reads the VXLAN header (I flag, VNI)', () => {
    const buf = new Uint8Array(8);
    VxlanRepr.emit({ vni: 1 }, buf);
    expect(Array.from(buf)).toEqual([0x08, 0, 0, 0, 0, 0, 1, 0]);
    expect(VxlanRepr.parse(VxlanPacket.checked(buf))).toEqual({ vni: 1 });
    expect(() => VxlanRepr.parse(VxlanPacket.checked(new Uint8Array(8)))).toThrow(/I flag/);
    expect(() => VxlanRepr.emit({ vni: 1 << 24 }, buf)).toThrow(RangeError);
  });
});

describe('igmp', () => {
  it('round-trips the golden v3 report (to_ex 224.0.0.106)', () => {
    const golden = hex('2200 f993 0000 0001 0400 0000 e000 006a');
    const p = IgmpPacket.checked(golden);
    expect(p.checksumValid).toBe(true);
    const repr = IgmpRepr.parse(p);
    expect(repr).toEqual({
      kind: 'v3Report',
      records: [{ type: 4, group: '224.0.0.106', sources: [], auxWords: 0 }],
    });
    const out = new Uint8Array(IgmpRepr.bufferLen(repr));
    IgmpRepr.emit(repr, out);
    expect(out).toEqual(golden);
  });
  it('rejects records that overrun the message', () => {
    const p = IgmpPacket.checked(hex('22 00 0000 0000 0002 04 00 0000 e000006a'));
    expect(() => p.records()).toThrow(PacketError);
  });
});

describe('pcap', () => {
  it('writes a global header and records that read back', () => {
    const w = new PcapWriter(LINKTYPE_RAW);
    w.write(Date.UTC(2026, 0, 1) + 1.5, Uint8Array.of(0x45, 0));
    const bytes = w.bytes();
    expect(Array.from(bytes.subarray(0, 4))).toEqual([0xd4, 0xc3, 0xb2, 0xa1]);
    const file = readPcap(bytes);
    expect(file.linktype).toBe(LINKTYPE_RAW);
    expect(file.snaplen).toBe(262144);
    expect(file.records).toHaveLength(1);
    expect(file.records[0]!.time).toBeCloseTo(Date.UTC(2026, 0, 1) + 1.5, 6);
    expect(Array.from(file.records[0]!.data)).toEqual([0x45, 0]);
  });
  it('reads big-endian files and rejects garbage', () => {
    const be = new Uint8Array(24 + 16 + 1);
    const v = new DataView(be.buffer);
    v.setUint32(0, 0xa1b2c3d4);
    v.setUint32(16, 65535);
    v.setUint32(20, LINKTYPE_ETHERNET);
    v.setUint32(24, 10);
    v.setUint32(28, 7);
    v.setUint32(32, 1);
    v.setUint32(36, 60);
    const file = readPcap(be);
    expect(file.records[0]!.time).toBeCloseTo(10_000.007, 6);
    expect(file.records[0]!.origLen).toBe(60);
    expect(() => readPcap(new Uint8Array(24))).toThrow(/unknown file format/);
    expect(() => readPcap(be.subarray(0, 30))).toThrow(/record header/);
  });
});
