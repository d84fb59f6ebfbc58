// IPv4.

import {
  KIND_LOOPBACK,
  RTN_UNICAST,
  RTN_LOCAL,
  RTN_BROADCAST,
  RTN_BLACKHOLE,
  RTN_UNREACHABLE,
  RTN_PROHIBIT,
  DROP_IP_SHORT,
  DROP_IP_VERSION,
  DROP_IP_IHL,
  DROP_IP_TOTLEN,
  DROP_IP_CSUM,
  DROP_IP_NOFORWARD,
  DROP_IP_NOROUTE,
  DROP_IP_TTL,
  DROP_IP_PROTO,
  DROP_NO_BUFFER,
  DROP_IP_MTU,
  DROP_IP_BLACKHOLE,
  DROP_IP_MARTIAN,
} from './abi';
import { csumFold, csum } from './bytes';
import { slotAllocFor, slotFree, slotPtr, slotPull, slotLen, setSlotLen } from './pool';
import { Link, Netns, Route, now, RX_ERRORS } from './state';
import {
  IP_DF,
  IP_MF,
  IP_OFFSET,
  PROTO_ICMP,
  PROTO_UDP,
  ipVersion,
  ipHeaderLen,
  ipTotLen,
  ipFragOff,
  ipTtl,
  ipProto,
  ipCheck,
  ipSaddr,
  ipDaddr,
  ipSetTotLen,
  ipSetFragOff,
  ipSetTtl,
  ipSetCheck,
  ICMP_DEST_UNREACH,
  ICMP_TIME_EXCEEDED,
  ICMP_NET_UNREACH,
  ICMP_HOST_UNREACH,
  ICMP_PROT_UNREACH,
  ICMP_FRAG_NEEDED,
  ICMP_PKT_FILTERED,
  ICMP_EXC_TTL,
} from './headers';
import { bump, count, drop } from './dev';
import { icmpError, icmpRcv } from './icmp';
import { ipDefrag } from './ip-reasm';
import { neighOutput } from './neigh';
import { udpRcv } from './udp';
import { nfOn, nfPrerouting, nfInput, nfForward, nfOutput, nfPostrouting } from './netfilter';
import { ENETUNREACH, EPERM } from './errno';
import { journeyOn, journeyRoute } from './journey';

// @ts-ignore: decorator
@inline
export function ipBuildHeader(
  p: usize,
  tos: u32,
  totLen: u32,
  id: u32,
  df: bool,
  ttl: u32,
  proto: u32,
  src: u32,
  dst: u32,
): void {
  // Five little-endian words holding the big-endian header, summed as they are stored.
  const w0: u32 = 0x45 | ((tos & 0xff) << 8) | (((totLen & 0xff) << 24) | ((totLen & 0xff00) << 8));
  const w1: u32 = ((id & 0xff) << 8) | ((id >> 8) & 0xff) | (df ? 0x400000 : 0);
  const w2: u32 = (ttl & 0xff) | ((proto & 0xff) << 8); // checksum field zero while summing
  const w3 = bswap<u32>(src);
  const w4 = bswap<u32>(dst);
  store<u32>(p, w0);
  store<u32>(p, w1, 4);
  store<u32>(p, w2, 8);
  store<u32>(p, w3, 12);
  store<u32>(p, w4, 16);
  ipSetCheck(p, csumFold(<u64>w0 + <u64>w1 + <u64>w2 + <u64>w3 + <u64>w4));
}

export function ipRcv(l: Link, s: i32, off: i32): void {
  const avail = slotLen(s) - off;
  const p = slotPtr(s) + <usize>off;
  if (avail < 20) {
    bump(l.stats, RX_ERRORS, 1);
    drop(s, DROP_IP_SHORT);
    return;
  }
  if (ipVersion(p) != 4) {
    bump(l.stats, RX_ERRORS, 1);
    drop(s, DROP_IP_VERSION);
    return;
  }
  const ihl = ipHeaderLen(p);
  if (ihl < 20 || ihl > avail) {
    bump(l.stats, RX_ERRORS, 1);
    drop(s, DROP_IP_IHL);
    return;
  }
  const tot = <i32>ipTotLen(p);
  if (tot < ihl || tot > avail) {
    bump(l.stats, RX_ERRORS, 1);
    drop(s, DROP_IP_TOTLEN);
    return;
  }
  if (csum(p, ihl) != 0) {
    bump(l.stats, RX_ERRORS, 1);
    drop(s, DROP_IP_CSUM);
    return;
  }
  // Drop the link header and any Ethernet padding: the slot now holds exactly the packet.
  slotPull(s, off);
  setSlotLen(s, tot);
  const ns = l.ns;
  if (nfOn && !nfPrerouting(ns, l, s)) return;
  const dst = ipDaddr(p);
  const src = ipSaddr(p);
  if (src >> 24 == 127 && l.kind != KIND_LOOPBACK) {
    drop(s, DROP_IP_MARTIAN);
    return;
  }
  if (dst == 0xffffffff) {
    ipLocalDeliver(ns, l, s);
    return;
  }
  const rt = ns.lookup(dst);
  if (journeyOn && rt != null) journeyRoute(ns, s, dst, rt);
  if (rt != null && (rt.type == RTN_LOCAL || rt.type == RTN_BROADCAST)) {
    ipLocalDeliver(ns, l, s);
    return;
  }
  if (!ns.forward || l.kind == KIND_LOOPBACK) {
    drop(s, DROP_IP_NOFORWARD);
    return;
  }
  if (rt == null) {
    icmpError(ns, s, 0, ICMP_DEST_UNREACH, ICMP_NET_UNREACH, 0);
    drop(s, DROP_IP_NOROUTE);
    return;
  }
  ipForward(ns, l, rt, s);
}

function ipForward(ns: Netns, _in: Link, rt: Route, s: i32): void {
  const p = slotPtr(s);
  const t = rt.type;
  if (t != RTN_UNICAST) {
    if (t == RTN_UNREACHABLE) icmpError(ns, s, 0, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 0);
    else if (t == RTN_PROHIBIT) icmpError(ns, s, 0, ICMP_DEST_UNREACH, ICMP_PKT_FILTERED, 0);
    drop(s, t == RTN_BLACKHOLE ? DROP_IP_BLACKHOLE : DROP_IP_NOROUTE);
    return;
  }
  const ttl = ipTtl(p);
  if (ttl <= 1) {
    icmpError(ns, s, 0, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, 0);
    drop(s, DROP_IP_TTL);
    return;
  }
  const out = rt.dev;
  if (out == null) {
    drop(s, DROP_IP_NOROUTE);
    return;
  }
  const len = slotLen(s);
  const df = (ipFragOff(p) & IP_DF) != 0;
  if (len > out.mtu && df) {
    icmpError(ns, s, 0, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, <u32>out.mtu);
    drop(s, DROP_IP_MTU);
    return;
  }
  // TTL - 1 and the incremental checksum update of RFC 1624.
  ipSetTtl(p, ttl - 1);
  let c = ipCheck(p) + 0x100;
  c = (c & 0xffff) + (c >> 16);
  ipSetCheck(p, c);
  if (nfOn && !nfForward(ns, _in, out, s)) return;
  const dst = ipDaddr(p);
  ipRouteOutput(ns, rt, dst, s, false);
}

/** Sends a complete IP packet along route rt: loopback for local routes, else the route's
 * device via the neighbour layer, fragmenting when it is too big and DF is clear. A `local`
 * packet (made by this host) crosses OUTPUT first; returns -EPERM when netfilter drops it. */
export function ipRouteOutput(ns: Netns, rt: Route, dst: u32, s: i32, local: bool): i32 {
  if (journeyOn && local) journeyRoute(ns, s, dst, rt);
  let out = rt.dev;
  if (rt.type == RTN_LOCAL) out = ns.lo;
  if (out == null) {
    drop(s, DROP_IP_NOROUTE);
    return 0;
  }
  let nh = rt.gw != 0 ? rt.gw : dst;
  if (nfOn) {
    if (local && nfOutput(ns, out, s) < 0) return -EPERM;
    if (local && ipDaddr(slotPtr(s)) != dst) {
      // DNAT at OUTPUT moved the destination: route again (ip_route_me_harder).
      dst = ipDaddr(slotPtr(s));
      const again = ns.lookup(dst);
      if (again == null || (again.type != RTN_UNICAST && again.type != RTN_LOCAL)) {
        drop(s, DROP_IP_NOROUTE);
        return -ENETUNREACH;
      }
      rt = again;
      out = rt.type == RTN_LOCAL ? ns.lo : rt.dev;
      if (out == null) {
        drop(s, DROP_IP_NOROUTE);
        return -ENETUNREACH;
      }
      nh = rt.gw != 0 ? rt.gw : dst;
    }
    if (!nfPostrouting(ns, out!, nh, s)) return local ? -EPERM : 0;
  }
  if (slotLen(s) > out.mtu) {
    const p = slotPtr(s);
    if ((ipFragOff(p) & IP_DF) != 0) {
      drop(s, DROP_IP_MTU);
      return 0;
    }
    ipFragment(ns, out, nh, p, slotLen(s), out.mtu, rt.type == RTN_BROADCAST);
    slotFree(s);
    return 0;
  }
  neighOutput(ns, out, nh, s, rt.type == RTN_BROADCAST);
  return 0;
}

/** Splits the packet at p into fragments that fit `mtu` (RFC 791). */
export function ipFragment(
  ns: Netns,
  out: Link,
  nh: u32,
  p: usize,
  tot: i32,
  mtu: i32,
  bcast: bool,
): void {
  const ihl = ipHeaderLen(p);
  const payload = tot - ihl;
  const chunk = ((mtu - ihl) / 8) * 8;
  if (chunk <= 0) {
    count(DROP_IP_MTU);
    return;
  }
  const base = <i32>(ipFragOff(p) & IP_OFFSET);
  const moreOrig = ipFragOff(p) & IP_MF;
  let off = 0;
  while (off < payload) {
    const n = min(chunk, payload - off);
    const last = off + n >= payload;
    const f = slotAllocFor(ihl + n + 64);
    if (f < 0) {
      count(DROP_NO_BUFFER);
      return;
    }
    const q = slotPtr(f);
    memory.copy(q, p, <usize>ihl);
    memory.copy(q + <usize>ihl, p + <usize>(ihl + off), <usize>n);
    setSlotLen(f, ihl + n);
    ipSetTotLen(q, <u32>(ihl + n));
    ipSetFragOff(q, (<u32>(base + off / 8)) | (last ? moreOrig : IP_MF));
    ipSetCheck(q, 0);
    ipSetCheck(q, csum(q, ihl));
    neighOutput(ns, out, nh, f, bcast);
    off += n;
  }
}

function ipLocalDeliver(ns: Netns, l: Link, s: i32): void {
  let p = slotPtr(s);
  const frag = ipFragOff(p);
  if ((frag & (IP_MF | IP_OFFSET)) != 0) {
    s = ipDefrag(ns, s);
    if (s < 0) return;
    p = slotPtr(s);
  }
  if (nfOn && !nfInput(ns, l, s)) return;
  const proto = ipProto(p);
  if (proto == PROTO_ICMP) icmpRcv(ns, s);
  else if (proto == PROTO_UDP) udpRcv(ns, l, s);
  else {
    icmpError(ns, s, 0, ICMP_DEST_UNREACH, ICMP_PROT_UNREACH, 0);
    drop(s, DROP_IP_PROTO);
  }
}

