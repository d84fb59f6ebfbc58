// The packet journey of a whole lab: every host's recording (kernel/journey.ts) merged into
// one story in causal order, each frame with its interface's lab-wide name (`node2/flannel.1`),
// what tcpdump prints for it, the packet it belongs to (inner and outer headers of one packet
// are one packet, across hosts), and the table rows that sent it there, as `ip route`,
// `ip neigh` and `bridge fdb` print them. Also its export as one pcapng file.

import type { HostJourney, JourneyDecision, JourneyFrame } from '../kernel/journey.ts';
import { ROOT_NS, type LinkInfo, type NsId } from '../kernel/types.ts';
import { ArpPacket } from '../packet/arp.ts';
import { EtherType, EthernetFrame } from '../packet/ethernet.ts';
import { IcmpPacket, IcmpType } from '../packet/icmp.ts';
import { IpProtocol, Ipv4Packet } from '../packet/ipv4.ts';
import { LINKTYPE_RAW } from '../packet/pcap.ts';
import { writePcapng, type PcapngInterface } from '../packet/pcapng.ts';
import { UdpPacket } from '../packet/udp.ts';
import { VXLAN_IANA_PORT, VXLAN_LINUX_PORT, VxlanPacket } from '../packet/vxlan.ts';
import { fdbLine } from '../programs/bridge/fdb.ts';
import { neighLine } from '../programs/ip/neigh.ts';
import { routeLine } from '../programs/ip/route.ts';
import { formatTimestamp, printPacket } from '../programs/tcpdump/print.ts';

/** The udp backend's port (flanneld's default). */
export const FLANNEL_UDP_PORT = 8285;

export interface HostRecording {
  host: string;
  journey: HostJourney;
}

export interface JourneyEvent {
  /** Position in the journey, from 0. */
  index: number;
  time: number;
  host: string;
  /** The namespace: '' for the host's own, a pod's name otherwise. */
  ns: NsId;
  ifname: string;
  /** The interface's lab-wide name: `node2/flannel.1`, `node2/pod1/eth0`. */
  iface: string;
  direction: 'in' | 'out';
  linktype: 1 | 101;
  /** The interface's MTU when the journey was recorded. */
  mtu?: number;
  data: Uint8Array;
  /** What `tcpdump -n` prints for the frame (after the timestamp; several lines for VXLAN). */
  summary: string;
  /** The packet this frame carries (1, 2, ...): inner and outer headers of one are one. */
  packet: number;
  /** The encapsulations around the innermost packet: [] plain, ['vxlan'] or ['udp']. */
  wrapping: ('vxlan' | 'udp')[];
  /** The innermost IPv4 header's TTL, if there is one. */
  innerTtl?: number;
  decisions: JourneyDecision[];
  /** "Why did it go there?": the rows that decided, as the tools print them. */
  why: string[];
}

export interface JourneyPacket {
  id: number;
  /** 'ICMP echo request 10.244.1.2 > 10.244.2.2 id 1 seq 1', 'ARP who-has 172.16.112.13'. */
  label: string;
}

export interface Journey {
  events: JourneyEvent[];
  packets: JourneyPacket[];
  /** Frames the hosts saw but did not keep (a recording is bounded). */
  missed: number;
}

/** The innermost packet of a frame: its identity (same on every hop), label, TTL, wrappings. */
export interface Innermost {
  key: string;
  label: string;
  ttl?: number;
  wrapping: ('vxlan' | 'udp')[];
}

/** Unwraps Ethernet, VXLAN (8472 or 4789) and flannel's UDP (8285) down to the packet inside. */
export function innermost(data: Uint8Array, linktype: number): Innermost | null {
  const wrapping: ('vxlan' | 'udp')[] = [];
  let ip: Uint8Array;
  try {
    if (linktype === LINKTYPE_RAW) ip = data;
    else {
      const eth = EthernetFrame.checked(data);
      if (eth.ethertype === EtherType.ARP) return arpIdentity(eth.payload);
      if (eth.ethertype !== EtherType.IPV4) return null;
      ip = eth.payload;
    }
    for (;;) {
      const p = Ipv4Packet.checked(ip);
      if (p.protocol === IpProtocol.UDP && p.fragOffset === 0) {
        const u = UdpPacket.checked(p.payload);
        if (u.dstPort === VXLAN_LINUX_PORT || u.dstPort === VXLAN_IANA_PORT) {
          const inner = EthernetFrame.checked(VxlanPacket.checked(u.payload).payload);
          wrapping.push('vxlan');
          if (inner.ethertype === EtherType.ARP)
            return { ...arpIdentity(inner.payload)!, wrapping };
          if (inner.ethertype !== EtherType.IPV4) return null;
          ip = inner.payload;
          continue;
        }
        if (u.dstPort === FLANNEL_UDP_PORT || u.srcPort === FLANNEL_UDP_PORT) {
          wrapping.push('udp');
          ip = u.payload;
          continue;
        }
      }
      const id = `${p.srcText}>${p.dstText}/${p.protocol}/${p.ident}/${p.fragOffset}`;
      return { key: `ip ${id}`, label: ipLabel(p), ttl: p.ttl, wrapping };
    }
  } catch {
    return null; // a frame the codec cannot read is its own packet
  }
}

function arpIdentity(bytes: Uint8Array): Innermost | null {
  const a = ArpPacket.checked(bytes);
  if (!a.isEthernetIpv4) return null;
  const label =
    a.operation === 1
      ? `ARP who-has ${a.targetIp} tell ${a.senderIp}`
      : `ARP ${a.senderIp} is-at ${a.senderMac}`;
  return { key: `arp ${a.operation} ${a.senderIp} ${a.targetIp}`, label, wrapping: [] };
}

function ipLabel(p: Ipv4Packet): string {
  const route = `${p.srcText} > ${p.dstText}`;
  if (p.protocol === IpProtocol.ICMP && p.fragOffset === 0) {
    try {
      const ic = IcmpPacket.checked(p.payload);
      if (ic.type === IcmpType.ECHO_REQUEST || ic.type === IcmpType.ECHO_REPLY) {
        const what = ic.type === IcmpType.ECHO_REQUEST ? 'echo request' : 'echo reply';
        return `ICMP ${what} ${route} id ${ic.echoIdent} seq ${ic.echoSeq}`;
      }
      return `ICMP type ${ic.type} ${route}`;
    } catch {
      return `ICMP ${route}`;
    }
  }
  if (p.protocol === IpProtocol.UDP) return `UDP ${route}`;
  return `IP proto ${p.protocol} ${route}`;
}

/** The interface's lab-wide name. */
export function ifaceName(host: string, ns: NsId, ifname: string): string {
  return ns === ROOT_NS ? `${host}/${ifname}` : `${host}/${ns}/${ifname}`;
}

const ICMP_DELIVERED: Record<number, string> = {
  [IcmpType.ECHO_REQUEST]: 'ICMP echo request to the stack, which answers it',
  [IcmpType.ECHO_REPLY]: "ICMP echo reply to the stack and ping's socket",
};

/** The rows that decided, as `ip route` / `ip neigh` / `bridge fdb` print them, and the rest
 * in words. */
export function whyRows(
  decisions: readonly JourneyDecision[],
  links: Record<NsId, LinkInfo[]>,
): string[] {
  const rows: string[] = [];
  for (const d of decisions) {
    const ls = 'ns' in d ? (links[d.ns] ?? []) : [];
    const name = (i: number) => ls.find((l) => l.ifindex === i)?.name ?? `if${i}`;
    switch (d.kind) {
      case 'route':
        rows.push(
          `ip route: ${routeLine(d.route, ls, { details: false, showDev: true, showTable: true }).trimEnd()}`,
        );
        break;
      case 'neigh':
        rows.push(`ip neigh: ${neighLine(d.neigh, ls, true).trimEnd()}`);
        break;
      case 'bridge':
        if (d.fdb) rows.push(`bridge fdb: ${fdbLine(d.fdb, name, true, false).trimEnd()}`);
        rows.push(
          d.how === 'local'
            ? `bridge ${name(d.bridge)}: for the bridge itself, up to the host's stack`
            : d.how === 'flood'
              ? `bridge ${name(d.bridge)}: flooded to ${d.port !== undefined ? name(d.port) : 'the host'}`
              : `bridge ${name(d.bridge)}: forwarded to port ${name(d.port ?? 0)}`,
        );
        break;
      case 'vxfdb':
        rows.push(`bridge fdb: ${fdbLine(d.fdb, name, true, false).trimEnd()}`);
        break;
      case 'encap':
        rows.push(
          `encapsulated by ${name(d.ifindex)}: VXLAN VNI ${d.vni} in UDP ${d.srcPort} > ${d.dstPort}, IPv4 ${d.local} > ${d.remote}`,
        );
        break;
      case 'decap':
        rows.push(`decapsulated by ${name(d.ifindex)}: VXLAN VNI ${d.vni} from ${d.outerSrc}`);
        break;
      case 'drop':
        rows.push(`dropped: ${d.reason}`);
        break;
      case 'deliver':
        rows.push(
          d.to === 'icmp'
            ? `delivered: ${ICMP_DELIVERED[d.detail] ?? `ICMP type ${d.detail} to the stack`}`
            : d.to === 'udp'
              ? `delivered: to the UDP socket on port ${d.detail}`
              : `delivered: to the reader of ${name(d.detail)} (flanneld)`,
        );
        break;
    }
  }
  return rows;
}

function isWire(host: HostJourney, f: JourneyFrame): boolean {
  return (
    f.ns === ROOT_NS && host.links[ROOT_NS]?.find((l) => l.ifindex === f.ifindex)?.kind === 'ether'
  );
}

function bytesKey(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  return s;
}

/**
 * Merges the hosts' recordings in causal order: each host's frames keep their order, a frame
 * received off the wire comes after the frame another host sent (the same bytes), and among
 * the rest the earliest lab time goes first (ties stay with the host of the last frame).
 */
export function buildJourney(recordings: readonly HostRecording[]): Journey {
  const sent = new Map<string, number>(); // wire frames sent, not yet matched by a receive
  const pendingSends = new Map<string, number>();
  for (const r of recordings)
    for (const f of r.journey.frames)
      if (isWire(r.journey, f) && f.direction === 'out') {
        const k = bytesKey(f.data);
        pendingSends.set(k, (pendingSends.get(k) ?? 0) + 1);
      }
  const next = recordings.map(() => 0);
  const events: JourneyEvent[] = [];
  const packets: JourneyPacket[] = [];
  const packetIds = new Map<string, number>();
  let lastHost = -1;
  for (;;) {
    let pick = -1;
    for (let h = 0; h < recordings.length; h++) {
      const r = recordings[h];
      const f = r.journey.frames[next[h]];
      if (!f) continue;
      if (isWire(r.journey, f) && f.direction === 'in') {
        const k = bytesKey(f.data);
        // Waits for its sender while the sender's frame is still to come.
        if ((pendingSends.get(k) ?? 0) > 0 && !sent.has(k)) continue;
      }
      if (pick < 0) {
        pick = h;
        continue;
      }
      const best = recordings[pick].journey.frames[next[pick]];
      if (f.time < best.time || (f.time === best.time && h === lastHost)) pick = h;
    }
    if (pick < 0) {
      // Only receives waiting for sends that never come (cannot happen); take them as they are.
      const h = next.findIndex((n, i) => n < recordings[i].journey.frames.length);
      if (h < 0) break;
      pick = h;
    }
    const r = recordings[pick];
    const f = r.journey.frames[next[pick]++];
    lastHost = pick;
    if (isWire(r.journey, f) && f.direction === 'out') {
      const k = bytesKey(f.data);
      sent.set(k, (sent.get(k) ?? 0) + 1);
      pendingSends.set(k, (pendingSends.get(k) ?? 1) - 1);
    }
    const inner = innermost(f.data, f.linktype);
    const key = inner?.key ?? `frame ${events.length}`;
    let packet = packetIds.get(key);
    if (packet === undefined) {
      packet = packets.length + 1;
      packetIds.set(key, packet);
      packets.push({ id: packet, label: inner?.label ?? 'unknown frame' });
    }
    events.push({
      index: events.length,
      time: f.time,
      host: r.host,
      ns: f.ns,
      ifname: f.ifname,
      iface: ifaceName(r.host, f.ns, f.ifname),
      direction: f.direction,
      linktype: f.linktype,
      mtu: r.journey.links[f.ns]?.find((l) => l.ifindex === f.ifindex)?.mtu,
      data: f.data,
      summary: printPacket(f.data, f.data.length, f.linktype, {
        verbose: 0,
        linkHeader: false,
        numeric: true,
      }),
      packet,
      wrapping: inner?.wrapping ?? [],
      innerTtl: inner?.ttl,
      decisions: f.decisions,
      why: whyRows(f.decisions, r.journey.links),
    });
  }
  return { events, packets, missed: recordings.reduce((n, r) => n + r.journey.missed, 0) };
}

/** The journey as `trace` prints it: one line per frame (VXLAN's inner line indented). */
export function journeyLines(events: readonly JourneyEvent[]): string[] {
  return events.map((e) => {
    const where = e.ns ? `${e.ns}/${e.ifname}` : e.ifname;
    const dir = e.direction === 'in' ? 'In ' : 'Out';
    const head = `${formatTimestamp(e.time)} ${e.host} ${where} ${dir} `;
    return head + e.summary.replace(/\n/g, `\n${' '.repeat(head.length)}`);
  });
}

/** A decision's comment for the pcapng packet: the why rows, one a line. */
function comment(e: JourneyEvent): string {
  const lines = [`${e.iface} ${e.direction}, packet ${e.packet}`, ...e.why];
  return lines.join('\n');
}

/**
 * The journey as one pcapng: an interface description block per (host, interface), named
 * `node2/flannel.1`, each packet with its direction flag and the kernel's decisions as its
 * comment. Wireshark decodes UDP 4789 as VXLAN; flannel's 8472 needs `-d udp.port==8472,vxlan`
 * (Decode As in the GUI).
 */
export function journeyPcapng(events: readonly JourneyEvent[]): Uint8Array {
  const interfaces: PcapngInterface[] = [];
  const ids = new Map<string, number>();
  const packets = events.map((e) => {
    let id = ids.get(e.iface);
    if (id === undefined) {
      id = interfaces.length;
      ids.set(e.iface, id);
      interfaces.push({ name: e.iface, linktype: e.linktype });
    }
    return {
      interfaceId: id,
      time: e.time,
      data: e.data,
      direction: e.direction,
      comment: comment(e),
    };
  });
  return writePcapng(interfaces, packets);
}
