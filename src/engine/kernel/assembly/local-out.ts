// Local output for sockets: errors are returned as -errno (and an MTU, see lastMtu).

import { RTN_LOCAL, RTN_BROADCAST, RTN_BLACKHOLE, RTN_UNREACHABLE, RTN_PROHIBIT } from './abi';
import { csumAdd, csumAdd16, csumAdd32, csumFold } from './bytes';
import { slotAlloc, slotAllocFor, slotPtr, setSlotLen, SLOT_MAX } from './pool';
import { Link, Netns, RX_DROPPED } from './state';
import { ENETUNREACH, EHOSTUNREACH, EACCES, EINVAL, EMSGSIZE, ENOBUFS } from './errno';
import { PROTO_UDP, udpSetCheck } from './headers';
import { bump, netifRx } from './dev';
import { ipBuildHeader, ipRouteOutput } from './ip';
import { arpSourceAddr } from './neigh';

export let lastMtu: i32 = 0;

/**
 * Sends a locally generated packet: `p` holds the payload (ICMP message or UDP datagram with
 * its header) of length len; the IPv4 header is added here. Returns 0 or -errno.
 */
export function ipSendLocal(
  ns: Netns,
  dst: u32,
  src: u32,
  proto: u32,
  p: usize,
  len: i32,
  ttl: u32,
  tos: u32,
  pmtuDo: bool,
  fillUdpCsum: bool,
): i32 {
  const rt = ns.lookup(dst);
  if (rt == null) return -ENETUNREACH;
  if (rt.type == RTN_UNREACHABLE) return -EHOSTUNREACH;
  if (rt.type == RTN_PROHIBIT) return -EACCES;
  if (rt.type == RTN_BLACKHOLE) return -EINVAL;
  let out = rt.dev;
  if (rt.type == RTN_LOCAL) out = ns.lo;
  if (out == null) return -ENETUNREACH;
  if (src == 0) src = rt.type == RTN_LOCAL ? dst : ns.routeSrc(rt);
  if (src == 0) src = arpSourceAddr(out, dst, 0);
  const tot = 20 + len;
  if (tot > 65535) return -EMSGSIZE;
  if (fillUdpCsum) {
    udpSetCheck(p, 0);
    let acc = csumAdd32(csumAdd32(0, src), dst);
    acc = csumAdd16(csumAdd16(acc, PROTO_UDP), <u32>len);
    let c = csumFold(csumAdd(p, len, acc));
    if (c == 0) c = 0xffff;
    udpSetCheck(p, c);
  }
  const mtu = out.mtu;
  if (tot > mtu && pmtuDo) {
    lastMtu = mtu;
    return -EMSGSIZE;
  }
  const df = tot <= mtu; // IP_PMTUDISC_WANT: DF when it fits, fragments otherwise
  // A big datagram takes a big slot, and ipRouteOutput fragments it if the link needs that.
  const s = slotAllocFor(tot + 64);
  if (s < 0) return -ENOBUFS;
  const q = slotPtr(s);
  memory.copy(q + 20, p, <usize>len);
  setSlotLen(s, tot);
  ipBuildHeader(q, tos, <u32>tot, ns.nextId(), df, ttl, proto, src, dst);
  return ipRouteOutput(ns, rt, dst, s, true);
}

/** A packet written to a TUN fd enters the stack as received on the device. */
export function tunInput(l: Link, p: usize, len: i32): i32 {
  if (len > SLOT_MAX) {
    bump(l.stats, RX_DROPPED, 1);
    return -EMSGSIZE;
  }
  const s = slotAlloc();
  if (s < 0) return -ENOBUFS;
  setSlotLen(s, len);
  memory.copy(slotPtr(s), p, <usize>len);
  netifRx(l, s);
  return 0;
}
