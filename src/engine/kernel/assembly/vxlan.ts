// VXLAN.

import {
  RTN_UNICAST,
  FDB_REACHABLE,
  DIR_OUT,
  DROP_IP_NOROUTE,
  DROP_VXLAN_BAD,
  DROP_VXLAN_VNI,
  DROP_VXLAN_NOFDB,
  DROP_NO_BUFFER,
} from './abi';
import { isMulticastMac, csumAdd, csumAdd16, csumAdd32, csumFold } from './bytes';
import { slotPtr, slotPush, slotPull, slotClone, slotLen } from './pool';
import {
  Link,
  VxFdb,
  now,
  fdbGen,
  fdbChanged,
  RX_ERRORS,
  TX_BYTES,
  TX_PACKETS,
  TX_DROPPED,
  TX_CARRIER,
  TX_ERRORS,
} from './state';
import {
  ETH_HLEN,
  ETH_P_IP,
  ethDst,
  ethSrc,
  ethProto,
  IP_HLEN,
  PROTO_UDP,
  PROTO_TCP,
  ipHeaderLen,
  ipProto,
  ipSaddr,
  ipDaddr,
  UDP_HLEN,
  udpSource,
  udpDest,
  udpLen,
  udpSetSource,
  udpSetDest,
  udpSetLen,
  udpSetCheck,
  VXLAN_HLEN,
  VXLAN_F_VNI,
  vxlanFlags,
  vxlanVni,
  vxlanSetHeader,
} from './headers';
import { bump, drop, netifRx, tap } from './dev';
import { ipBuildHeader, ipRouteOutput } from './ip';
// The underlay route is recorded by ipRouteOutput: the outer packet is the host's own.
import { journeyOn, journeyVxFdb, journeyEncap, journeyDecap } from './journey';

/** Source port from a symmetric hash of the inner flow, in 32768..60999 like Linux. */
// @ts-ignore: decorator
@inline
function flowSrcPort(p: usize, len: i32): u32 {
  let h: u32 = 0x2f6b1d3;
  if (len >= ETH_HLEN + IP_HLEN && ethProto(p) == ETH_P_IP) {
    const ip = p + ETH_HLEN;
    const a = ipSaddr(ip);
    const b = ipDaddr(ip);
    const proto = ipProto(ip);
    h ^= (a < b ? a : b) * 0x9e3779b1;
    h = rotl<u32>(h, 13) ^ ((a < b ? b : a) * 0x85ebca6b);
    h = rotl<u32>(h, 7) ^ (proto * 0xc2b2ae35);
    const ihl = ipHeaderLen(ip);
    if ((proto == PROTO_TCP || proto == PROTO_UDP) && len >= ETH_HLEN + ihl + 4) {
      const sp = udpSource(ip + ihl);
      const dp = udpDest(ip + ihl);
      h ^= ((sp < dp ? sp : dp) << 16) | (sp < dp ? dp : sp);
    }
  } else {
    h ^= <u32>(ethDst(p) ^ ethSrc(p));
  }
  h ^= h >> 16;
  h *= 0x7feb352d;
  h ^= h >> 15;
  h *= 0x846ca68b;
  h ^= h >> 16;
  return <u32>((<u64>h * 28232) >> 32) + 32768;
}

// @ts-ignore: decorator
@inline
export function vxlanXmit(vx: Link, s: i32): void {
  const p = slotPtr(s);
  const dst = ethDst(p);
  let e: VxFdb | null = null;
  if (vx.vxCacheGen == fdbGen && vx.vxCacheMac == dst) e = vx.vxCache;
  else {
    if (vx.vxFdb.has(dst)) e = vx.vxFdb.get(dst);
    else if (vx.vxFdb.has(0)) e = vx.vxFdb.get(0);
    vx.vxCacheMac = dst;
    vx.vxCache = e;
    vx.vxCacheGen = fdbGen;
  }
  if (e == null || e.dsts.length == 0) {
    bump(vx.stats, TX_DROPPED, 1);
    drop(s, DROP_VXLAN_NOFDB);
    return;
  }
  tap(vx, s, DIR_OUT);
  const dsts = e.dsts;
  const n = dsts.length;
  for (let i = 0; i < n - 1; i++) {
    const c = slotClone(s);
    if (c < 0) continue;
    if (journeyOn) journeyVxFdb(c, vx, e, unchecked(dsts[i]));
    vxlanEncap(vx, c, unchecked(dsts[i]));
  }
  if (journeyOn) journeyVxFdb(s, vx, e, unchecked(dsts[n - 1]));
  vxlanEncap(vx, s, unchecked(dsts[n - 1]));
}

function vxlanEncap(vx: Link, s: i32, remote: u32): void {
  const ns = vx.ns;
  const rt = ns.lookup(remote);
  if (rt == null || rt.type != RTN_UNICAST) {
    bump(vx.stats, TX_CARRIER, 1);
    drop(s, DROP_IP_NOROUTE);
    return;
  }
  const innerLen = slotLen(s);
  const sport = flowSrcPort(slotPtr(s), innerLen);
  if (!slotPush(s, 20 + 8 + VXLAN_HLEN)) {
    bump(vx.stats, TX_ERRORS, 1);
    drop(s, DROP_NO_BUFFER);
    return;
  }
  bump(vx.stats, TX_PACKETS, 1);
  // iptunnel_xmit counts from the inner network header: the frame less its Ethernet header.
  bump(vx.stats, TX_BYTES, innerLen - ETH_HLEN);
  let src = vx.vxLocal;
  if (src == 0) src = ns.routeSrc(rt);
  const ip = slotPtr(s);
  const udp = ip + 20;
  const vxh = udp + 8;
  vxlanSetHeader(vxh, vx.vni);
  const udpLen = <u32>(8 + VXLAN_HLEN + innerLen);
  udpSetSource(udp, sport);
  udpSetDest(udp, vx.dstport);
  udpSetLen(udp, udpLen);
  udpSetCheck(udp, 0);
  let acc = csumAdd32(csumAdd32(0, src), remote);
  acc = csumAdd16(csumAdd16(acc, PROTO_UDP), udpLen);
  let c = csumFold(csumAdd(udp, <i32>udpLen, acc));
  if (c == 0) c = 0xffff;
  udpSetCheck(udp, c);
  const ttl = vx.vxTtl != 0 ? vx.vxTtl : 64;
  ipBuildHeader(ip, 0, 20 + udpLen, ns.nextId(), false, ttl, PROTO_UDP, src, remote);
  if (journeyOn) journeyEncap(s, vx, src, remote, sport);
  ipRouteOutput(ns, rt, remote, s, true); // the outer packet is the host's own: OUTPUT
}

/** A UDP datagram for a vxlan device's port: decapsulate and receive on the device. */
export function vxlanRcv(vx: Link, s: i32, udpOff: i32, outerSrc: u32): void {
  const p = slotPtr(s) + <usize>udpOff;
  const avail = slotLen(s) - udpOff;
  if (avail < UDP_HLEN + VXLAN_HLEN + ETH_HLEN || (vxlanFlags(p + UDP_HLEN) & VXLAN_F_VNI) == 0) {
    bump(vx.stats, RX_ERRORS, 1);
    drop(s, DROP_VXLAN_BAD);
    return;
  }
  const vni = vxlanVni(p + UDP_HLEN);
  if (vni != vx.vni) {
    drop(s, DROP_VXLAN_VNI);
    return;
  }
  if (journeyOn) journeyDecap(s, vx, vni, outerSrc);
  slotPull(s, udpOff + 8 + VXLAN_HLEN);
  if (vx.learning) {
    const src = ethSrc(slotPtr(s));
    if (!isMulticastMac(src)) {
      if (vx.vxFdb.has(src)) {
        const e = vx.vxFdb.get(src);
        if (e.state == FDB_REACHABLE) {
          e.updated = now;
          if (e.dsts.length > 0) e.dsts[0] = outerSrc;
        }
      } else {
        const e = new VxFdb(src, FDB_REACHABLE, now);
        e.dsts.push(outerSrc);
        vx.vxFdb.set(src, e);
        vx.vxFdbList.push(e);
        fdbChanged();
      }
    }
  }
  netifRx(vx, s);
}

