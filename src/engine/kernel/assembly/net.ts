// The packet path: link transmit/receive, the backlog, bridge, vxlan, ARP and neighbours,
// IPv4 input/forward/output, ICMP, UDP, TUN and capture taps.

import {
  KIND_LOOPBACK,
  KIND_ETHER,
  KIND_VETH,
  KIND_BRIDGE,
  KIND_VXLAN,
  KIND_TUN,
  RTN_UNICAST,
  RTN_LOCAL,
  RTN_BROADCAST,
  RTN_BLACKHOLE,
  RTN_UNREACHABLE,
  RTN_PROHIBIT,
  NUD_INCOMPLETE,
  NUD_REACHABLE,
  NUD_STALE,
  NUD_DELAY,
  NUD_PROBE,
  NUD_FAILED,
  NUD_NOARP,
  NUD_PERMANENT,
  NUD_NONE,
  FDB_REACHABLE,
  DELIVER_ICMP,
  DELIVER_UDP,
  DELIVER_TUN,
  DELIVER_CAPTURE,
  DIR_IN,
  DIR_OUT,
  DROP_ETH_SHORT,
  DROP_ETH_TYPE,
  DROP_ETH_OTHERHOST,
  DROP_ARP_MALFORMED,
  DROP_IP_SHORT,
  DROP_IP_VERSION,
  DROP_IP_IHL,
  DROP_IP_TOTLEN,
  DROP_IP_CSUM,
  DROP_IP_NOFORWARD,
  DROP_IP_NOROUTE,
  DROP_IP_TTL,
  DROP_IP_FRAG,
  DROP_IP_PROTO,
  DROP_ICMP_SHORT,
  DROP_ICMP_CSUM,
  DROP_UDP_SHORT,
  DROP_UDP_CSUM,
  DROP_UDP_NOPORT,
  DROP_VXLAN_BAD,
  DROP_VXLAN_VNI,
  DROP_VXLAN_NOFDB,
  DROP_NEIGH_FAILED,
  DROP_NEIGH_QUEUE,
  DROP_LINK_DOWN,
  DROP_NO_BUFFER,
  DROP_BRIDGE_SRC,
  DROP_BRIDGE_SAME_PORT,
  DROP_BACKLOG,
  DROP_TUN_NOFD,
  DROP_IP_MTU,
  DROP_IP_BLACKHOLE,
  DROP_ARP_NOARP,
  DROP_IP_MARTIAN,
} from './abi';
import {
  isMulticastMac,
  BROADCAST_MAC,
  csumAdd,
  csumAdd16,
  csumAdd32,
  csumFold,
  csum,
} from './bytes';
import {
  slotAlloc,
  slotFree,
  slotPtr,
  slotPush,
  slotPull,
  slotClone,
  slotLen,
  setTailSum,
  clearTailSum,
  tailSum,
  setSlotLen,
  SLOT_COUNT,
  SLOT_MAX,
} from './pool';
import {
  Link,
  Netns,
  Neigh,
  Route,
  Sock,
  BrFdb,
  VxFdb,
  now,
  setNowValue,
  fdbGen,
  fdbChanged,
  random32,
  drops,
  allLinks,
  captureCount,
  neighKey,
  RX_BYTES,
  RX_PACKETS,
  RX_ERRORS,
  RX_DROPPED,
  RX_MCAST,
  TX_BYTES,
  TX_PACKETS,
  TX_DROPPED,
  TX_CARRIER,
  TX_ERRORS,
} from './state';

import { wireTx, deliver } from './host';
import { ENETUNREACH, EHOSTUNREACH, EACCES, EINVAL, EMSGSIZE, ENOBUFS } from './errno';
import {
  ETH_HLEN,
  ETH_P_IP,
  ETH_P_ARP,
  ethDst,
  ethSrc,
  ethProto,
  ethSetDst,
  ethSetSrc,
  ethSetProto,
  ARP_LEN,
  ARPHRD_ETHER,
  ARPOP_REQUEST,
  ARPOP_REPLY,
  arpHrd,
  arpPro,
  arpHln,
  arpPln,
  arpOp,
  arpSha,
  arpSip,
  arpTip,
  arpSetEtherIp,
  arpSetOp,
  arpSetSha,
  arpSetSip,
  arpSetTha,
  arpSetTip,
  IP_HLEN,
  IP_DF,
  IP_MF,
  IP_OFFSET,
  PROTO_ICMP,
  PROTO_UDP,
  PROTO_TCP,
  ipVersion,
  ipHeaderLen,
  ipTos,
  ipTotLen,
  ipId,
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
  UDP_HLEN,
  udpSource,
  udpDest,
  udpLen,
  udpCheck,
  udpSetSource,
  udpSetDest,
  udpSetLen,
  udpSetCheck,
  ICMP_ECHOREPLY,
  ICMP_DEST_UNREACH,
  ICMP_ECHO,
  ICMP_TIME_EXCEEDED,
  ICMP_TIMESTAMP,
  ICMP_INFO_REQUEST,
  ICMP_ADDRESS,
  ICMP_NET_UNREACH,
  ICMP_HOST_UNREACH,
  ICMP_PROT_UNREACH,
  ICMP_PORT_UNREACH,
  ICMP_FRAG_NEEDED,
  ICMP_PKT_FILTERED,
  ICMP_EXC_TTL,
  icmpType,
  icmpSetType,
  icmpSetCode,
  icmpSetCheck,
  icmpSetFragMtu,
  VXLAN_HLEN,
  VXLAN_F_VNI,
  vxlanFlags,
  vxlanVni,
  vxlanSetHeader,
} from './headers';

/** Where the payload of a VXLAN-carried IPv4 packet (no options) starts in the UDP datagram:
 * UDP 8 + VXLAN 8 + Ethernet 14 + IPv4 20. */
const VXLAN_INNER_PAYLOAD: i32 = 50;
const REACHABLE_MS: f64 = 30000;
const RETRANS_MS: f64 = 1000;
const DELAY_PROBE_MS: f64 = 5000;
const MAX_PROBES: i32 = 3;
const NEIGH_QUEUE_MAX: i32 = 3;

/** Benchmark mode: ether transmissions are counted instead of handed to the wire. */
export let benchMode: bool = false;
export let benchTx: i32 = 0;
export function setBenchMode(on: bool): void {
  benchMode = on;
  benchTx = 0;
}

/** Adds v to counter i. A raw load/store: `unchecked(a[i] += v)` still calls the checked
 * accessors, and counters are bumped several times per frame. */
// @ts-ignore: decorator
@inline
function bump(counters: StaticArray<f64>, i: i32, v: f64): void {
  const p = changetype<usize>(counters) + ((<usize>i) << 3);
  store<f64>(p, load<f64>(p) + v);
}

export function drop(s: i32, reason: i32): void {
  bump(drops, reason, 1);
  slotFree(s);
}

function count(reason: i32): void {
  bump(drops, reason, 1);
}

// ---------------------------------------------------------------------------------------------
// The backlog (like netif_rx): frames handed from one link to another wait here, and
// runBacklog processes them in a loop instead of recursing through the stack.

const backlogSlot = new StaticArray<i32>(SLOT_COUNT);
const backlogLink = new StaticArray<i32>(SLOT_COUNT);
let backlogHead: i32 = 0;
let backlogCount: i32 = 0;

export function netifRx(l: Link, s: i32): void {
  if (backlogCount >= SLOT_COUNT) {
    bump(l.stats, RX_DROPPED, 1);
    drop(s, DROP_BACKLOG);
    return;
  }
  const at = (backlogHead + backlogCount) & (SLOT_COUNT - 1);
  unchecked((backlogSlot[at] = s));
  unchecked((backlogLink[at] = l.id));
  backlogCount++;
}

export function runBacklog(): void {
  let budget = 1000000;
  while (backlogCount > 0) {
    const s = unchecked(backlogSlot[backlogHead]);
    const id = unchecked(backlogLink[backlogHead]);
    backlogHead = (backlogHead + 1) & (SLOT_COUNT - 1);
    backlogCount--;
    const l = unchecked(allLinks[id]);
    if (l == null || budget-- <= 0) {
      drop(s, DROP_BACKLOG);
      continue;
    }
    netifReceive(l, s);
  }
}

// ---------------------------------------------------------------------------------------------
// Capture taps.

// @ts-ignore: decorator
@inline
function tap(l: Link, s: i32, dir: i32): void {
  // Inlined so that the common case (no capture anywhere) costs one compare per hop.
  if (captureCount != 0) tapAll(l, s, dir);
}

function tapAll(l: Link, s: i32, dir: i32): void {
  const caps = l.ns.captures;
  const linktype: u32 = l.kind == KIND_TUN ? 101 : 1;
  for (let i = 0; i < caps.length; i++) {
    const c = unchecked(caps[i]);
    if (c.ifindex == 0 || c.ifindex == l.ifindex) {
      deliver(
        DELIVER_CAPTURE,
        c.fd,
        slotPtr(s),
        slotLen(s),
        <u32>l.ifindex,
        (<u32>dir) | (linktype << 8),
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Link transmit and receive.

/** Transmits the frame in slot s on link l (an Ethernet frame, or an IP packet for TUN). */
export function devXmit(l: Link, s: i32): void {
  if (!l.up) {
    bump(l.stats, TX_DROPPED, 1);
    drop(s, DROP_LINK_DOWN);
    return;
  }
  const len = slotLen(s);
  const k = l.kind;
  if (k == KIND_VXLAN) {
    vxlanXmit(l, s);
    return;
  }
  tap(l, s, DIR_OUT);
  if (k == KIND_BRIDGE) {
    bump(l.stats, TX_PACKETS, 1);
    bump(l.stats, TX_BYTES, len);
    bridgeDevXmit(l, s);
    return;
  }
  if (k == KIND_VETH) {
    const peer = l.peer;
    if (peer == null || !peer.up) {
      bump(l.stats, TX_DROPPED, 1);
      drop(s, DROP_LINK_DOWN);
      return;
    }
    bump(l.stats, TX_PACKETS, 1);
    bump(l.stats, TX_BYTES, len);
    netifRx(peer, s);
    return;
  }
  bump(l.stats, TX_PACKETS, 1);
  bump(l.stats, TX_BYTES, len);
  if (k == KIND_LOOPBACK) {
    netifRx(l, s);
  } else if (k == KIND_ETHER) {
    if (benchMode) benchTx++;
    else wireTx(l.ifindex, slotPtr(s), len);
    slotFree(s);
  } else if (k == KIND_TUN) {
    if (l.tunFd < 0) {
      bump(l.stats, TX_DROPPED, 1);
      drop(s, DROP_TUN_NOFD);
      return;
    }
    deliver(DELIVER_TUN, l.tunFd, slotPtr(s), len, 0, 0);
    slotFree(s);
  } else {
    slotFree(s);
  }
}

/** A frame received on link l. */
export function netifReceive(l: Link, s: i32): void {
  if (!l.up) {
    drop(s, DROP_LINK_DOWN);
    return;
  }
  const len = slotLen(s);
  bump(l.stats, RX_PACKETS, 1);
  bump(l.stats, RX_BYTES, len);
  tap(l, s, DIR_IN);
  if (l.kind == KIND_TUN) {
    ipRcv(l, s, 0);
    return;
  }
  if (len < ETH_HLEN) {
    bump(l.stats, RX_ERRORS, 1);
    drop(s, DROP_ETH_SHORT);
    return;
  }
  const br = l.master;
  if (br != null) {
    bridgeInput(br, l, s);
    return;
  }
  etherInput(l, s);
}

/** Protocol dispatch for a received Ethernet frame that this link accepts. */
function etherInput(l: Link, s: i32): void {
  const p = slotPtr(s);
  const dst = ethDst(p);
  if (isMulticastMac(dst)) {
    if (dst != BROADCAST_MAC) bump(l.stats, RX_MCAST, 1);
  } else if (dst != l.mac && l.kind != KIND_LOOPBACK) {
    drop(s, DROP_ETH_OTHERHOST);
    return;
  }
  const type = ethProto(p);
  if (type == ETH_P_IP) {
    ipRcv(l, s, ETH_HLEN);
  } else if (type == ETH_P_ARP) {
    arpRcv(l, s);
  } else {
    bump(l.stats, RX_DROPPED, 1);
    drop(s, DROP_ETH_TYPE);
  }
}

// ---------------------------------------------------------------------------------------------
// Bridge.

/** The bridge's FDB entry for mac, or null (through a one-entry cache per direction). */
// @ts-ignore: decorator
@inline
function bridgeLookup(br: Link, mac: u64, src: bool): BrFdb | null {
  if (src) {
    if (br.srcCacheGen == fdbGen && br.srcCacheMac == mac) return br.srcCache;
  } else if (br.dstCacheGen == fdbGen && br.dstCacheMac == mac) return br.dstCache;
  return bridgeLookupSlow(br, mac, src);
}

function bridgeLookupSlow(br: Link, mac: u64, src: bool): BrFdb | null {
  if (!br.brFdb.has(mac)) return null;
  const e = br.brFdb.get(mac);
  if (src) {
    br.srcCacheMac = mac;
    br.srcCache = e;
    br.srcCacheGen = fdbGen;
  } else {
    br.dstCacheMac = mac;
    br.dstCache = e;
    br.dstCacheGen = fdbGen;
  }
  return e;
}

function bridgeInput(br: Link, port: Link, s: i32): void {
  if (!br.up) {
    drop(s, DROP_LINK_DOWN);
    return;
  }
  const p = slotPtr(s);
  const dst = ethDst(p);
  const src = ethSrc(p);
  if (isMulticastMac(src) || src == 0) {
    bump(port.stats, RX_DROPPED, 1);
    drop(s, DROP_BRIDGE_SRC);
    return;
  }
  // Learn where the source lives.
  const se = bridgeLookup(br, src, true);
  if (se != null) {
    if (!se.local && !se.isStatic) {
      se.port = port;
      se.updated = now;
    }
  } else {
    br.brFdb.set(src, new BrFdb(src, port, false, false, now));
  }
  if (isMulticastMac(dst)) {
    bridgeFlood(br, port, s, true);
    return;
  }
  const e = bridgeLookup(br, dst, false);
  if (e != null) {
    if (e.local) {
      bridgeLocalIn(br, s);
      return;
    }
    const out = e.port;
    if (out == null || out == port) {
      drop(s, DROP_BRIDGE_SAME_PORT);
      return;
    }
    devXmit(out, s);
    return;
  }
  bridgeFlood(br, port, s, false);
}

/** A frame the bridge keeps for itself: it is received on the bridge device. */
function bridgeLocalIn(br: Link, s: i32): void {
  bump(br.stats, RX_PACKETS, 1);
  bump(br.stats, RX_BYTES, slotLen(s));
  tap(br, s, DIR_IN);
  etherInput(br, s);
}

/** Sends to every forwarding port except `from`; a copy goes up the stack when `local`. */
function bridgeFlood(br: Link, from: Link | null, s: i32, local: bool): void {
  const ports = br.ports;
  for (let i = 0; i < ports.length; i++) {
    const p = unchecked(ports[i]);
    if (p == from || !p.running()) continue;
    const c = slotClone(s);
    if (c < 0) {
      count(DROP_NO_BUFFER);
      continue;
    }
    devXmit(p, c);
  }
  if (local) bridgeLocalIn(br, s);
  else slotFree(s);
}

/** The host stack transmits on the bridge device. */
function bridgeDevXmit(br: Link, s: i32): void {
  const dst = ethDst(slotPtr(s));
  if (!isMulticastMac(dst)) {
    const e = bridgeLookup(br, dst, false);
    if (e != null) {
      const out = e.port;
      if (!e.local && out != null) {
        devXmit(out, s);
        return;
      }
    }
  }
  bridgeFlood(br, null, s, false);
}

// ---------------------------------------------------------------------------------------------
// VXLAN.

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
function vxlanXmit(vx: Link, s: i32): void {
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
    if (c >= 0) vxlanEncap(vx, c, unchecked(dsts[i]));
  }
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
  bump(vx.stats, TX_BYTES, innerLen);
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
  ipBuildHeader(ip, 0, 20 + udpLen, ns.nextId(), false, 64, PROTO_UDP, src, remote);
  ipRouteOutput(ns, rt, remote, s, false);
}

/** A UDP datagram for a vxlan device's port: decapsulate and receive on the device. */
function vxlanRcv(vx: Link, s: i32, udpOff: i32, outerSrc: u32): void {
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

// ---------------------------------------------------------------------------------------------
// ARP and the neighbour table.

// @ts-ignore: decorator
@inline
function pushEther(s: i32, dst: u64, src: u64, type: u32): bool {
  if (!slotPush(s, ETH_HLEN)) return false;
  const p = slotPtr(s);
  ethSetDst(p, dst);
  ethSetSrc(p, src);
  ethSetProto(p, type);
  return true;
}

/** The address a host uses when it asks about `target` on link l (same subnet first). */
function arpSourceAddr(l: Link, target: u32, hint: u32): u32 {
  const addrs = l.ns.addrs;
  if (hint != 0) {
    for (let i = 0; i < addrs.length; i++) if (addrs[i].local == hint) return hint;
  }
  let first: u32 = 0;
  for (let i = 0; i < addrs.length; i++) {
    const a = addrs[i];
    if (a.link != l) continue;
    const m = a.prefixlen == 0 ? 0 : 0xffffffff << (32 - a.prefixlen);
    if ((a.local & m) == (target & m)) return a.local;
    if (first == 0) first = a.local;
  }
  if (first != 0) return first;
  for (let i = 0; i < addrs.length; i++) if (addrs[i].scope == 0) return addrs[i].local;
  return 0;
}

function arpSend(l: Link, op: u32, dstMac: u64, sha: u64, spa: u32, tha: u64, tpa: u32): void {
  const s = slotAlloc();
  if (s < 0) {
    count(DROP_NO_BUFFER);
    return;
  }
  setSlotLen(s, ETH_HLEN + ARP_LEN);
  const p = slotPtr(s);
  ethSetDst(p, dstMac);
  ethSetSrc(p, l.mac);
  ethSetProto(p, ETH_P_ARP);
  const a = p + ETH_HLEN;
  arpSetEtherIp(a);
  arpSetOp(a, op);
  arpSetSha(a, sha);
  arpSetSip(a, spa);
  arpSetTha(a, tha);
  arpSetTip(a, tpa);
  devXmit(l, s);
}

function neighSolicit(n: Neigh, unicast: bool): void {
  let hint: u32 = 0;
  if (n.queue.length > 0) hint = ipSaddr(slotPtr(n.queue[0]));
  const spa = arpSourceAddr(n.link, n.ip, hint);
  arpSend(n.link, ARPOP_REQUEST, unicast ? n.mac : BROADCAST_MAC, n.link.mac, spa, 0, n.ip);
  n.probes++;
  n.timerAt = now + RETRANS_MS;
}

function reachableTime(): f64 {
  // Linux randomises base_reachable_time into [0.5, 1.5) times the base.
  return REACHABLE_MS * 0.5 + <f64>(random32() % <u32>REACHABLE_MS);
}

// @ts-ignore: decorator
@inline
export function neighLookup(ns: Netns, l: Link, ip: u32): Neigh | null {
  const c = l.lastNeigh;
  if (c != null && c.ip == ip && !c.dead) return c;
  return neighLookupSlow(ns, l, ip);
}

function neighLookupSlow(ns: Netns, l: Link, ip: u32): Neigh | null {
  const k = neighKey(l.ifindex, ip);
  if (!ns.neighs.has(k)) return null;
  const n = ns.neighs.get(k);
  l.lastNeigh = n;
  return n;
}

export function neighCreate(ns: Netns, l: Link, ip: u32): Neigh {
  const n = new Neigh(l, ip);
  ns.neighs.set(neighKey(l.ifindex, ip), n);
  ns.neighList.push(n);
  return n;
}

/** The neighbour's address is known: record it and send what was waiting. */
export function neighConfirm(n: Neigh, mac: u64, state: i32): void {
  n.mac = mac;
  n.state = state;
  n.updated = now;
  n.probes = 0;
  n.timerAt = state == NUD_REACHABLE ? now + reachableTime() : 0;
  const q = n.queue;
  while (q.length > 0) {
    const s = q.shift();
    neighXmit(n, s);
  }
}

function neighXmit(n: Neigh, s: i32): void {
  if (!pushEther(s, n.mac, n.link.mac, ETH_P_IP)) {
    drop(s, DROP_NO_BUFFER);
    return;
  }
  devXmit(n.link, s);
}

/** Resolution failed: every waiting packet gets ICMP host unreachable, like Linux. */
function neighFail(ns: Netns, n: Neigh): void {
  n.state = NUD_FAILED;
  n.timerAt = 0;
  const q = n.queue;
  while (q.length > 0) {
    const s = q.shift();
    icmpError(ns, s, 0, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 0);
    drop(s, DROP_NEIGH_FAILED);
  }
}

/** Sends an IP packet (slot holds it from the IP header) to next hop `nh` on link `out`. */
function neighOutput(ns: Netns, out: Link, nh: u32, s: i32, broadcast: bool): void {
  const k = out.kind;
  if (k == KIND_TUN) {
    devXmit(out, s);
    return;
  }
  if (k == KIND_LOOPBACK) {
    if (!pushEther(s, 0, 0, ETH_P_IP)) {
      drop(s, DROP_NO_BUFFER);
      return;
    }
    devXmit(out, s);
    return;
  }
  if (broadcast || nh == 0xffffffff) {
    if (!pushEther(s, BROADCAST_MAC, out.mac, ETH_P_IP)) {
      drop(s, DROP_NO_BUFFER);
      return;
    }
    devXmit(out, s);
    return;
  }
  let n = neighLookup(ns, out, nh);
  if (n == null) n = neighCreate(ns, out, nh);
  const st = n.state;
  if (st == NUD_STALE) {
    n.state = NUD_DELAY;
    n.timerAt = now + DELAY_PROBE_MS;
  }
  if (
    st == NUD_REACHABLE ||
    st == NUD_PERMANENT ||
    st == NUD_NOARP ||
    st == NUD_DELAY ||
    st == NUD_PROBE ||
    st == NUD_STALE
  ) {
    // neighXmit, written out: this is the per-frame path.
    if (!pushEther(s, n.mac, out.mac, ETH_P_IP)) {
      drop(s, DROP_NO_BUFFER);
      return;
    }
    devXmit(out, s);
    return;
  }
  if (n.queue.length >= NEIGH_QUEUE_MAX) drop(n.queue.shift(), DROP_NEIGH_QUEUE);
  n.queue.push(s);
  if (st != NUD_INCOMPLETE) {
    // NONE or FAILED: start (again) to resolve.
    n.state = NUD_INCOMPLETE;
    n.probes = 0;
    neighSolicit(n, false);
  }
}

/** Runs due neighbour timers. A coarse poll catches up step by step: each timer fires at its
 * own due time, and frames it caused (an ARP reply from a namespace of this kernel) are
 * processed before the next step. */
export function neighTimers(ns: Netns): void {
  const realNow = now;
  const list = ns.neighList;
  for (let round = 0; round < 64; round++) {
    let fired = false;
    for (let i = 0; i < list.length; i++) {
      const n = list[i];
      if (n.timerAt == 0 || n.timerAt > realNow) continue;
      setNowValue(n.timerAt);
      neighTimer(ns, n);
      fired = true;
    }
    runBacklog();
    if (!fired) break;
  }
  setNowValue(realNow);
}

function neighTimer(ns: Netns, n: Neigh): void {
  const st = n.state;
  if (st == NUD_INCOMPLETE) {
    if (n.probes >= MAX_PROBES) neighFail(ns, n);
    else neighSolicit(n, false);
  } else if (st == NUD_REACHABLE) {
    n.state = NUD_STALE;
    n.timerAt = 0;
  } else if (st == NUD_DELAY) {
    n.state = NUD_PROBE;
    n.probes = 0;
    neighSolicit(n, true);
  } else if (st == NUD_PROBE) {
    if (n.probes >= MAX_PROBES) neighFail(ns, n);
    else neighSolicit(n, true);
  } else {
    n.timerAt = 0;
  }
}

function arpRcv(l: Link, s: i32): void {
  const p = slotPtr(s);
  if (slotLen(s) < ETH_HLEN + ARP_LEN) {
    bump(l.stats, RX_ERRORS, 1);
    drop(s, DROP_ARP_MALFORMED);
    return;
  }
  const a = p + ETH_HLEN;
  const op = arpOp(a);
  if (
    arpHrd(a) != ARPHRD_ETHER ||
    arpPro(a) != ETH_P_IP ||
    arpHln(a) != 6 ||
    arpPln(a) != 4 ||
    (op != ARPOP_REQUEST && op != ARPOP_REPLY)
  ) {
    bump(l.stats, RX_ERRORS, 1);
    drop(s, DROP_ARP_MALFORMED);
    return;
  }
  if (!l.isArpDevice()) {
    drop(s, DROP_ARP_NOARP);
    return;
  }
  const sha = arpSha(a);
  const spa = arpSip(a);
  const tpa = arpTip(a);
  const ns = l.ns;
  if (isMulticastMac(sha) || spa == 0xffffffff) {
    drop(s, DROP_ARP_MALFORMED);
    return;
  }
  const forUs = ns.isLocalAddr(tpa);
  const n: Neigh | null = spa == 0 ? null : neighLookup(ns, l, spa);
  if (n != null && n.state != NUD_PERMANENT && n.state != NUD_NOARP) {
    if (op == ARPOP_REPLY) {
      neighConfirm(n, sha, NUD_REACHABLE);
    } else if (forUs && (n.state == NUD_INCOMPLETE || n.mac != sha)) {
      neighConfirm(n, sha, NUD_STALE);
    }
  } else if (n == null && forUs && op == ARPOP_REQUEST && spa != 0) {
    const m = neighCreate(ns, l, spa);
    neighConfirm(m, sha, NUD_STALE);
  }
  if (op == ARPOP_REQUEST && forUs) {
    // Reply in place: the request's sender becomes the target.
    clearTailSum(s);
    ethSetDst(p, sha);
    ethSetSrc(p, l.mac);
    arpSetOp(a, ARPOP_REPLY);
    arpSetSha(a, l.mac);
    arpSetSip(a, tpa);
    arpSetTha(a, sha);
    arpSetTip(a, spa);
    setSlotLen(s, ETH_HLEN + ARP_LEN);
    devXmit(l, s);
    return;
  }
  slotFree(s);
}

// ---------------------------------------------------------------------------------------------
// IPv4.

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

function ipRcv(l: Link, s: i32, off: i32): void {
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
  const dst = ipDaddr(p);
  ipRouteOutput(ns, rt, dst, s, false);
}

/** Sends a complete IP packet along route rt: loopback for local routes, else the route's
 * device via the neighbour layer, fragmenting when it is too big and DF is clear. */
function ipRouteOutput(ns: Netns, rt: Route, dst: u32, s: i32, _local: bool): void {
  let out = rt.dev;
  if (rt.type == RTN_LOCAL) out = ns.lo;
  if (out == null) {
    drop(s, DROP_IP_NOROUTE);
    return;
  }
  const nh = rt.gw != 0 ? rt.gw : dst;
  if (slotLen(s) > out.mtu) {
    const p = slotPtr(s);
    if ((ipFragOff(p) & IP_DF) != 0) {
      drop(s, DROP_IP_MTU);
      return;
    }
    ipFragment(ns, out, nh, p, slotLen(s), out.mtu, rt.type == RTN_BROADCAST);
    slotFree(s);
    return;
  }
  neighOutput(ns, out, nh, s, rt.type == RTN_BROADCAST);
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
    const f = slotAlloc();
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
  const proto = ipProto(p);
  if (proto == PROTO_ICMP) icmpRcv(ns, s);
  else if (proto == PROTO_UDP) udpRcv(ns, l, s);
  else {
    icmpError(ns, s, 0, ICMP_DEST_UNREACH, ICMP_PROT_UNREACH, 0);
    drop(s, DROP_IP_PROTO);
  }
}

// ---------------------------------------------------------------------------------------------
// Reassembly (RFC 791) of fragments for local delivery: a few datagrams at a time, each in a
// 64 KiB buffer taken when first needed; unfinished ones expire after 30 s (ipfrag_time).

const REASM_SLOTS = 8;
const REASM_TIMEOUT_MS: f64 = 30000;
const REASM_DATA: usize = 64;

class Reasm {
  ns: Netns | null = null;
  src: u32 = 0;
  dst: u32 = 0;
  id: u32 = 0;
  proto: u32 = 0;
  buf: usize = 0;
  hlen: i32 = 0;
  total: i32 = -1;
  got: i32 = 0;
  expires: f64 = 0;
}

const reasm = new Array<Reasm>();
for (let i = 0; i < REASM_SLOTS; i++) reasm.push(new Reasm());

function reasmFree(e: Reasm): void {
  e.ns = null;
  e.hlen = 0;
  e.total = -1;
  e.got = 0;
}

/** Adds the fragment in slot s (which it consumes); returns the whole datagram's slot or -1. */
function ipDefrag(ns: Netns, s: i32): i32 {
  const p = slotPtr(s);
  const ihl = ipHeaderLen(p);
  const len = slotLen(s) - ihl;
  const flags = ipFragOff(p);
  const off = <i32>(flags & 0x1fff) * 8;
  const more = (flags & 0x2000) != 0;
  const src = ipSaddr(p);
  const dst = ipDaddr(p);
  const id = ipId(p);
  const proto = ipProto(p);
  if (off + len > 65535 || (more && (len & 7) != 0)) {
    drop(s, DROP_IP_FRAG);
    return -1;
  }
  let found = -1;
  let free = -1;
  let oldest = 0;
  for (let i = 0; i < REASM_SLOTS; i++) {
    const r = reasm[i];
    if (r.ns == ns && r.src == src && r.dst == dst && r.id == id && r.proto == proto) found = i;
    else if (r.ns == null && free < 0) free = i;
    if (r.expires < reasm[oldest].expires) oldest = i;
  }
  const e = reasm[found >= 0 ? found : free >= 0 ? free : oldest];
  if (found < 0) {
    if (e.ns != null) count(DROP_IP_FRAG);
    reasmFree(e);
    e.ns = ns;
    e.src = src;
    e.dst = dst;
    e.id = id;
    e.proto = proto;
    e.expires = now + REASM_TIMEOUT_MS;
    if (e.buf == 0) e.buf = heap.alloc(65536 + REASM_DATA);
  }
  memory.copy(e.buf + REASM_DATA + <usize>off, p + <usize>ihl, <usize>len);
  e.got += len;
  if (off == 0) {
    memory.copy(e.buf, p, <usize>min(ihl, <i32>REASM_DATA));
    e.hlen = min(ihl, <i32>REASM_DATA);
  }
  if (!more) e.total = off + len;
  slotFree(s);
  if (e.total < 0 || e.hlen == 0 || e.got < e.total) return -1;
  const tot = e.hlen + e.total;
  const n = tot <= SLOT_MAX ? slotAlloc() : -1;
  if (n < 0) {
    count(tot <= SLOT_MAX ? DROP_NO_BUFFER : DROP_IP_FRAG);
    reasmFree(e);
    return -1;
  }
  const q = slotPtr(n);
  memory.copy(q, e.buf, <usize>e.hlen);
  memory.copy(q + <usize>e.hlen, e.buf + REASM_DATA, <usize>e.total);
  setSlotLen(n, tot);
  ipSetTotLen(q, <u32>tot);
  ipSetFragOff(q, 0);
  ipSetCheck(q, 0);
  ipSetCheck(q, csum(q, e.hlen));
  reasmFree(e);
  return n;
}

/** Expires unfinished reassemblies; returns the next expiry time (or Infinity). */
export function reasmTimers(run: bool): f64 {
  let next = Infinity;
  for (let i = 0; i < REASM_SLOTS; i++) {
    const r = reasm[i];
    if (r.ns == null) continue;
    if (run && r.expires <= now) {
      count(DROP_IP_FRAG);
      reasmFree(r);
    } else if (r.expires < next) next = r.expires;
  }
  return next;
}

// ---------------------------------------------------------------------------------------------
// ICMP.

function icmpRcv(ns: Netns, s: i32): void {
  const p = slotPtr(s);
  const ihl = ipHeaderLen(p);
  const len = slotLen(s) - ihl;
  if (len < 8) {
    drop(s, DROP_ICMP_SHORT);
    return;
  }
  const ic = p + <usize>ihl;
  let sum = tailSum(s, ic, len);
  if (sum == u64.MAX_VALUE) sum = csumAdd(ic, len, 0);
  clearTailSum(s); // the echo reply is built in place
  if (csumFold(sum) != 0) {
    drop(s, DROP_ICMP_CSUM);
    return;
  }
  const raws = ns.rawSocks;
  for (let i = 0; i < raws.length; i++) {
    deliver(DELIVER_ICMP, unchecked(raws[i]).fd, p, slotLen(s), 0, 0);
  }
  if (icmpType(ic) != ICMP_ECHO) {
    slotFree(s);
    return;
  }
  // Echo reply, built in place: addresses swapped, options dropped, fresh id and TTL.
  const src = ipSaddr(p);
  const dst = ipDaddr(p);
  const tos = ipTos(p);
  if (ihl > 20) {
    memory.copy(p + 20, ic, <usize>len);
    setSlotLen(s, 20 + len);
  }
  const icr = p + 20;
  icmpSetType(icr, ICMP_ECHOREPLY);
  icmpSetCheck(icr, 0);
  icmpSetCheck(icr, csum(icr, len));
  let from = dst;
  const rtFrom = ns.lookup(dst);
  if (rtFrom == null || rtFrom.type != RTN_LOCAL) from = 0;
  const rt = ns.lookup(src);
  if (rt == null) {
    drop(s, DROP_IP_NOROUTE);
    return;
  }
  if (from == 0) from = ns.routeSrc(rt);
  ipBuildHeader(p, tos, <u32>(20 + len), ns.nextId(), false, 64, PROTO_ICMP, from, src);
  ipRouteOutput(ns, rt, src, s, true);
}

/** Sends an ICMP error about the packet at offset `off` of slot s (which the caller keeps). */
export function icmpError(ns: Netns, s: i32, off: i32, type: u32, code: u32, mtu: u32): void {
  const p = slotPtr(s) + <usize>off;
  const tot = slotLen(s) - off;
  if (tot < 20) return;
  const src = ipSaddr(p);
  const dst = ipDaddr(p);
  const ihl = ipHeaderLen(p);
  // Never about ICMP errors, non-first fragments, or broadcast/unspecified addresses.
  if ((ipFragOff(p) & IP_OFFSET) != 0 || src == 0 || dst == 0xffffffff || src >> 28 == 14) return;
  if (ipProto(p) == PROTO_ICMP && tot >= ihl + 1) {
    const t = icmpType(p + <usize>ihl);
    const informational =
      t == ICMP_ECHOREPLY ||
      t == ICMP_ECHO ||
      t == ICMP_TIMESTAMP ||
      t == ICMP_INFO_REQUEST ||
      t == ICMP_ADDRESS;
    if (!informational) return;
  }
  const rt = ns.lookup(src);
  if (rt == null) return;
  const quote = min(tot, 576 - 28);
  const e = slotAlloc();
  if (e < 0) {
    count(DROP_NO_BUFFER);
    return;
  }
  const q = slotPtr(e);
  const ic = q + 20;
  icmpSetType(ic, type);
  icmpSetCode(ic, code);
  icmpSetCheck(ic, 0);
  icmpSetFragMtu(ic, mtu);
  memory.copy(ic + 8, p, <usize>quote);
  const icLen = 8 + quote;
  icmpSetCheck(ic, csum(ic, icLen));
  let from = rt.type == RTN_LOCAL ? src : ns.routeSrc(rt);
  if (from == 0 && ns.addrs.length > 0) from = ns.addrs[0].local;
  ipBuildHeader(
    q,
    0xc0 | (ipTos(p) & 0x1c),
    <u32>(20 + icLen),
    ns.nextId(),
    false,
    64,
    PROTO_ICMP,
    from,
    src,
  );
  setSlotLen(e, 20 + icLen);
  ipRouteOutput(ns, rt, src, e, true);
}

// ---------------------------------------------------------------------------------------------
// UDP.

function udpRcv(ns: Netns, l: Link, s: i32): void {
  const p = slotPtr(s);
  const ihl = ipHeaderLen(p);
  const avail = slotLen(s) - ihl;
  const u = p + <usize>ihl;
  if (avail < 8) {
    drop(s, DROP_UDP_SHORT);
    return;
  }
  const ulen = <i32>udpLen(u);
  if (ulen < 8 || ulen > avail) {
    drop(s, DROP_UDP_SHORT);
    return;
  }
  const src = ipSaddr(p);
  const dst = ipDaddr(p);
  if (udpCheck(u) != 0) {
    let acc = csumAdd32(csumAdd32(0, src), dst);
    acc = csumAdd16(csumAdd16(acc, PROTO_UDP), <u32>ulen);
    const known = tailSum(s, u, ulen); // set when this datagram came inside VXLAN
    if (known != u64.MAX_VALUE) {
      acc += known;
    } else if (ulen >= VXLAN_INNER_PAYLOAD + 64) {
      // Summed in two parts (split at an even offset, so the total is the same): the second,
      // an encapsulated packet's payload if this is VXLAN, is kept for its inner check.
      const tail = csumAdd(u + VXLAN_INNER_PAYLOAD, ulen - VXLAN_INNER_PAYLOAD, 0);
      acc = csumAdd(u, VXLAN_INNER_PAYLOAD, acc) + tail;
      setTailSum(s, u + VXLAN_INNER_PAYLOAD, ulen - VXLAN_INNER_PAYLOAD, tail);
    } else {
      acc = csumAdd(u, ulen, acc);
    }
    if (csumFold(acc) != 0) {
      drop(s, DROP_UDP_CSUM);
      return;
    }
  }
  setSlotLen(s, ihl + ulen);
  const dport = udpDest(u);
  // vxlan devices listen on their UDP port in their namespace.
  const links = ns.links;
  for (let i = 0; i < links.length; i++) {
    const v = unchecked(links[i]);
    if (v.kind == KIND_VXLAN && v.dstport == dport && v.up) {
      vxlanRcv(v, s, ihl, src);
      return;
    }
  }
  const socks = ns.udpSocks;
  for (let i = 0; i < socks.length; i++) {
    const so = unchecked(socks[i]);
    if (so.port == dport && (so.addr == 0 || so.addr == dst)) {
      deliver(DELIVER_UDP, so.fd, u + UDP_HLEN, ulen - UDP_HLEN, src, udpSource(u));
      slotFree(s);
      return;
    }
  }
  const rt = ns.lookup(dst);
  if (rt == null || rt.type != RTN_BROADCAST) icmpError(ns, s, 0, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
  drop(s, DROP_UDP_NOPORT);
}

// ---------------------------------------------------------------------------------------------
// Local output for sockets: errors are returned as -errno (and an MTU, see lastMtu).

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
  if (tot <= SLOT_MAX - 64) {
    const s = slotAlloc();
    if (s < 0) return -ENOBUFS;
    const q = slotPtr(s);
    memory.copy(q + 20, p, <usize>len);
    setSlotLen(s, tot);
    ipBuildHeader(q, tos, <u32>tot, ns.nextId(), df, ttl, proto, src, dst);
    ipRouteOutput(ns, rt, dst, s, true);
    return 0;
  }
  // Too big for one buffer: build the header in front of the payload and fragment from there.
  const big = heap.alloc(<usize>tot);
  memory.copy(big + 20, p, <usize>len);
  ipBuildHeader(big, tos, <u32>tot, ns.nextId(), false, ttl, proto, src, dst);
  ipFragment(ns, out, rt.gw != 0 ? rt.gw : dst, big, tot, mtu, rt.type == RTN_BROADCAST);
  heap.free(big);
  return 0;
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
