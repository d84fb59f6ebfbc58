// kernel.wasm: a Linux-like IPv4 network stack. The wrapper (../kernel.ts) writes a request
// into reqBuf, calls nl(), and reads the reply records at outPtr(); frames from the wire are
// written into a packet buffer obtained from rxBegin() and handed over with rxCommit().

import * as A from './abi';
import { ENOENT, ENODEV, EINVAL, ENOBUFS, EOPNOTSUPP } from './errno';
import * as H from './headers';
import { parseAttrs, reqBuf, REQ_SIZE, outPtr as msgOutPtr, outLen, resetOut, fail } from './msg';
import { setNowValue, seedRandom, namespaces, Link, RX_DROPPED } from './state';
import * as C from './config';
import { runBacklog, netifRx, setBenchMode, benchTx, bump } from './dev';
import { nfLoad, nfCounters, ctDump, ctFlushAll, ctSweep } from './netfilter';
import { slotAlloc, slotFree, slotPtr, setSlotLen, SLOT_MAX, slotsFree } from './pool';
export { setJourney } from './journey';

export function init(seedLo: u32, seedHi: u32): void {
  seedRandom(((<u64>seedHi) << 32) | (<u64>seedLo));
  if (namespaces.has('')) return;
  const root = C.createNetns('');
  // The host's loopback starts up (with 127.0.0.1/8), like a booted system.
  const lo = root.lo;
  if (lo != null) {
    parseAttrs(reqBuf, 0);
    upLoopback(lo);
  }
}

function upLoopback(lo: Link): void {
  // Reuse the normal linkSet path by faking a request.
  const p = reqBuf;
  store<u16>(p, <u16>A.A_IFINDEX);
  store<u16>(p + 2, 4);
  store<u32>(p + 4, <u32>lo.ifindex);
  store<u16>(p + 8, <u16>A.A_UP);
  store<u16>(p + 10, 4);
  store<u32>(p + 12, 1);
  store<u16>(p + 16, <u16>A.A_NS);
  store<u16>(p + 18, 0);
  parseAttrs(p, 20);
  C.linkSet();
}

export function setNow(t: f64): void {
  setNowValue(t);
}

export function reqPtr(): usize {
  return reqBuf;
}

export function reqSize(): i32 {
  return REQ_SIZE;
}

export function outPtr(): usize {
  return msgOutPtr();
}

export function outSize(): i32 {
  return outLen;
}

/** Handles one request of `len` bytes in reqBuf; returns 0 or -errno. */
export function nl(len: i32): i32 {
  resetOut();
  if (len < 4 || len > REQ_SIZE) return fail(EINVAL);
  const type = <i32>load<u16>(reqBuf);
  const flags = <u32>load<u16>(reqBuf + 2);
  parseAttrs(reqBuf + 4, len - 4);
  let r = 0;
  switch (type) {
    case A.MSG_NETNS_ADD:
      r = C.netnsAdd();
      break;
    case A.MSG_NETNS_DEL:
      r = C.netnsDel();
      break;
    case A.MSG_NETNS_LIST:
      r = C.netnsList();
      break;
    case A.RTM_NEWLINK:
      r = C.linkAdd();
      break;
    case A.RTM_DELLINK:
      r = C.linkDel();
      break;
    case A.RTM_SETLINK:
      r = C.linkSet();
      break;
    case A.RTM_GETLINK:
      r = (flags & A.NLM_F_DUMP) != 0 ? C.linkDump() : C.linkGet();
      break;
    case A.RTM_NEWADDR:
      r = C.addrAdd();
      break;
    case A.RTM_DELADDR:
      r = C.addrDel();
      break;
    case A.RTM_GETADDR:
      r = C.addrDump();
      break;
    case A.RTM_NEWROUTE:
      r = C.routeAdd(flags);
      break;
    case A.RTM_DELROUTE:
      r = C.routeDel();
      break;
    case A.RTM_GETROUTE:
      r = (flags & A.NLM_F_DUMP) != 0 ? C.routeDump() : C.routeGet();
      break;
    case A.RTM_NEWNEIGH:
      r = C.neighAdd(flags);
      break;
    case A.RTM_DELNEIGH:
      r = C.neighDel();
      break;
    case A.RTM_GETNEIGH:
      r = C.neighDump();
      break;
    case A.MSG_NEWFDB:
      r = C.fdbAdd(flags);
      break;
    case A.MSG_DELFDB:
      r = C.fdbDel();
      break;
    case A.MSG_GETFDB:
      r = C.fdbDump();
      break;
    case A.MSG_SYSCTL_GET:
      r = C.sysctlGet();
      break;
    case A.MSG_SYSCTL_SET:
      r = C.sysctlSet();
      break;
    case A.MSG_ICMP_OPEN:
      r = C.icmpOpen();
      break;
    case A.MSG_ICMP_SEND:
      r = C.icmpSend();
      break;
    case A.MSG_UDP_OPEN:
      r = C.udpOpen();
      break;
    case A.MSG_UDP_BIND:
      r = C.udpBind();
      break;
    case A.MSG_UDP_SEND:
      r = C.udpSend();
      break;
    case A.MSG_TUN_OPEN:
      r = C.tunOpen();
      break;
    case A.MSG_TUN_WRITE:
      r = C.tunWrite();
      break;
    case A.MSG_CAPTURE_OPEN:
      r = C.captureOpen();
      break;
    case A.MSG_CLOSE:
      r = C.close();
      break;
    case A.MSG_DROPS:
      r = C.dropsDump();
      break;
    case A.MSG_NF_LOAD:
      r = nfLoad();
      break;
    case A.MSG_NF_COUNTERS:
      r = nfCounters();
      break;
    case A.MSG_CT_DUMP:
      r = ctDump();
      break;
    case A.MSG_CT_FLUSH:
      r = ctFlushAll();
      break;
    case A.RTM_NEWQDISC:
      r = C.qdiscAdd(flags);
      break;
    case A.RTM_DELQDISC:
      r = C.qdiscDel();
      break;
    case A.RTM_GETQDISC:
      r = C.qdiscDump();
      break;
    case A.MSG_CARRIER_SET:
      r = C.carrierSet();
      break;
    default:
      r = fail(EOPNOTSUPP);
  }
  settle();
  return r;
}

/** A buffer for one frame from the wire (0 when all buffers are busy). */
let rxSlot: i32 = -1;
export function rxBegin(): usize {
  if (rxSlot >= 0) slotFree(rxSlot);
  rxSlot = slotAlloc();
  return rxSlot < 0 ? 0 : slotPtr(rxSlot);
}

export function rxMax(): i32 {
  return SLOT_MAX;
}

/** The frame written at rxBegin() arrives on `ifindex` (an ether link of the root namespace). */
export function rxCommit(ifindex: i32, len: i32): i32 {
  const s = rxSlot;
  rxSlot = -1;
  if (s < 0) return -ENOBUFS;
  const ns = namespaces.get('');
  const l = ns.link(ifindex);
  if (l == null || l.kind != A.KIND_ETHER || len < 0 || len > SLOT_MAX) {
    slotFree(s);
    return -ENODEV;
  }
  if (l.cableCut) {
    // A cut cable carries nothing in.
    slotFree(s);
    return 0;
  }
  setSlotLen(s, len);
  netifRx(l, s);
  settle();
  return 0;
}

/** `n` frames for `ifindex` were lost before they reached the kernel (the receive ring was
 * full, or the wire found this host behind): counted as the link's RX dropped. */
export function rxDropped(ifindex: i32, n: i32): void {
  const l = namespaces.get('').link(ifindex);
  if (l != null && n > 0) bump(l.stats, RX_DROPPED, <f64>n);
}

export function poll(): void {
  C.runTimers();
  settle();
}

export function nextTimer(): f64 {
  return C.nextTimer();
}

export function freeBuffers(): i32 {
  return slotsFree();
}

/**
 * Benchmark hook: injects the frame at reqBuf `count` times on link `ifindex` of namespace
 * `nsName` (as received there) and returns how many frames left on ether links. The wire
 * import is not called; every frame still takes the full path.
 */
export function benchInject(nsLen: i32, ifindex: i32, frameLen: i32, count: i32): i32 {
  const name = String.UTF8.decodeUnsafe(reqBuf, <usize>nsLen);
  if (!namespaces.has(name)) return -ENOENT;
  const ns = namespaces.get(name);
  const l = ns.link(ifindex);
  if (l == null) return -ENODEV;
  const frame = reqBuf + <usize>((nsLen + 7) & ~7);
  setBenchMode(true);
  for (let i = 0; i < count; i++) {
    const s = slotAlloc();
    if (s < 0) break;
    setSlotLen(s, frameLen);
    memory.copy(slotPtr(s), frame, <usize>frameLen);
    netifRx(l, s);
    settle();
  }
  const n = benchTx;
  setBenchMode(false);
  return n;
}

export { resetOut };

/**
 * Test hook: reads the Ethernet frame at reqBuf with headers.ts's accessors and writes what
 * they return as u32 words at reqBuf + DISSECT_OUT (0xffffffff where a header is absent), so
 * tests can compare them with packet/'s views over the same golden captures.
 */
export function dissect(len: i32): i32 {
  const o = reqBuf + DISSECT_OUT;
  for (let i = 0; i < DISSECT_FIELDS; i++) store<u32>(o + (<usize>i << 2), 0xffffffff);
  if (len < H.ETH_HLEN) return 0;
  const put = (i: i32, v: u32): void => store<u32>(reqBuf + DISSECT_OUT + (<usize>i << 2), v);
  const p = reqBuf;
  put(0, H.ethProto(p));
  put(1, <u32>(H.ethDst(p) >> 32));
  put(2, <u32>H.ethDst(p));
  put(3, <u32>(H.ethSrc(p) >> 32));
  put(4, <u32>H.ethSrc(p));
  const l3 = p + <usize>H.ETH_HLEN;
  const avail = len - H.ETH_HLEN;
  if (H.ethProto(p) == H.ETH_P_ARP && avail >= H.ARP_LEN) {
    put(5, H.arpHrd(l3));
    put(6, H.arpPro(l3));
    put(7, H.arpHln(l3));
    put(8, H.arpPln(l3));
    put(9, H.arpOp(l3));
    put(10, <u32>(H.arpSha(l3) >> 32));
    put(11, <u32>H.arpSha(l3));
    put(12, H.arpSip(l3));
    put(13, H.arpTip(l3));
  }
  if (H.ethProto(p) != H.ETH_P_IP || avail < H.IP_HLEN) return DISSECT_FIELDS;
  put(14, H.ipVersion(l3));
  put(15, <u32>H.ipHeaderLen(l3));
  put(16, H.ipTos(l3));
  put(17, H.ipTotLen(l3));
  put(18, H.ipId(l3));
  put(19, H.ipFragOff(l3));
  put(20, H.ipTtl(l3));
  put(21, H.ipProto(l3));
  put(22, H.ipCheck(l3));
  put(23, H.ipSaddr(l3));
  put(24, H.ipDaddr(l3));
  const ihl = H.ipHeaderLen(l3);
  const l4 = l3 + <usize>ihl;
  if ((H.ipFragOff(l3) & H.IP_OFFSET) != 0 || avail < ihl + 8) return DISSECT_FIELDS;
  if (H.ipProto(l3) == H.PROTO_ICMP) {
    put(25, H.icmpType(l4));
    put(26, H.icmpCheck(l4));
  } else if (H.ipProto(l3) == H.PROTO_UDP) {
    put(27, H.udpSource(l4));
    put(28, H.udpDest(l4));
    put(29, H.udpLen(l4));
    put(30, H.udpCheck(l4));
    if (avail >= ihl + H.UDP_HLEN + H.VXLAN_HLEN) {
      put(31, H.vxlanFlags(l4 + <usize>H.UDP_HLEN));
      put(32, H.vxlanVni(l4 + <usize>H.UDP_HLEN));
    }
  }
  return DISSECT_FIELDS;
}

const DISSECT_OUT: usize = 65536;
const DISSECT_FIELDS: i32 = 33;

/** After each entry: the backlog runs dry, then conntrack entries of dropped first packets go. */
function settle(): void {
  runBacklog();
  ctSweep();
}
