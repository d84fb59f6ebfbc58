// kernel.wasm: a Linux-like IPv4 network stack. The wrapper (../kernel.ts) writes a request
// into reqBuf, calls nl(), and reads the reply records at outPtr(); frames from the wire are
// written into a packet buffer obtained from rxBegin() and handed over with rxCommit().

import * as A from './abi';
import { ENOENT, ENODEV, EINVAL, ENOBUFS, EOPNOTSUPP } from './errno';
import { parseAttrs, reqBuf, REQ_SIZE, outPtr as msgOutPtr, outLen, resetOut, fail } from './msg';
import { setNowValue, seedRandom, namespaces, Link } from './state';
import * as C from './config';
import { runBacklog, netifRx, setBenchMode, benchTx } from './net';
import { slotAlloc, slotFree, slotPtr, setSlotLen, SLOT_MAX, slotsFree } from './pool';

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
      r = (flags & 0x300) != 0 ? C.linkDump() : C.linkGet();
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
      r = (flags & 0x300) != 0 ? C.routeDump() : C.routeGet();
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
    default:
      r = fail(EOPNOTSUPP);
  }
  runBacklog();
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
  setSlotLen(s, len);
  netifRx(l, s);
  runBacklog();
  return 0;
}

export function poll(): void {
  C.runTimers();
  runBacklog();
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
    runBacklog();
  }
  const n = benchTx;
  setBenchMode(false);
  return n;
}

export { resetOut };
