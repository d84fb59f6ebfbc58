// A frame as Wireshark's packet tree shows it: the layers nested outside in (Ethernet, IPv4,
// UDP, VXLAN, inner Ethernet, inner IPv4, ICMP), each field with its value, what it means and
// the bytes it occupies, so a view can highlight them. Values are read through this folder's
// views; the offsets here only say where each field sits, for the highlight.

import { ArpPacket } from './arp.ts';
import { EtherType, EthernetFrame, ETHERNET_HEADER_LEN } from './ethernet.ts';
import { IcmpPacket, IcmpType } from './icmp.ts';
import { IpProtocol, Ipv4Packet } from './ipv4.ts';
import { LINKTYPE_RAW } from './pcap.ts';
import { UdpPacket, UDP_HEADER_LEN } from './udp.ts';
import { VXLAN_HEADER_LEN, VXLAN_IANA_PORT, VXLAN_LINUX_PORT, VxlanPacket } from './vxlan.ts';

export interface TreeField {
  name: string;
  value: string;
  meaning: string;
  /** Byte range in the whole frame: [start, end). */
  start: number;
  end: number;
}

export interface TreeLayer {
  /** 'Ethernet II', 'Internet Protocol Version 4', ... with 'inner' layers numbered by depth. */
  name: string;
  /** Short protocol key: 'eth', 'ip', 'udp', 'vxlan', 'icmp', 'arp', 'data'. */
  proto: string;
  /** 0 for the outermost packet, 1 inside the first encapsulation, ... */
  depth: number;
  start: number;
  end: number;
  fields: TreeField[];
}

/** UDP port of flannel's udp backend: its payload is a whole IPv4 packet. */
const FLANNEL_UDP_PORT = 8285;

const ETHERTYPES: Record<number, string> = {
  [EtherType.IPV4]: 'IPv4',
  [EtherType.ARP]: 'ARP',
  [EtherType.IPV6]: 'IPv6',
};
const PROTOCOLS: Record<number, string> = {
  [IpProtocol.ICMP]: 'ICMP',
  [IpProtocol.UDP]: 'UDP',
  6: 'TCP',
  2: 'IGMP',
};
const ICMP_TYPES: Record<number, string> = {
  [IcmpType.ECHO_REPLY]: 'Echo (ping) reply',
  [IcmpType.DEST_UNREACHABLE]: 'Destination unreachable',
  [IcmpType.ECHO_REQUEST]: 'Echo (ping) request',
  [IcmpType.TIME_EXCEEDED]: 'Time-to-live exceeded',
};

const hex = (v: number, digits: number) => `0x${v.toString(16).padStart(digits, '0')}`;

function field(
  fields: TreeField[],
  base: number,
  off: number,
  len: number,
  name: string,
  value: string | number,
  meaning: string,
): void {
  fields.push({ name, value: String(value), meaning, start: base + off, end: base + off + len });
}

/** The tree of a captured frame (Ethernet, or raw IPv4 for a TUN device). */
export function packetTree(data: Uint8Array, linktype: number): TreeLayer[] {
  const layers: TreeLayer[] = [];
  try {
    if (linktype === LINKTYPE_RAW) ipv4(layers, data, 0, 0);
    else ethernet(layers, data, 0, 0);
  } catch {
    // A layer the codec cannot read ends the tree; what it could read stays.
  }
  const covered = layers.reduce((n, l) => Math.max(n, l.end), 0);
  if (covered < data.length) {
    layers.push({
      name: `Data (${data.length - covered} bytes)`,
      proto: 'data',
      depth: layers.at(-1)?.depth ?? 0,
      start: covered,
      end: data.length,
      fields: [],
    });
  }
  return layers;
}

function ethernet(layers: TreeLayer[], bytes: Uint8Array, base: number, depth: number): void {
  const e = EthernetFrame.checked(bytes);
  const fields: TreeField[] = [];
  field(
    fields,
    base,
    0,
    6,
    'Destination',
    e.dst,
    e.isMulticastDst ? 'broadcast or multicast: every port' : "the next hop's MAC on this link",
  );
  field(
    fields,
    base,
    6,
    6,
    'Source',
    bytes.length >= 12 ? e.src : '',
    'the MAC of the interface that sent it',
  );
  const type = e.ethertype;
  field(
    fields,
    base,
    12,
    2,
    'Type',
    `${ETHERTYPES[type] ?? 'unknown'} (${hex(type, 4)})`,
    'what the payload is',
  );
  layers.push({
    name: depth ? 'Ethernet II (inner)' : 'Ethernet II',
    proto: 'eth',
    depth,
    start: base,
    end: base + ETHERNET_HEADER_LEN,
    fields,
  });
  const at = base + ETHERNET_HEADER_LEN;
  if (type === EtherType.IPV4) ipv4(layers, e.payload, at, depth);
  else if (type === EtherType.ARP) arp(layers, e.payload, at, depth);
}

function arp(layers: TreeLayer[], bytes: Uint8Array, base: number, depth: number): void {
  const a = ArpPacket.checked(bytes);
  const fields: TreeField[] = [];
  field(fields, base, 0, 2, 'Hardware type', a.hardwareType, '1 = Ethernet');
  field(fields, base, 2, 2, 'Protocol type', hex(a.protocolType, 4), '0x0800 = IPv4');
  field(fields, base, 4, 1, 'Hardware size', a.hardwareLen, 'bytes in a MAC');
  field(fields, base, 5, 1, 'Protocol size', a.protocolLen, 'bytes in an IPv4 address');
  field(
    fields,
    base,
    6,
    2,
    'Opcode',
    a.operation === 1 ? 'request (1)' : 'reply (2)',
    a.operation === 1 ? 'who has the target address?' : 'the sender has it',
  );
  if (a.isEthernetIpv4) {
    field(fields, base, 8, 6, 'Sender MAC address', a.senderMac, '');
    field(fields, base, 14, 4, 'Sender IP address', a.senderIp, '');
    field(
      fields,
      base,
      18,
      6,
      'Target MAC address',
      a.targetMac,
      a.operation === 1 ? 'unknown yet: zeros' : '',
    );
    field(fields, base, 24, 4, 'Target IP address', a.targetIp, '');
  }
  layers.push({
    name: 'Address Resolution Protocol',
    proto: 'arp',
    depth,
    start: base,
    end: base + 28,
    fields,
  });
}

function ipv4(layers: TreeLayer[], bytes: Uint8Array, base: number, depth: number): void {
  const p = Ipv4Packet.checked(bytes);
  const fields: TreeField[] = [];
  field(fields, base, 0, 1, 'Version', p.version, 'IPv4');
  field(
    fields,
    base,
    0,
    1,
    'Header Length',
    `${p.headerLen} bytes (${p.headerLen / 4})`,
    'no options when 20',
  );
  field(fields, base, 1, 1, 'Differentiated Services', hex(p.tos, 2), 'DSCP and ECN');
  field(fields, base, 2, 2, 'Total Length', p.totalLen, 'header and payload, in bytes');
  field(
    fields,
    base,
    4,
    2,
    'Identification',
    `${hex(p.ident, 4)} (${p.ident})`,
    'the same in every fragment of one packet',
  );
  field(
    fields,
    base,
    6,
    2,
    'Flags',
    p.dontFrag ? "Don't fragment" : p.moreFrags ? 'More fragments' : 'none',
    p.dontFrag ? 'routers must not split it: too big means ICMP frag needed' : '',
  );
  field(
    fields,
    base,
    6,
    2,
    'Fragment Offset',
    p.fragOffset,
    'where this fragment starts, in 8-byte units',
  );
  field(
    fields,
    base,
    8,
    1,
    'Time to Live',
    p.ttl,
    'each router takes one off; at 0 the packet is dropped',
  );
  field(
    fields,
    base,
    9,
    1,
    'Protocol',
    `${PROTOCOLS[p.protocol] ?? 'unknown'} (${p.protocol})`,
    'what the payload is',
  );
  field(
    fields,
    base,
    10,
    2,
    'Header Checksum',
    `${hex(p.checksum, 4)} [${p.checksumValid ? 'correct' : 'incorrect'}]`,
    'recomputed by each router, as the TTL changes',
  );
  field(fields, base, 12, 4, 'Source Address', p.srcText, '');
  field(fields, base, 16, 4, 'Destination Address', p.dstText, '');
  layers.push({
    name: depth ? 'Internet Protocol Version 4 (inner)' : 'Internet Protocol Version 4',
    proto: 'ip',
    depth,
    start: base,
    end: base + p.headerLen,
    fields,
  });
  const at = base + p.headerLen;
  if (p.fragOffset !== 0) return;
  if (p.protocol === IpProtocol.ICMP) icmp(layers, p.payload, at, depth);
  else if (p.protocol === IpProtocol.UDP) udp(layers, p.payload, at, depth);
}

function udp(layers: TreeLayer[], bytes: Uint8Array, base: number, depth: number): void {
  const u = UdpPacket.checked(bytes);
  const fields: TreeField[] = [];
  const vxlan = u.dstPort === VXLAN_LINUX_PORT || u.dstPort === VXLAN_IANA_PORT;
  const flannel = u.dstPort === FLANNEL_UDP_PORT;
  field(
    fields,
    base,
    0,
    2,
    'Source Port',
    u.srcPort,
    vxlan ? 'a hash of the inner flow, so paths spread' : '',
  );
  field(
    fields,
    base,
    2,
    2,
    'Destination Port',
    u.dstPort,
    vxlan
      ? u.dstPort === VXLAN_LINUX_PORT
        ? "VXLAN, Linux's default port (flannel's)"
        : 'VXLAN (IANA)'
      : flannel
        ? "flanneld's udp backend"
        : '',
  );
  field(fields, base, 4, 2, 'Length', u.length, 'header and payload, in bytes');
  field(
    fields,
    base,
    6,
    2,
    'Checksum',
    hex(u.checksum, 4),
    u.checksum === 0 ? 'not computed' : 'over a pseudo-header, the header and the payload',
  );
  layers.push({
    name: 'User Datagram Protocol',
    proto: 'udp',
    depth,
    start: base,
    end: base + UDP_HEADER_LEN,
    fields,
  });
  const at = base + UDP_HEADER_LEN;
  if (vxlan) {
    const v = VxlanPacket.checked(u.payload);
    const vf: TreeField[] = [];
    field(
      vf,
      at,
      0,
      1,
      'Flags',
      `${hex(v.flags, 2)}${v.hasVni ? ' (VNI valid)' : ''}`,
      'I flag: the VNI field is valid',
    );
    field(vf, at, 1, 3, 'Reserved', v.reserved1, '');
    field(
      vf,
      at,
      4,
      3,
      'VXLAN Network Identifier (VNI)',
      v.vni,
      'which overlay: flannel.1 is VNI 1',
    );
    field(vf, at, 7, 1, 'Reserved', v.reserved2, '');
    layers.push({
      name: 'Virtual eXtensible Local Area Network',
      proto: 'vxlan',
      depth,
      start: at,
      end: at + VXLAN_HEADER_LEN,
      fields: vf,
    });
    ethernet(layers, v.payload, at + VXLAN_HEADER_LEN, depth + 1);
  } else if (flannel) {
    ipv4(layers, u.payload, at, depth + 1);
  }
}

function icmp(layers: TreeLayer[], bytes: Uint8Array, base: number, depth: number): void {
  const ic = IcmpPacket.checked(bytes);
  const fields: TreeField[] = [];
  field(fields, base, 0, 1, 'Type', `${ic.type} (${ICMP_TYPES[ic.type] ?? 'other'})`, '');
  field(fields, base, 1, 1, 'Code', ic.code, '');
  field(
    fields,
    base,
    2,
    2,
    'Checksum',
    `${hex(ic.checksum, 4)} [${ic.checksumValid ? 'correct' : 'incorrect'}]`,
    'over the ICMP message',
  );
  if (ic.type === IcmpType.ECHO_REQUEST || ic.type === IcmpType.ECHO_REPLY) {
    field(
      fields,
      base,
      4,
      2,
      'Identifier',
      `${ic.echoIdent} (${hex(ic.echoIdent, 4)})`,
      "ping's process id, to match replies",
    );
    field(fields, base, 6, 2, 'Sequence Number', ic.echoSeq, 'icmp_seq');
    field(
      fields,
      base,
      8,
      bytes.length - 8,
      'Data',
      `${bytes.length - 8} bytes`,
      "ping's timestamp and pattern",
    );
  }
  layers.push({
    name: 'Internet Control Message Protocol',
    proto: 'icmp',
    depth,
    start: base,
    end: base + bytes.length,
    fields,
  });
}

/** A field's place in the tree, to find it again in another hop's tree: 'ip#1/Time to Live'. */
export function fieldKey(layer: TreeLayer, f: TreeField): string {
  return `${layer.proto}#${layer.depth}/${f.name}`;
}

export interface TreeDiff {
  /** `layer index/field index` of `cur`'s fields whose value differs from the previous hop's. */
  changed: Set<string>;
  /** Indexes of `cur`'s layers the previous hop did not have (outer headers added). */
  added: Set<number>;
  /** Names of the previous hop's layers that are gone (outer headers removed). */
  removed: string[];
}

/** Layers matched from the inside out (an encapsulation adds layers outside, not inside). */
function fromInside(layers: TreeLayer[]): Map<string, number> {
  const deepest = layers.reduce((n, l) => Math.max(n, l.depth), 0);
  const out = new Map<string, number>();
  layers.forEach((l, i) => {
    if (l.proto !== 'data') out.set(`${l.proto}@${deepest - l.depth}`, i);
  });
  return out;
}

/** What changed from one hop of a packet to the next: fields rewritten, headers added or gone. */
export function treeDiff(prev: TreeLayer[], cur: TreeLayer[]): TreeDiff {
  const before = fromInside(prev);
  const now = fromInside(cur);
  const diff: TreeDiff = { changed: new Set(), added: new Set(), removed: [] };
  for (const [key, i] of now) {
    const j = before.get(key);
    if (j === undefined) {
      diff.added.add(i);
      continue;
    }
    cur[i].fields.forEach((f, k) => {
      const old = prev[j].fields.find(
        (g) => g.name === f.name && g.start - prev[j].start === f.start - cur[i].start,
      );
      if (old && old.value !== f.value) diff.changed.add(`${i}/${k}`);
    });
  }
  for (const [key, j] of before) if (!now.has(key)) diff.removed.push(prev[j].name);
  return diff;
}
