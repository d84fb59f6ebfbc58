// Connection tracking and NAT (Linux's nf_conntrack, nf_nat): a preallocated table of
// entries, each with its original and reply tuple hashed, so the packet path allocates nothing.
// A tuple is (src, dst, a, b): UDP's a/b are the source/destination ports; ICMP's a is the
// query id and b is type << 8 | code. An entry made at PREROUTING or OUTPUT is confirmed
// (hashed) when its first packet leaves POSTROUTING or INPUT; one whose packet was dropped
// before is freed by ctSweep() after the call.

import {
  CT_INVALID,
  CT_ESTABLISHED,
  CT_RELATED,
  CT_NEW,
  IPS_SEEN_REPLY,
  IPS_ASSURED,
  IPS_CONFIRMED,
  IPS_SRC_NAT,
  IPS_DST_NAT,
} from './abi';
import { csum, csumAdd, csumFold, rd16, wr16 } from './bytes';
import {
  IP_OFFSET,
  PROTO_ICMP,
  PROTO_UDP,
  PROTO_TCP,
  ipHeaderLen,
  ipTotLen,
  ipFragOff,
  ipProto,
  ipSaddr,
  ipDaddr,
  ipSetCheck,
  icmpType,
  icmpSetCheck,
} from './headers';
import { now } from './state';

export const CT_MAX: i32 = 4096;
const BUCKETS: i32 = 8192; // a power of two
const ICMP_TIMEOUT: f64 = 30000;
const UDP_TIMEOUT: f64 = 30000;
const UDP_STREAM_TIMEOUT: f64 = 120000;
const GENERIC_TIMEOUT: f64 = 600000;

// Entry fields, structure of arrays. Tuple 0 is the original direction, 1 the reply.
export const ctProto = new StaticArray<u32>(CT_MAX);
export const ctStatus = new StaticArray<u32>(CT_MAX);
export const ctExpires = new StaticArray<f64>(CT_MAX);
/** The namespace's conntrack zone: each netns has its own table, as on Linux. */
export const ctZone = new StaticArray<u32>(CT_MAX);
const tSrc = new StaticArray<u32>(CT_MAX * 2);
const tDst = new StaticArray<u32>(CT_MAX * 2);
const tA = new StaticArray<u32>(CT_MAX * 2);
const tB = new StaticArray<u32>(CT_MAX * 2);
const nodeNext = new StaticArray<i32>(CT_MAX * 2);
const heads = new StaticArray<i32>(BUCKETS);
const inUse = new StaticArray<bool>(CT_MAX);
const freeList = new StaticArray<i32>(CT_MAX);
let freeTop: i32 = 0;
const unconfirmed = new StaticArray<i32>(CT_MAX);
let unconfirmedCount: i32 = 0;
for (let i = CT_MAX - 1; i >= 0; i--) freeList[freeTop++] = i;
for (let i = 0; i < BUCKETS; i++) heads[i] = -1;

export function ctSrc(ct: i32, dir: i32): u32 {
  return unchecked(tSrc[ct * 2 + dir]);
}
export function ctDst(ct: i32, dir: i32): u32 {
  return unchecked(tDst[ct * 2 + dir]);
}
export function ctA(ct: i32, dir: i32): u32 {
  return unchecked(tA[ct * 2 + dir]);
}
export function ctB(ct: i32, dir: i32): u32 {
  return unchecked(tB[ct * 2 + dir]);
}
export function ctLive(ct: i32): bool {
  return unchecked(inUse[ct]) && (unchecked(ctStatus[ct]) & IPS_CONFIRMED) != 0;
}

// --- the packet being looked at (set by ctTuple) --------------------------------------------

/** The packet's tuple, and for an ICMP error the inner packet's offset from the IP header. */
export let pkSrc: u32 = 0;
export let pkDst: u32 = 0;
export let pkA: u32 = 0;
export let pkB: u32 = 0;
export let pkProto: u32 = 0;
export let pkInner: i32 = 0;
/** Result of ctIn: the entry (-1 none), the packet's direction and its --ctstate bit. */
export let pkCt: i32 = -1;
export let pkDir: i32 = 0;
export let pkState: u32 = CT_INVALID;

/** Puts back what ctIn found for a packet (kept per packet buffer between hooks). */
export function ctRestore(ct: i32, dir: i32, state: u32, inner: i32): void {
  pkCt = ct;
  pkDir = dir;
  pkState = state;
  pkInner = inner;
}

function isIcmpQuery(t: u32): bool {
  return t == 8 || t == 13 || t == 15 || t == 17;
}
function isIcmpReply(t: u32): bool {
  return t == 0 || t == 14 || t == 16 || t == 18;
}
function isIcmpError(t: u32): bool {
  return t == 3 || t == 4 || t == 5 || t == 11 || t == 12;
}

/** Reads the L4 part of a tuple at the IPv4 header p (of len bytes); false if untrackable. */
function readTuple(p: usize, len: i32): bool {
  if (len < 20) return false;
  const ihl = ipHeaderLen(p);
  pkProto = ipProto(p);
  pkSrc = ipSaddr(p);
  pkDst = ipDaddr(p);
  pkA = 0;
  pkB = 0;
  if ((ipFragOff(p) & IP_OFFSET) != 0) return false;
  const l4 = p + <usize>ihl;
  if (pkProto == PROTO_UDP || pkProto == PROTO_TCP) {
    if (len < ihl + 4) return false;
    pkA = rd16(l4);
    pkB = rd16(l4 + 2);
  } else if (pkProto == PROTO_ICMP) {
    if (len < ihl + 8) return false;
    pkA = rd16(l4 + 4);
    pkB = ((<u32>load<u8>(l4)) << 8) | (<u32>load<u8>(l4 + 1));
  }
  return true;
}

function hashOf(zone: u32, proto: u32, src: u32, dst: u32, a: u32, b: u32): i32 {
  let h = (src ^ (zone << 24)) * 0x9e3779b1;
  h = (h ^ rotl<u32>(dst, 11)) * 0x85ebca6b;
  h = (h ^ (a << 16) ^ b ^ (proto << 8)) * 0xc2b2ae35;
  h ^= h >> 15;
  return <i32>(h & <u32>(BUCKETS - 1));
}

/** The hashed node (ct * 2 + dir) holding this tuple, or -1. Expired entries go on the way. */
function find(zone: u32, proto: u32, src: u32, dst: u32, a: u32, b: u32): i32 {
  const h = hashOf(zone, proto, src, dst, a, b);
  let n = unchecked(heads[h]);
  while (n >= 0) {
    const next = unchecked(nodeNext[n]);
    const ct = n >> 1;
    if (
      unchecked(tSrc[n]) == src &&
      unchecked(tDst[n]) == dst &&
      unchecked(tA[n]) == a &&
      unchecked(tB[n]) == b &&
      unchecked(ctProto[ct]) == proto &&
      unchecked(ctZone[ct]) == zone
    ) {
      if (unchecked(ctExpires[ct]) > now) return n;
      ctDelete(ct);
      return -1;
    }
    n = next;
  }
  return -1;
}

/** The bucket of hashed node n's tuple. */
function bucketOf(n: i32): i32 {
  return hashOf(
    unchecked(ctZone[n >> 1]),
    unchecked(ctProto[n >> 1]),
    unchecked(tSrc[n]),
    unchecked(tDst[n]),
    unchecked(tA[n]),
    unchecked(tB[n]),
  );
}

function link(n: i32): void {
  const h = bucketOf(n);
  unchecked((nodeNext[n] = heads[h]));
  unchecked((heads[h] = n));
}

function unlink(n: i32): void {
  const h = bucketOf(n);
  let at = unchecked(heads[h]);
  if (at == n) {
    unchecked((heads[h] = nodeNext[n]));
    return;
  }
  while (at >= 0) {
    const next = unchecked(nodeNext[at]);
    if (next == n) {
      unchecked((nodeNext[at] = nodeNext[n]));
      return;
    }
    at = next;
  }
}

export function ctDelete(ct: i32): void {
  if (!unchecked(inUse[ct])) return;
  if ((unchecked(ctStatus[ct]) & IPS_CONFIRMED) != 0) {
    unlink(ct * 2);
    unlink(ct * 2 + 1);
  }
  unchecked((inUse[ct] = false));
  unchecked((ctStatus[ct] = 0));
  unchecked((freeList[freeTop++] = ct));
}

export function ctFlush(zone: u32): void {
  for (let i = 0; i < CT_MAX; i++) if (unchecked(ctZone[i]) == zone) ctDelete(i);
}

/** A free entry: expired ones are reclaimed when the table is full (early drop). */
function alloc(): i32 {
  if (freeTop == 0) {
    for (let i = 0; i < CT_MAX; i++) if (unchecked(ctExpires[i]) <= now) ctDelete(i);
    if (freeTop == 0) return -1;
  }
  const ct = unchecked(freeList[--freeTop]);
  unchecked((inUse[ct] = true));
  unchecked((ctStatus[ct] = 0));
  if (unconfirmedCount < CT_MAX) unchecked((unconfirmed[unconfirmedCount++] = ct));
  return ct;
}

/** Frees the entries whose first packet never reached a confirming hook. */
export function ctSweep(): void {
  for (let i = 0; i < unconfirmedCount; i++) {
    const ct = unchecked(unconfirmed[i]);
    if (unchecked(inUse[ct]) && (unchecked(ctStatus[ct]) & IPS_CONFIRMED) == 0) ctDelete(ct);
  }
  unconfirmedCount = 0;
}

function setTuple(n: i32, src: u32, dst: u32, a: u32, b: u32): void {
  unchecked((tSrc[n] = src));
  unchecked((tDst[n] = dst));
  unchecked((tA[n] = a));
  unchecked((tB[n] = b));
}

/** The reply direction's b for a query's b (ICMP: the matching reply type). */
function invertB(proto: u32, b: u32, a: u32): u32 {
  if (proto == PROTO_ICMP) {
    const t = b >> 8;
    return ((t == 8 ? 0 : t + 1) << 8) | (b & 0xff); // echo -> reply; 13, 15, 17 -> +1
  }
  return proto == PROTO_UDP || proto == PROTO_TCP ? a : 0;
}
function invertA(proto: u32, a: u32, b: u32): u32 {
  return proto == PROTO_UDP || proto == PROTO_TCP ? b : a;
}

function timeoutOf(ct: i32): f64 {
  const proto = unchecked(ctProto[ct]);
  if (proto == PROTO_ICMP) return ICMP_TIMEOUT;
  if (proto == PROTO_UDP)
    return (unchecked(ctStatus[ct]) & IPS_ASSURED) != 0 ? UDP_STREAM_TIMEOUT : UDP_TIMEOUT;
  return GENERIC_TIMEOUT;
}

/**
 * Conntrack at PREROUTING / OUTPUT (nf_conntrack_in): finds or makes the packet's entry and
 * sets pkCt, pkDir, pkState. An ICMP error belongs, as RELATED, to the entry of the packet it
 * quotes.
 */
export function ctIn(p: usize, len: i32, zone: u32): void {
  pkCt = -1;
  pkDir = 0;
  pkInner = 0;
  pkState = CT_INVALID;
  if (!readTuple(p, len)) return;
  const proto = pkProto;
  if (proto == PROTO_ICMP && isIcmpError(pkB >> 8)) {
    const outerSrc = pkSrc;
    const outerDst = pkDst;
    const inner = ipHeaderLen(p) + 8;
    if (!readTuple(p + <usize>inner, len - inner)) return;
    // The quoted packet went the other way: look up its inverse.
    const iproto = pkProto;
    const n = find(
      zone,
      iproto,
      pkDst,
      pkSrc,
      invertA(iproto, pkA, pkB),
      iproto == PROTO_ICMP ? invertB(iproto, pkB, pkA) : pkA,
    );
    pkProto = PROTO_ICMP;
    pkSrc = outerSrc;
    pkDst = outerDst;
    if (n < 0) return;
    pkCt = n >> 1;
    pkDir = n & 1;
    pkInner = inner;
    pkState = CT_RELATED;
    return;
  }
  if (proto == PROTO_ICMP && !isIcmpQuery(pkB >> 8) && !isIcmpReply(pkB >> 8)) return;
  const n = find(zone, proto, pkSrc, pkDst, pkA, pkB);
  if (n >= 0) {
    const ct = n >> 1;
    pkCt = ct;
    pkDir = n & 1;
    let st = unchecked(ctStatus[ct]);
    if (pkDir == 1) {
      if ((st & IPS_SEEN_REPLY) == 0) st |= IPS_SEEN_REPLY | (proto == PROTO_UDP ? IPS_ASSURED : 0);
      unchecked((ctStatus[ct] = st));
    }
    pkState = (st & IPS_SEEN_REPLY) != 0 ? CT_ESTABLISHED : CT_NEW;
    unchecked((ctExpires[ct] = now + timeoutOf(ct)));
    return;
  }
  if (proto == PROTO_ICMP && !isIcmpQuery(pkB >> 8)) return; // a reply with no query
  const ct = alloc();
  if (ct < 0) return;
  unchecked((ctProto[ct] = proto));
  unchecked((ctZone[ct] = zone));
  setTuple(ct * 2, pkSrc, pkDst, pkA, pkB);
  setTuple(
    ct * 2 + 1,
    pkDst,
    pkSrc,
    invertA(proto, pkA, pkB),
    proto == PROTO_ICMP ? invertB(proto, pkB, pkA) : pkA,
  );
  unchecked((ctExpires[ct] = now + timeoutOf(ct)));
  pkCt = ct;
  pkDir = 0;
  pkState = CT_NEW;
}

/** Hashes a new entry (POSTROUTING / INPUT, nf_conntrack_confirm). */
export function ctConfirm(ct: i32): void {
  if (ct < 0 || !unchecked(inUse[ct])) return;
  const st = unchecked(ctStatus[ct]);
  if ((st & IPS_CONFIRMED) != 0) return;
  // Another entry took this reply tuple meanwhile: this packet's entry is dropped instead.
  const z = unchecked(ctZone[ct]);
  if (find(z, unchecked(ctProto[ct]), ctSrc(ct, 1), ctDst(ct, 1), ctA(ct, 1), ctB(ct, 1)) >= 0) {
    ctDelete(ct);
    return;
  }
  unchecked((ctStatus[ct] = st | IPS_CONFIRMED));
  link(ct * 2);
  link(ct * 2 + 1);
}

// --- NAT ------------------------------------------------------------------------------------

/** True when some live entry already uses this reply tuple. */
function replyTaken(r: i32, proto: u32, src: u32, dst: u32, a: u32, b: u32): bool {
  return find(unchecked(ctZone[r >> 1]), proto, src, dst, a, b) >= 0;
}

/**
 * Binds a source NAT (MASQUERADE / SNAT) to a new entry: replies will be addressed to
 * `addr`, port or id from [lo, hi] (0: keep the original when free), random with
 * `random` (--random-fully), else the first free one counting up.
 */
export function ctBindSnat(ct: i32, addr: u32, lo: u32, hi: u32, random: bool, rnd: u32): void {
  const proto = unchecked(ctProto[ct]);
  const r = ct * 2 + 1;
  const ported = proto == PROTO_UDP || proto == PROTO_TCP || proto == PROTO_ICMP;
  // The port (UDP) or id (ICMP) that replies are addressed to.
  let key = proto == PROTO_ICMP ? unchecked(tA[r]) : unchecked(tB[r]);
  let min: u32 = lo;
  let max: u32 = hi;
  if (ported && lo == 0) {
    if (proto == PROTO_ICMP) max = 65535;
    else if (key < 1024) max = 1023;
    else {
      min = 1024;
      max = 65535;
    }
  }
  const size = max - min + 1;
  const inRange = key >= min && key <= max;
  const src = unchecked(tSrc[r]);
  if (ported && (random || !inRange || replyTakenWith(proto, src, addr, key, r))) {
    let off: u32 = random ? rnd % size : inRange ? key - min : 0;
    for (let i: u32 = 0; i < size; i++, off++) {
      key = min + (off % size);
      if (!replyTakenWith(proto, src, addr, key, r)) break;
    }
  }
  unchecked((tDst[r] = addr));
  if (proto == PROTO_ICMP) unchecked((tA[r] = key));
  else if (ported) unchecked((tB[r] = key));
  unchecked((ctStatus[ct] |= IPS_SRC_NAT));
}

function replyTakenWith(proto: u32, src: u32, dst: u32, key: u32, r: i32): bool {
  if (proto == PROTO_ICMP) return replyTaken(r, proto, src, dst, key, unchecked(tB[r]));
  return replyTaken(r, proto, src, dst, unchecked(tA[r]), key);
}

/** Binds a destination NAT (DNAT): the connection goes to addr, port `port` (0: keep). */
export function ctBindDnat(ct: i32, addr: u32, port: u32): void {
  const proto = unchecked(ctProto[ct]);
  const r = ct * 2 + 1;
  unchecked((tSrc[r] = addr));
  if (port != 0 && (proto == PROTO_UDP || proto == PROTO_TCP)) unchecked((tA[r] = port));
  unchecked((ctStatus[ct] |= IPS_DST_NAT));
}

function fold16(sum: u32): u32 {
  sum = (sum & 0xffff) + (sum >> 16);
  return (sum & 0xffff) + (sum >> 16);
}

/** RFC 1624's update of the big-endian checksum at c for a 32-bit field going old -> new. */
function csumReplace32(c: usize, old: u32, nw: u32): void {
  const sum = (~rd16(c) & 0xffff) + (~(old >> 16) & 0xffff) + (~old & 0xffff);
  wr16(c, ~fold16(sum + (nw >> 16) + (nw & 0xffff)) & 0xffff);
}
function csumReplace16(c: usize, old: u32, nw: u32): void {
  wr16(c, ~fold16((~rd16(c) & 0xffff) + (~old & 0xffff) + (nw & 0xffff)) & 0xffff);
}

/**
 * Rewrites the packet at p: its source (src manip) or destination to `addr`, and its port
 * (UDP) or query id (ICMP) to `key`; fixes the IP and L4 checksums (len: the bytes there are).
 */
function manip(p: usize, len: i32, srcManip: bool, addr: u32, key: u32): void {
  const ihl = ipHeaderLen(p);
  const proto = ipProto(p);
  const l4 = p + <usize>ihl;
  const at: usize = srcManip ? 12 : 16;
  const old = bswap<u32>(load<u32>(p + at));
  const frag = (ipFragOff(p) & IP_OFFSET) != 0;
  if (!frag && (proto == PROTO_UDP || proto == PROTO_TCP) && len >= ihl + 8) {
    const portAt = l4 + (srcManip ? 0 : 2);
    const oldPort = rd16(portAt);
    const ck = l4 + (proto == PROTO_UDP ? 6 : 16);
    const hasCk = proto == PROTO_UDP ? rd16(ck) != 0 : len >= ihl + 18;
    if (hasCk) {
      csumReplace32(ck, old, addr);
      csumReplace16(ck, oldPort, key);
      if (proto == PROTO_UDP && rd16(ck) == 0) wr16(ck, 0xffff);
    }
    wr16(portAt, key);
  } else if (!frag && proto == PROTO_ICMP && len >= ihl + 8) {
    const t = icmpType(l4);
    if (isIcmpQuery(t) || isIcmpReply(t)) {
      csumReplace16(l4 + 2, rd16(l4 + 4), key);
      wr16(l4 + 4, key);
    }
  }
  store<u32>(p + at, bswap<u32>(addr));
  ipSetCheck(p, 0);
  ipSetCheck(p, csum(p, ihl));
}

/** The packet's key (UDP port on the manipulated side, ICMP id) after NAT toward tuple t. */
function keyFor(proto: u32, n: i32, srcManip: bool): u32 {
  if (proto == PROTO_ICMP) return unchecked(tA[n]);
  return srcManip ? unchecked(tB[n]) : unchecked(tA[n]);
}

/**
 * Applies the entry's NAT to the packet in direction pkDir (nf_nat_packet): at a
 * destination hook (PREROUTING, OUTPUT) the destination, at a source hook (POSTROUTING,
 * INPUT) the source, each toward the inverse of the other direction's tuple. For an ICMP
 * error the quoted packet is translated back first (nf_nat_icmp_reply_translation).
 */
export function ctNat(p: usize, len: i32, srcManip: bool): bool {
  const ct = pkCt;
  if (ct < 0) return false;
  const st = unchecked(ctStatus[ct]);
  let need = srcManip ? IPS_SRC_NAT : IPS_DST_NAT;
  if (pkDir == 1) need = srcManip ? IPS_DST_NAT : IPS_SRC_NAT;
  if ((st & need) == 0) return false;
  const other = ct * 2 + (pkDir ^ 1);
  const proto = unchecked(ctProto[ct]);
  if (pkState == CT_RELATED) {
    const inner = p + <usize>pkInner;
    const innerLen = len - pkInner;
    // The quoted packet went in the other direction: it gets the opposite manip, toward
    // the other direction's tuple itself.
    const innerSrc = !srcManip;
    const addr = innerSrc ? unchecked(tSrc[other]) : unchecked(tDst[other]);
    const key = proto == PROTO_ICMP || innerSrc ? unchecked(tA[other]) : unchecked(tB[other]);
    manip(inner, innerLen, innerSrc, addr, key);
    const ic = p + <usize>ipHeaderLen(p);
    const icLen = <i32>ipTotLen(p) - ipHeaderLen(p);
    icmpSetCheck(ic, 0);
    icmpSetCheck(ic, csumFold(csumAdd(ic, min(icLen, len - ipHeaderLen(p)), 0)));
    // The outer header: toward the inverse of the other direction's tuple.
    manipAddr(p, srcManip, srcManip ? unchecked(tDst[other]) : unchecked(tSrc[other]));
    return true;
  }
  // Toward the inverse of the other tuple: a source becomes its destination and vice versa.
  const addr = srcManip ? unchecked(tDst[other]) : unchecked(tSrc[other]);
  manip(p, len, srcManip, addr, keyFor(proto, other, srcManip));
  return true;
}

function manipAddr(p: usize, srcManip: bool, addr: u32): void {
  const at: usize = srcManip ? 12 : 16;
  store<u32>(p + at, bswap<u32>(addr));
  const ihl = ipHeaderLen(p);
  ipSetCheck(p, 0);
  ipSetCheck(p, csum(p, ihl));
}
