// Dissector -> tcpdump 4.99 text. One function per layer, each appending to a string the way
// tcpdump's print-*.c do, so `-n`, `-v`, `-vv` and `-e` lines match the real tool byte for byte.

import { checksumShouldBe, internetChecksum, pseudoHeaderSum } from '../../packet/checksum.ts';
import { readU16 } from '../../packet/errors.ts';
import { ArpOperation, ArpPacket } from '../../packet/arp.ts';
import { ETHERNET_HEADER_LEN, EtherType, EthernetFrame } from '../../packet/ethernet.ts';
import {
  ICMP_HEADER_LEN,
  IcmpPacket,
  IcmpType,
  UnreachableCode,
  isIcmpErrorType,
} from '../../packet/icmp.ts';
import { IGMP_MIN_LEN, IGMP_RECORD_NAMES, IgmpPacket, IgmpType } from '../../packet/igmp.ts';
import { formatIpv4At } from '../../packet/ipaddr.ts';
import { IPV4_MIN_HEADER_LEN, IpProtocol, Ipv4Packet } from '../../packet/ipv4.ts';
import { formatMac, hex2 } from '../../packet/mac.ts';
import { LINKTYPE_RAW } from '../../packet/pcap.ts';
import { LINKTYPE_LINUX_SLL2, SLL2_HEADER_LEN, Sll2Packet } from '../../packet/sll2.ts';
import { UDP_HEADER_LEN, UdpPacket } from '../../packet/udp.ts';
import {
  VXLAN_HEADER_LEN,
  VXLAN_IANA_PORT,
  VXLAN_LINUX_PORT,
  VxlanPacket,
} from '../../packet/vxlan.ts';

export interface PrintOptions {
  /** Number of -v flags (0..3). */
  verbose: number;
  /** -e: print the link-level header. */
  linkHeader: boolean;
  /** -n: no port names and no MAC vendor lookups. */
  numeric: boolean;
  /** Interface names for cooked (-i any) records, by ifindex; '?' when unknown. */
  ifname?: (ifindex: number) => string | undefined;
}

/** HH:MM:SS.uuuuuu in UTC, from lab time in milliseconds. */
export function formatTimestamp(timeMs: number): string {
  const totalUs = Math.round(timeMs * 1000);
  const dayUs = ((totalUs % 86_400_000_000) + 86_400_000_000) % 86_400_000_000;
  const us = dayUs % 1_000_000;
  const s = Math.floor(dayUs / 1_000_000);
  return `${pad2(Math.floor(s / 3600))}:${pad2(Math.floor(s / 60) % 60)}:${pad2(s % 60)}.${String(us).padStart(6, '0')}`;
}

/** One packet's text after the timestamp, without the final newline. */
export function printPacket(
  data: Uint8Array,
  origLen: number,
  linktype: number,
  opts: PrintOptions,
): string {
  const p = new Printer(opts);
  if (linktype === LINKTYPE_RAW) p.raw(data, origLen);
  else if (linktype === LINKTYPE_LINUX_SLL2) p.sll2(data, origLen);
  else p.ether(data, origLen);
  return p.out;
}

/** The pcap link-type names tcpdump prints in its "listening on" and "reading from" lines. */
export function linktypeText(linktype: number): string {
  if (linktype === LINKTYPE_RAW) return 'RAW (Raw IP)';
  if (linktype === LINKTYPE_LINUX_SLL2) return 'LINUX_SLL2 (Linux cooked v2)';
  return 'EN10MB (Ethernet)';
}

const ETHERTYPE_NAMES: Record<number, string> = {
  [EtherType.IPV4]: 'IPv4',
  [EtherType.ARP]: 'ARP',
  [EtherType.IPV6]: 'IPv6',
  [EtherType.VLAN]: '802.1Q',
  0x88cc: 'LLDP',
};

const SLL_PKTTYPE_NAMES: Record<number, string> = { 0: 'In', 1: 'B', 2: 'M', 3: 'P', 4: 'Out' };

const IPPROTO_NAMES: Record<number, string> = {
  0: 'Options',
  1: 'ICMP',
  2: 'IGMP',
  4: 'IPIP',
  6: 'TCP',
  8: 'EGP',
  9: 'IGRP',
  17: 'UDP',
  33: 'DCCP',
  41: 'IPv6',
  43: 'Routing',
  44: 'Fragment',
  46: 'RSVP',
  47: 'GRE',
  50: 'ESP',
  51: 'AH',
  58: 'ICMPv6',
  89: 'OSPF',
  103: 'PIM',
  112: 'VRRP',
  132: 'SCTP',
};

/** /etc/protocols names (getprotobynumber), which tcpdump uses without -n. */
const NETDB_PROTO_NAMES: Record<number, string> = {
  0: 'ip',
  1: 'icmp',
  2: 'igmp',
  4: 'ipencap',
  6: 'tcp',
  8: 'egp',
  17: 'udp',
  33: 'dccp',
  41: 'ipv6',
  47: 'gre',
  50: 'esp',
  51: 'ah',
  58: 'ipv6-icmp',
  89: 'ospf',
  103: 'pim',
  112: 'vrrp',
  132: 'sctp',
};

const IP_OPTION_NAMES: Record<number, string> = {
  0: 'EOL',
  1: 'NOP',
  7: 'RR',
  68: 'timestamp',
  130: 'security',
  131: 'LSRR',
  137: 'SSRR',
  148: 'RA',
  82: 'traceroute',
};

/** Port names tcpdump shows without -n (from /etc/services), for the ports a lab may see. */
const UDP_PORT_NAMES: Record<number, string> = {
  53: 'domain',
  67: 'bootps',
  68: 'bootpc',
  123: 'ntp',
  161: 'snmp',
  514: 'syslog',
};

const UNREACH_FORMATS: Record<number, string> = {
  0: 'net %s unreachable',
  1: 'host %s unreachable',
  5: '%s unreachable - source route failed',
  6: 'net %s unreachable - unknown',
  7: 'host %s unreachable - unknown',
  8: '%s unreachable - source host isolated',
  9: 'net %s unreachable - admin prohibited',
  10: 'host %s unreachable - admin prohibited',
  11: 'net %s unreachable - tos prohibited',
  12: 'host %s unreachable - tos prohibited',
  13: 'host %s unreachable - admin prohibited filter',
  14: 'host %s unreachable - host precedence violation',
  15: 'host %s unreachable - precedence cutoff',
};

const ICMP_TYPE_NAMES: Record<number, string> = {
  0: 'echo reply',
  4: 'source quench',
  8: 'echo request',
  10: 'router solicitation',
  13: 'time stamp request',
  14: 'time stamp reply',
  15: 'information request',
  16: 'information reply',
  17: 'address mask request',
};

class Printer {
  out = '';

  constructor(private readonly o: PrintOptions) {}

  /** A TUN capture: the packet starts at the IP header. */
  raw(b: Uint8Array, length: number): void {
    if (this.o.linkHeader) this.out += 'ip: ';
    if (b.length < 1) return this.trunc('ip');
    if (b[0]! >> 4 === 4) this.ip(b, length);
    else this.out += `IP${b[0]! >> 4} `;
  }

  /** A cooked record (-i any): interface name and direction, then the network layer. */
  sll2(b: Uint8Array, length: number): void {
    if (b.length < SLL2_HEADER_LEN) return this.trunc('sll2');
    const sll = Sll2Packet.unchecked(b);
    this.out += `${(this.o.ifname?.(sll.ifindex) ?? '?').padEnd(5)} ${(SLL_PKTTYPE_NAMES[sll.pkttype] ?? '?').padEnd(3)} `;
    if (this.o.linkHeader) this.sll2Header(sll, length);
    const type = sll.protocol;
    const payload = sll.payload;
    if (type === EtherType.IPV4) return this.ip(payload, length - SLL2_HEADER_LEN);
    if (type === EtherType.ARP) return this.arp(payload, length - SLL2_HEADER_LEN);
    if (!this.o.linkHeader) this.sll2Header(sll, length);
    this.hexDump(payload);
  }

  private sll2Header(sll: Sll2Packet, length: number): void {
    this.out += `ifindex ${sll.ifindex} `;
    const src = sll.srcMac;
    if (src !== null) this.out += `${this.mac(src)} `;
    const type = sll.protocol;
    if (type <= 1500)
      this.out +=
        type === 1 ? '802.3' : type === 4 ? '802.2' : `ethertype Unknown (0x${hex4(type)})`;
    else this.out += `ethertype ${ETHERTYPE_NAMES[type] ?? 'Unknown'} (0x${hex4(type)})`;
    this.out += `, length ${length}: `;
  }

  ether(b: Uint8Array, length: number): void {
    if (b.length < ETHERNET_HEADER_LEN) return this.trunc('ether');
    const frame = EthernetFrame.unchecked(b);
    const type = frame.ethertype;
    if (this.o.linkHeader) this.etherHeader(frame, length);
    const payload = frame.payload;
    if (type === EtherType.IPV4) return this.ip(payload, length - ETHERNET_HEADER_LEN);
    if (type === EtherType.ARP) return this.arp(payload, length - ETHERNET_HEADER_LEN);
    if (!this.o.linkHeader) this.etherHeader(frame, length);
    this.hexDump(payload);
  }

  private etherHeader(frame: EthernetFrame, length: number): void {
    const type = frame.ethertype;
    this.out += `${this.mac(frame.src)} > ${this.mac(frame.dst)}, `;
    if (type <= 1500) this.out += `802.3, length ${type}: `;
    else
      this.out += `ethertype ${ETHERTYPE_NAMES[type] ?? 'Unknown'} (0x${hex4(type)}), length ${length}: `;
  }

  private arp(b: Uint8Array, length: number): void {
    if (!this.o.linkHeader) this.out += 'ARP, ';
    if (b.length < 8) return this.trunc('arp');
    const arp = ArpPacket.unchecked(b);
    const hrd = arp.hardwareType;
    const pro = arp.protocolType;
    const hln = arp.hardwareLen;
    const pln = arp.protocolLen;
    const op = arp.operation;
    if (pro !== EtherType.IPV4 || pln !== 4 || hln === 0 || this.o.verbose > 0) {
      const hrdName = hrd === 1 ? 'Ethernet' : `Unknown Hardware (${hrd})`;
      const proName = ETHERTYPE_NAMES[pro] ?? `Unknown Protocol (0x${hex4(pro)})`;
      this.out += `${hrdName} (len ${hln}), ${proName} (len ${pln})`;
      if (b.length < 8 + 2 * (hln + pln)) return this.trunc('arp');
      this.out += ', ';
    }
    if (b.length < 8 + 2 * (hln + pln)) return this.trunc('arp');
    const sha = arp.senderHwOffset;
    const spa = arp.senderProtoOffset;
    const tha = arp.targetHwOffset;
    const tpa = arp.targetProtoOffset;
    const proto = (at: number): string =>
      pro === EtherType.IPV4 && pln === 4 ? formatIpv4At(b, at) : `<wrong proto type>`;
    const link = (at: number): string =>
      hln === 6 ? this.mac(formatMac(b, at)) : formatMac(b, at, hln);
    switch (op) {
      case ArpOperation.REQUEST: {
        this.out += `Request who-has ${proto(tpa)}`;
        if (b.subarray(tha, tha + hln).some((x) => x !== 0)) this.out += ` (${link(tha)})`;
        this.out += ` tell ${proto(spa)}`;
        break;
      }
      case ArpOperation.REPLY:
        this.out += `Reply ${proto(spa)} is-at ${link(sha)}`;
        break;
      default:
        this.out += `Unknown opcode (${op})`;
    }
    this.out += `, length ${length}`;
  }

  private ip(b: Uint8Array, length: number): void {
    if (!this.o.linkHeader) this.out += 'IP ';
    if (b.length < IPV4_MIN_HEADER_LEN) return this.trunc('ip');
    const ip = Ipv4Packet.unchecked(b);
    const version = ip.version;
    if (version !== 4) {
      this.out += `IP${version} `;
      return;
    }
    if (length < IPV4_MIN_HEADER_LEN) {
      this.out += `truncated-ip ${length}`;
      return;
    }
    const hlen = ip.headerLen;
    if (hlen < IPV4_MIN_HEADER_LEN) {
      this.out += `bad-hlen ${hlen}`;
      return;
    }
    const len = ip.totalLen;
    if (len > length) this.out += `[total length ${len} > length ${length}] (invalid) `;
    if (len < hlen) {
      this.out += `bad-len ${len}`;
      return;
    }
    const proto = ip.protocol;
    if (this.o.verbose > 0) {
      const tos = ip.tos;
      this.out += `(tos 0x${tos.toString(16)}`;
      this.out += ['', ',ECT(1)', ',ECT(0)', ',CE'][tos & 3]!;
      if (ip.ttl >= 1) this.out += `, ttl ${ip.ttl}`;
      const flags: string[] = [];
      if (ip.moreFrags) flags.push('+');
      if (ip.dontFrag) flags.push('DF');
      if (ip.reservedFlag) flags.push('rsvd');
      this.out += `, id ${ip.ident}, offset ${ip.fragOffset}, flags [${flags.length ? flags.join(', ') : 'none'}]`;
      this.out += `, proto ${IPPROTO_NAMES[proto] ?? 'unknown'} (${proto}), length ${len}`;
      if (hlen > IPV4_MIN_HEADER_LEN) {
        this.out += ', options (';
        this.ipOptions(b.subarray(IPV4_MIN_HEADER_LEN, Math.min(hlen, b.length)));
        this.out += ')';
      }
      if (hlen <= b.length) {
        const residue = ip.checksumResidue;
        if (residue !== 0) {
          const field = ip.checksum;
          this.out += `, bad cksum ${field.toString(16)} (->${checksumShouldBe(field, residue).toString(16)})!`;
        }
      }
      this.out += ')\n    ';
    }
    if (hlen > b.length) return this.trunc('ip');
    // Everything after the IP payload (Ethernet padding) is not the payload's.
    const payload = b.subarray(hlen, Math.min(len, b.length));
    const payloadLen = len - hlen;
    const fragmented = ip.moreFrags || ip.fragOffset !== 0;
    if (ip.fragOffset !== 0) {
      this.out += `${ip.srcText} > ${ip.dstText}: ${this.protoName(proto)}`;
      return;
    }
    if (proto !== IpProtocol.UDP && proto !== IpProtocol.TCP) {
      this.out += `${ip.srcText} > ${ip.dstText}: `;
    }
    switch (proto) {
      case IpProtocol.ICMP:
        return this.icmp(payload, payloadLen, fragmented);
      case IpProtocol.UDP:
        return this.udp(payload, payloadLen, ip, fragmented);
      case IpProtocol.TCP:
        return this.tcp(payload, payloadLen, ip);
      case IpProtocol.IGMP:
        return this.igmp(payload, payloadLen);
      default:
        this.out += ` ${this.protoName(proto)} ${payloadLen}`;
    }
  }

  private ipOptions(opts: Uint8Array): void {
    let at = 0;
    while (at < opts.length) {
      if (at > 0) this.out += ',';
      const code = opts[at]!;
      this.out += IP_OPTION_NAMES[code] ?? `unknown ${code}`;
      if (code === 0) return;
      if (code === 1) {
        at += 1;
        continue;
      }
      if (at + 1 >= opts.length) return this.trunc('ip');
      const len = opts[at + 1]!;
      if (len < 2 || len > opts.length - at) {
        this.out += ` [bad length ${len}]`;
        return;
      }
      if (code === 148) {
        if (len < 4) this.out += ` [bad length ${len}]`;
        else if (readU16(opts, at + 2) !== 0) this.out += ` value ${readU16(opts, at + 2)}`;
      }
      at += len;
    }
  }

  private icmp(b: Uint8Array, plen: number, fragmented: boolean): void {
    if (b.length < 4) return this.trunc('icmp');
    const icmp = IcmpPacket.unchecked(b);
    const type = icmp.type;
    const code = icmp.code;
    const quotes =
      type === IcmpType.DEST_UNREACHABLE ||
      type === IcmpType.REDIRECT ||
      type === IcmpType.TIME_EXCEEDED;
    const need = ICMP_HEADER_LEN + (quotes ? IPV4_MIN_HEADER_LEN : 0);
    if (b.length < need && type !== IcmpType.SOURCE_QUENCH && type !== IcmpType.PARAM_PROBLEM)
      return this.trunc('icmp');
    let text: string;
    switch (type) {
      case IcmpType.ECHO_REPLY:
      case IcmpType.ECHO_REQUEST:
        text = `echo ${type === IcmpType.ECHO_REQUEST ? 'request' : 'reply'}, id ${icmp.echoIdent}, seq ${icmp.echoSeq}`;
        break;
      case IcmpType.DEST_UNREACHABLE:
        text = this.unreachText(icmp);
        break;
      case IcmpType.REDIRECT: {
        const kinds = [
          'redirect %s to net %s',
          'redirect %s to host %s',
          'redirect-tos %s to net %s',
          'redirect-tos %s to host %s',
        ];
        const fmt = kinds[code] ?? `redirect-#${code} %s to %s`;
        // The gateway sits in the rest-of-header word.
        const gateway = formatIpv4At(b, 4);
        text = fmt.replace('%s', Ipv4Packet.unchecked(icmp.data).dstText).replace('%s', gateway);
        break;
      }
      case IcmpType.TIME_EXCEEDED:
        text =
          code === 0
            ? 'time exceeded in-transit'
            : code === 1
              ? 'ip reassembly time exceeded'
              : `time exceeded-#${code}`;
        break;
      case IcmpType.PARAM_PROBLEM:
        text =
          code !== 0
            ? `parameter problem - code ${code}`
            : `parameter problem - octet ${b[4] ?? 0}`;
        break;
      default:
        text = ICMP_TYPE_NAMES[type] ?? `type-#${type}`;
    }
    this.out += `ICMP ${text}, length ${plen}`;
    if (this.o.verbose > 0 && !fragmented && b.length >= plen) {
      const residue = internetChecksum(b, 0, plen);
      if (residue !== 0) {
        const field = icmp.checksum;
        this.out += ` (wrong icmp cksum ${field.toString(16)} (->${checksumShouldBe(field, residue).toString(16)})!)`;
      }
    }
    if (
      this.o.verbose > 0 &&
      isIcmpErrorType(type) &&
      b.length >= ICMP_HEADER_LEN + IPV4_MIN_HEADER_LEN
    ) {
      this.out += '\n\t';
      const inner = icmp.data;
      this.ip(inner, Ipv4Packet.unchecked(inner).totalLen);
    }
  }

  private unreachText(icmp: IcmpPacket): string {
    const inner = Ipv4Packet.unchecked(icmp.data);
    const dst = inner.dstText;
    const proto = inner.protocol;
    switch (icmp.code) {
      case UnreachableCode.PROTOCOL:
        return `${dst} protocol ${proto} unreachable`;
      case UnreachableCode.PORT: {
        const ihl = inner.headerLen;
        if (inner.bytes.length < ihl + 4) return `${dst} protocol ${proto} port ? unreachable`;
        const dport = UdpPacket.unchecked(inner.bytes.subarray(ihl)).dstPort;
        if (proto === IpProtocol.TCP) return `${dst} tcp port ${this.port(dport)} unreachable`;
        if (proto === IpProtocol.UDP) return `${dst} udp port ${this.port(dport)} unreachable`;
        return `${dst} protocol ${proto} port ${dport} unreachable`;
      }
      case UnreachableCode.FRAG_NEEDED: {
        const mtu = icmp.nextHopMtu;
        return mtu
          ? `${dst} unreachable - need to frag (mtu ${mtu})`
          : `${dst} unreachable - need to frag`;
      }
      default:
        return (UNREACH_FORMATS[icmp.code] ?? `#${icmp.code} %s unreachable`).replace('%s', dst);
    }
  }

  private udp(b: Uint8Array, length: number, ip: Ipv4Packet, fragmented: boolean): void {
    const src = ip.srcText;
    const dst = ip.dstText;
    if (length < UDP_HEADER_LEN) {
      this.out += `${src} > ${dst}: truncated-udp ${length}`;
      return;
    }
    if (b.length < UDP_HEADER_LEN) return this.trunc('udp');
    const udp = UdpPacket.unchecked(b);
    const sport = udp.srcPort;
    const dport = udp.dstPort;
    let ulen = udp.length;
    this.out += `${src}.${this.port(sport)} > ${dst}.${this.port(dport)}: `;
    if (ulen < 8) {
      this.out += `truncated-udplength ${ulen}`;
      return;
    }
    ulen -= 8;
    let payloadLen = length - 8;
    if (ulen < payloadLen) payloadLen = ulen;
    if (this.o.verbose > 1 && !fragmented) {
      const field = udp.checksum;
      if (field === 0) this.out += '[no cksum] ';
      else if (b.length >= payloadLen + 8) {
        const total = payloadLen + 8;
        const residue = internetChecksum(
          b,
          0,
          total,
          pseudoHeaderSum(ip.src, ip.dst, IpProtocol.UDP, total),
        );
        if (residue !== 0) {
          this.out += `[bad udp cksum 0x${hex4(field)} -> 0x${hex4(checksumShouldBe(field, residue))}!] `;
        } else this.out += '[udp sum ok] ';
      }
    }
    const payload = b.subarray(8, 8 + payloadLen);
    if (sport === VXLAN_LINUX_PORT || dport === VXLAN_LINUX_PORT)
      return this.otv(payload, payloadLen);
    if (sport === VXLAN_IANA_PORT || dport === VXLAN_IANA_PORT)
      return this.vxlan(payload, payloadLen);
    if (ulen > payloadLen && !fragmented) this.out += `UDP, bad length ${ulen} > ${payloadLen}`;
    else this.out += `UDP, length ${ulen}`;
  }

  /** tcpdump decodes UDP 8472 as Cisco OTV, whose header has VXLAN's layout. */
  private otv(b: Uint8Array, length: number): void {
    this.out += 'OTV, ';
    if (b.length < VXLAN_HEADER_LEN) return this.trunc('otv');
    const otv = VxlanPacket.unchecked(b);
    this.out += `flags [${otv.hasVni ? 'I' : '.'}] (0x${hex2(otv.flags)}), `;
    // OTV's overlay id is VXLAN's first reserved field, its instance id VXLAN's VNI.
    this.out += `overlay ${otv.reserved1}, instance ${otv.vni}\n`;
    this.ether(otv.payload, length - VXLAN_HEADER_LEN);
  }

  private vxlan(b: Uint8Array, length: number): void {
    this.out += 'VXLAN, ';
    if (b.length < VXLAN_HEADER_LEN) return this.trunc('vxlan');
    const vx = VxlanPacket.unchecked(b);
    this.out += `flags [${vx.hasVni ? 'I' : '.'}] (0x${hex2(vx.flags)}), `;
    this.out += `vni ${vx.vni}\n`;
    this.ether(vx.payload, length - VXLAN_HEADER_LEN);
  }

  /** TCP: ports, flags and lengths only (the lab carries no TCP; tcpdump's -q form). */
  private tcp(b: Uint8Array, length: number, ip: Ipv4Packet): void {
    const src = ip.srcText;
    const dst = ip.dstText;
    if (b.length < 4) {
      this.out += `${src} > ${dst}:`;
      return this.trunc('tcp');
    }
    this.out += `${src}.${readU16(b, 0)} > ${dst}.${readU16(b, 2)}: tcp ${Math.max(0, length - (b.length >= 13 ? (b[12]! >> 4) * 4 : 20))}`;
  }

  private igmp(b: Uint8Array, len: number): void {
    if (b.length < 1) return this.trunc('igmp');
    const igmp = IgmpPacket.unchecked(b);
    const type = igmp.type;
    if (b.length < IGMP_MIN_LEN) return this.trunc('igmp');
    switch (type) {
      case IgmpType.QUERY: {
        this.out += 'igmp query';
        if (len >= 12) this.igmpV3Query(b, len);
        else {
          const mrt = igmp.maxRespTime;
          if (mrt !== 0) {
            this.out += ' v2';
            if (mrt !== 100) this.out += ` [max resp time ${mrt}]`;
          } else this.out += ' v1';
          if (igmp.group !== '0.0.0.0') this.out += ` [gaddr ${igmp.group}]`;
          if (len !== 8) this.out += ` [len ${len}]`;
        }
        break;
      }
      case IgmpType.V1_REPORT:
      case IgmpType.V2_REPORT:
      case IgmpType.LEAVE:
        this.out += `${type === IgmpType.V1_REPORT ? 'igmp v1 report' : type === IgmpType.V2_REPORT ? 'igmp v2 report' : 'igmp leave'} ${igmp.group}`;
        if (len !== 8) this.out += ` [len ${len}]`;
        break;
      case IgmpType.V3_REPORT:
        this.out += 'igmp v3 report';
        this.igmpV3Report(b, len);
        break;
      default:
        this.out += `igmp-${type}`;
    }
    if (this.o.verbose > 0 && len >= 4 && b.length >= len) {
      if (internetChecksum(b, 0, len) !== 0)
        this.out += ` bad igmp cksum ${igmp.checksum.toString(16)}!`;
    }
  }

  private igmpV3Query(b: Uint8Array, len: number): void {
    this.out += ' v3';
    if (len < 12 || b.length < 12) {
      this.out += ` [invalid len ${len}]`;
      return;
    }
    // RFC 3376 §4.1.1: codes from 128 up are a floating-point exponent and mantissa.
    const code = b[1]!;
    const mrt = code < 128 ? code : ((code & 0x0f) | 0x10) << (((code >> 4) & 0x07) + 3);
    if (mrt !== 100) {
      this.out += ` [max resp time ${mrt < 600 ? `${(mrt / 10).toFixed(1)}s` : relativeTime(Math.floor(mrt / 10))}]`;
    }
    if (readU32At(b, 4) === 0) return;
    this.out += ` [gaddr ${formatIpv4At(b, 4)}`;
    const nsrcs = readU16(b, 10);
    if (nsrcs > 0) {
      if (len < 12 + nsrcs * 4 || b.length < 12 + nsrcs * 4)
        this.out += ' [invalid number of sources]';
      else if (this.o.verbose > 1) {
        this.out += ' {';
        for (let i = 0; i < nsrcs; i++) this.out += ` ${formatIpv4At(b, 12 + i * 4)}`;
        this.out += ' }';
      } else this.out += `, ${nsrcs} source(s)`;
    }
    this.out += ']';
  }

  private igmpV3Report(b: Uint8Array, len: number): void {
    if (len < 8 || len % 4) {
      this.out += ` [invalid len ${len}]`;
      return;
    }
    const ngroups = IgmpPacket.unchecked(b).numRecords;
    this.out += `, ${ngroups} group record(s)`;
    if (this.o.verbose === 0) return;
    let at = 8;
    for (let i = 0; i < ngroups; i++) {
      if (len < at + 8 || b.length < at + 8) {
        this.out += ' [invalid number of groups]';
        return;
      }
      this.out += ` [gaddr ${formatIpv4At(b, at + 4)}`;
      const rtype = b[at]!;
      this.out += ` ${IGMP_RECORD_NAMES[rtype] ?? ` [v3-report-#${rtype}]`}`;
      const nsrcs = readU16(b, at + 2);
      if (len < at + 8 + nsrcs * 4 || b.length < at + 8 + nsrcs * 4) {
        this.out += ` [invalid number of sources ${nsrcs}]`;
        return;
      }
      if (this.o.verbose === 1) this.out += `, ${nsrcs} source(s)`;
      else {
        this.out += ' {';
        for (let j = 0; j < nsrcs; j++) this.out += ` ${formatIpv4At(b, at + 8 + j * 4)}`;
        this.out += ' }';
      }
      at += 8 + nsrcs * 4;
      this.out += ']';
    }
  }

  /**
   * Without -n tcpdump names MACs: 'Broadcast', or the address and its vendor from the OUI
   * table. Lab MACs are random (locally administered), so the vendor is always unknown.
   */
  private mac(text: string): string {
    if (this.o.numeric) return text;
    return text === 'ff:ff:ff:ff:ff:ff' ? 'Broadcast' : `${text} (oui Unknown)`;
  }

  private protoName(proto: number): string {
    return (this.o.numeric ? undefined : NETDB_PROTO_NAMES[proto]) ?? `ip-proto-${proto}`;
  }

  private port(n: number): string {
    return this.o.numeric ? String(n) : (UDP_PORT_NAMES[n] ?? String(n));
  }

  private trunc(proto: string): void {
    this.out += ` [|${proto}]`;
  }

  /** tcpdump's default print for what it cannot decode: hex and ASCII, 16 bytes a line. */
  private hexDump(b: Uint8Array): void {
    for (let line = 0; line < b.length; line += 16) {
      let hex = '';
      let ascii = '';
      const end = Math.min(line + 16, b.length);
      for (let i = line; i < end; i += 2) {
        hex += i + 1 < end ? ` ${hex2(b[i]!)}${hex2(b[i + 1]!)}` : ` ${hex2(b[i]!)}`;
        ascii += printable(b[i]!) + (i + 1 < end ? printable(b[i + 1]!) : '');
      }
      this.out += `\n\t0x${hex4(line)}: ${hex.padEnd(40)}  ${ascii}`;
    }
  }
}

/** tcpdump's unsigned_relts_print: 100 -> '1m40s'. */
function relativeTime(secs: number): string {
  if (secs === 0) return '0s';
  const units: [number, string][] = [
    [31_536_000, 'y'],
    [604_800, 'w'],
    [86_400, 'd'],
    [3600, 'h'],
    [60, 'm'],
    [1, 's'],
  ];
  let out = '';
  for (const [size, name] of units) {
    if (secs >= size) {
      out += `${Math.floor(secs / size)}${name}`;
      secs %= size;
    }
  }
  return out;
}

function printable(c: number): string {
  return c > 0x20 && c < 0x7f ? String.fromCharCode(c) : '.';
}

function readU32At(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

function hex4(v: number): string {
  return v.toString(16).padStart(4, '0');
}

function pad2(v: number): string {
  return v < 10 ? `0${v}` : String(v);
}
