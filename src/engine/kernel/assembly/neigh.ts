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
} from './abi';
import { isMulticastMac, BROADCAST_MAC } from './bytes';
import { slotAlloc, slotFree, slotPtr, slotPush, slotLen, clearTailSum, setSlotLen } from './pool';
import { Link, Netns, Neigh, now, setNowValue, random32, neighKey, RX_ERRORS } from './state';
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
const NEIGH_QUEUE_MAX: i32 = 3;

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
  const q = n.queue;
  while (q.length > 0) {
    const s = q.shift();
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

