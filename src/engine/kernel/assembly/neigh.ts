// ARP and the neighbour table.

import {
  KIND_LOOPBACK,
  KIND_TUN,
  NUD_INCOMPLETE,
  NUD_REACHABLE,
  NUD_STALE,
  NUD_DELAY,
  NUD_PROBE,
  NUD_FAILED,
  NUD_NOARP,
  NUD_PERMANENT,
  DROP_ARP_MALFORMED,
  DROP_NEIGH_FAILED,
  DROP_NEIGH_QUEUE,
  DROP_NO_BUFFER,
  DROP_ARP_NOARP,
  DROP_IP_MARTIAN,
  DROP_NEIGH_TABLE_FULL,
  RTN_LOCAL,
  RTN_BROADCAST,
} from './abi';
import { isMulticastMac, BROADCAST_MAC } from './bytes';
import { slotAlloc, slotFree, slotPtr, slotPush, slotLen, clearTailSum, setSlotLen } from './pool';
import {
  Link,
  Netns,
  Neigh,
  now,
  setNowValue,
  random32,
  neighKey,
  nsOrder,
  RX_ERRORS,
} from './state';
import {
  ETH_HLEN,
  ETH_P_IP,
  ETH_P_ARP,
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
  ipSaddr,
  ICMP_DEST_UNREACH,
  ICMP_HOST_UNREACH,
} from './headers';
import { bump, count, devXmit, drop, runBacklog } from './dev';
import { journeyOn, journeyNeigh } from './journey';
import { icmpError } from './icmp';

const REACHABLE_MS: f64 = 30000;
const RETRANS_MS: f64 = 1000;
const DELAY_PROBE_MS: f64 = 5000;
const MAX_PROBES: i32 = 3;

// The table's garbage collection, as Linux 6.1's (net/core/neighbour.c). The table is one for
// the whole kernel (arp_tbl), so its thresholds and counts span every namespace.
/** net.ipv4.neigh.default.gc_thresh1/2/3: below 1 the periodic gc does nothing; above 2 a
 * new entry first forces a gc (at most every 5 s); 3 is the hard limit. */
export let gcThresh1: i32 = 128;
export let gcThresh2: i32 = 512;
export let gcThresh3: i32 = 1024;
export function setGcThresh(which: i32, v: i32): void {
  if (which == 1) gcThresh1 = v;
  else if (which == 2) gcThresh2 = v;
  else gcThresh3 = v;
}
/** gc_stale_time: an entry unused this long is removed by the periodic gc. */
const GC_STALE_MS: f64 = 60000;
/** The periodic gc runs every base_reachable_time / 2. */
const GC_PERIOD_MS: f64 = REACHABLE_MS / 2;
/** neigh_forced_gc spares entries updated in the last 5 s. */
const GC_FORCED_AGE_MS: f64 = 5000;
/** Entries that gc may remove (every state but PERMANENT), kernel-wide: gc_entries. */
let gcEntries: i32 = 0;
let lastFlush: f64 = 0;
/** When a forced gc last found nothing to remove (-1: since then an entry changed state). */
let fruitlessGcAt: f64 = -1;
let nextPeriodicGc: f64 = 0;

/** net.ipv4.neigh.default.unres_qlen_bytes: what may wait for an address, per neighbour. */
export const UNRES_QLEN_BYTES_DEFAULT: i32 = 212992;
/** What a queued packet costs against it: its bytes plus sk_buff and skb_shared_info
 * (SKB_TRUESIZE; 212992 / SKB_TRUESIZE(1514) is the 101 packets unres_qlen shows). */
const SKB_OVERHEAD: i32 = 576;
/** Packets waiting for resolution may hold at most a quarter of the packet buffers, so
 * unresolved neighbours cannot starve the rest of the stack of them. */
const UNRES_SLOTS_MAX: i32 = 128;
let unresSlots: i32 = 0;

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
export function arpSourceAddr(l: Link, target: u32, hint: u32): u32 {
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

/**
 * With arp_notify (the device's or `all`), a device that comes up or changes its MAC announces
 * each of its addresses: a gratuitous ARP request, sender and target both the address.
 */
export function arpNotify(l: Link): void {
  if (!l.up || !l.isArpDevice() || max(l.arpNotify, l.ns.arpNotifyAll) <= 0) return;
  const addrs = l.ns.addrs;
  for (let i = 0; i < addrs.length; i++) {
    const a = unchecked(addrs[i]);
    if (a.link == l) arpSend(l, ARPOP_REQUEST, BROADCAST_MAC, l.mac, a.local, 0, a.local);
  }
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

/** A new entry, or null when the table is full even after a forced gc (neigh_alloc);
 * `exempt` (an entry made PERMANENT by `ip neigh add`) skips the limit, as in Linux. */
export function neighCreate(ns: Netns, l: Link, ip: u32, exempt: bool = false): Neigh | null {
  const entries = gcEntries;
  if (exempt) {
    // counted until neighConfirm makes it PERMANENT
  } else if (entries >= gcThresh3 || (entries >= gcThresh2 && now > lastFlush + GC_FORCED_AGE_MS)) {
    if (neighForcedGc() == 0 && entries >= gcThresh3) {
      return null;
    }
  }
  const n = new Neigh(l, ip);
  ns.neighs.set(neighKey(l.ifindex, ip), n);
  ns.neighList.push(n);
  gcEntries++;
  // The periodic gc does nothing below gc_thresh1, so a small table arms no timer.
  if (nextPeriodicGc == 0 && gcEntries >= gcThresh1) nextPeriodicGc = now + GC_PERIOD_MS;
  return n;
}

/** Removes entry i of ns's list, dropping what waited for it. */
export function neighRemove(ns: Netns, i: i32): void {
  const n = ns.neighList[i];
  neighQueueFlush(n);
  if (n.state != NUD_PERMANENT) gcEntries--;
  ns.neighs.delete(neighKey(n.link.ifindex, n.ip));
  ns.neighList.splice(i, 1);
  n.dead = true;
}

/** Frees the packets waiting for n (they are dropped). */
export function neighQueueFlush(n: Neigh): void {
  while (n.queue.length > 0) dequeue(n);
}

function dequeue(n: Neigh): i32 {
  const s = n.queue.shift();
  n.queueBytes -= slotLen(s) + SKB_OVERHEAD;
  unresSlots--;
  return s;
}

/** Whether gc may take n: not PERMANENT, no timer running (a timer holds a reference). */
// @ts-ignore: decorator
@inline
function collectable(n: Neigh): bool {
  return n.state != NUD_PERMANENT && n.timerAt == 0 && n.queue.length == 0;
}

/** neigh_forced_gc: removes entries not updated in the last 5 s (and FAILED or NOARP ones),
 * oldest first, until gc_thresh2 remain. Returns how many it removed. */
function neighForcedGc(): i32 {
  // A flood of new senders asks again at the same instant: nothing has aged since.
  if (now == fruitlessGcAt) return 0;
  const maxClean = gcEntries + 1 - gcThresh2; // gc_entries already counts the new entry
  const tref = now - GC_FORCED_AGE_MS;
  let shrunk = 0;
  for (let j = 0; j < nsOrder.length && shrunk < maxClean; j++) {
    const ns = nsOrder[j];
    const list = ns.neighList;
    // One pass that keeps the survivors in order (splicing each removal would be quadratic).
    let kept = 0;
    for (let i = 0; i < list.length; i++) {
      const n = list[i];
      const old = n.state == NUD_FAILED || n.state == NUD_NOARP || n.updated < tref;
      if (shrunk < maxClean && collectable(n) && old) {
        gcEntries--;
        ns.neighs.delete(neighKey(n.link.ifindex, n.ip));
        n.dead = true;
        shrunk++;
      } else list[kept++] = n;
    }
    list.length = kept;
  }
  lastFlush = now;
  fruitlessGcAt = shrunk == 0 ? now : -1;
  return shrunk;
}

/** neigh_periodic_work: once the table holds gc_thresh1 entries, removes the FAILED ones and
 * those unused for gc_stale_time. */
function neighPeriodicGc(): void {
  let total = 0;
  for (let j = 0; j < nsOrder.length; j++) total += nsOrder[j].neighList.length;
  if (total < gcThresh1) return;
  for (let j = 0; j < nsOrder.length; j++) {
    const ns = nsOrder[j];
    const list = ns.neighList;
    let kept = 0;
    for (let i = 0; i < list.length; i++) {
      const n = list[i];
      const used = max(n.used, n.updated);
      if (collectable(n) && (n.state == NUD_FAILED || now >= used + GC_STALE_MS)) {
        gcEntries--;
        ns.neighs.delete(neighKey(n.link.ifindex, n.ip));
        n.dead = true;
      } else list[kept++] = n;
    }
    list.length = kept;
  }
}

/** Runs the periodic gc when due; returns when it is next due (Infinity: nothing to collect). */
export function neighGcTimer(run: bool): f64 {
  if (nextPeriodicGc == 0) return Infinity;
  if (run && now >= nextPeriodicGc) {
    neighPeriodicGc();
    nextPeriodicGc = gcEntries >= gcThresh1 ? now + GC_PERIOD_MS : 0;
  }
  return nextPeriodicGc == 0 ? Infinity : nextPeriodicGc;
}

/** An ARP sender Linux neither learns nor answers: ip_route_input's martian sources
 * (loopback, multicast, limited broadcast) and the host's own or broadcast addresses
 * (fib_validate_source). 0.0.0.0/8 and 240.0.0.0/4 are unicast to Linux (the oracle learns
 * them); 0.0.0.0 itself is a duplicate-address probe, answered but not learned. */
function martianSender(ns: Netns, ip: u32): bool {
  if (ip >> 24 == 127 || ip >> 28 == 14 || ip == 0xffffffff) return true;
  if (ip == 0) return false;
  const rt = ns.lookup(ip);
  return rt != null && (rt.type == RTN_LOCAL || rt.type == RTN_BROADCAST);
}

/** The neighbour's address is known: record it and send what was waiting. */
export function neighConfirm(n: Neigh, mac: u64, state: i32): void {
  const wasPermanent = n.state == NUD_PERMANENT;
  if (state == NUD_NOARP || state == NUD_FAILED) fruitlessGcAt = -1;
  n.mac = mac;
  n.state = state;
  n.updated = now;
  n.probes = 0;
  n.timerAt = state == NUD_REACHABLE ? now + reachableTime() : 0;
  if ((state == NUD_PERMANENT) != wasPermanent) gcEntries += wasPermanent ? 1 : -1;
  while (n.queue.length > 0) neighXmit(n, dequeue(n));
}

function neighXmit(n: Neigh, s: i32): void {
  if (journeyOn) journeyNeigh(s, n);
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
  fruitlessGcAt = -1;
  while (n.queue.length > 0) {
    const s = dequeue(n);
    icmpError(ns, s, 0, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 0);
    drop(s, DROP_NEIGH_FAILED);
  }
}

/** Sends an IP packet (slot holds it from the IP header) to next hop `nh` on link `out`. */
export function neighOutput(ns: Netns, out: Link, nh: u32, s: i32, broadcast: bool): void {
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
  if (n == null) {
    drop(s, DROP_NEIGH_TABLE_FULL);
    return;
  }
  n.used = now;
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
    if (journeyOn) journeyNeigh(s, n);
    if (!pushEther(s, n.mac, out.mac, ETH_P_IP)) {
      drop(s, DROP_NO_BUFFER);
      return;
    }
    devXmit(out, s);
    return;
  }
  if (journeyOn) journeyNeigh(s, n); // queued until resolved
  // __neigh_event_send: the oldest waiting packets make room, by bytes.
  const cost = slotLen(s) + SKB_OVERHEAD;
  while (
    n.queue.length > 0 &&
    (n.queueBytes + cost > out.unresQlenBytes || unresSlots >= UNRES_SLOTS_MAX)
  ) {
    drop(dequeue(n), DROP_NEIGH_QUEUE);
  }
  if (cost > out.unresQlenBytes || unresSlots >= UNRES_SLOTS_MAX) {
    drop(s, DROP_NEIGH_QUEUE);
  } else {
    n.queue.push(s);
    n.queueBytes += cost;
    unresSlots++;
  }
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
      fruitlessGcAt = -1; // a stopped timer may leave it collectable
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

export function arpRcv(l: Link, s: i32): void {
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
  // arp_process: a request about a multicast or loopback target, or from a martian sender,
  // is neither learned from nor answered.
  if (tpa >> 28 == 14 || tpa >> 24 == 127 || (op == ARPOP_REQUEST && martianSender(ns, spa))) {
    drop(s, DROP_IP_MARTIAN);
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
    if (m == null) {
      // neigh_event_ns failed: Linux answers only a sender it could learn.
      drop(s, DROP_NEIGH_TABLE_FULL);
      return;
    }
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

