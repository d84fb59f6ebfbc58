// Netfilter's five hooks (Linux's order: conntrack, then nat and filter as each hook has them)
// walking the rule set that userspace compiled (abi.ts's NF_* layout, loaded by MSG_NF_LOAD)
// in place: no allocation per packet; a hook with no chain costs a load and a compare.
// Each namespace has its own tables and conntrack zone, as on Linux.

import * as A from './abi';
import { EINVAL, ENOENT, EPERM } from './errno';
import { nsGet } from './nl-link';
import { has, ptra, lena, resetOut, begin, end, wbytes, wu32, fail } from './msg';
import { rd16 } from './bytes';
import { slotPtr, slotLen, clearTailSum, SLOT_COUNT } from './pool';
import { Link, Netns, now, random32 } from './state';
import {
  IP_OFFSET,
  PROTO_ICMP,
  PROTO_UDP,
  PROTO_TCP,
  ipHeaderLen,
  ipFragOff,
  ipProto,
  ipSaddr,
  ipDaddr,
  ICMP_DEST_UNREACH,
} from './headers';
import { drop } from './dev';
import { icmpError } from './icmp';
import { arpSourceAddr } from './neigh';
import * as CT from './conntrack';

/** True while some namespace has a rule set loaded: the hooks' call sites test it first. */
export let nfOn: bool = false;

/** One namespace's compiled tables (each netns has its own, as on Linux). */
class NfTables {
  blob: usize = 0;
  counters: usize = 0;
  nChains: i32 = 0;
  nRules: i32 = 0;
  chainBase: usize = 0;
  ruleBase: usize = 0;
  portBase: usize = 0;
  strBase: usize = 0;
  ctOn: bool = false;
  hooked: bool = false;
  hooks: StaticArray<i32> = new StaticArray<i32>(10);
  constructor(public zone: u32) {}
}

/** Keeps every namespace's tables alive (Netns holds only their address, for the hooks). */
const allTables = new Map<Netns, NfTables>();
let nextZone: u32 = 1;

/** The tables of the namespace being looked at (select() sets it). */
let T: NfTables = new NfTables(0);

/** Makes ns's tables current; false when it has none. */
// @ts-ignore: decorator
@inline
function select(ns: Netns): bool {
  const at = ns.nfTables;
  if (at == 0) return false;
  T = changetype<NfTables>(at);
  return true;
}

// Per packet buffer: skb->mark and skb->_nfct (entry, direction, state, inner offset).
const slotMark = new StaticArray<u32>(SLOT_COUNT);
const slotCt = new StaticArray<i32>(SLOT_COUNT);
const slotCtInfo = new StaticArray<u32>(SLOT_COUNT);

// @ts-ignore: decorator
@inline
function word(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}

// --- loading --------------------------------------------------------------------------------

/** MSG_NF_LOAD: A_DATA holds the rule set, A_NF_COUNTERS its starting counters. */
export function nfLoad(): i32 {
  if (!has(A.A_DATA)) return fail(EINVAL);
  const src = ptra(A.A_DATA);
  const len = lena(A.A_DATA);
  if (len < A.NF_HDR_WORDS * 4 || word(src, 0) != A.NF_MAGIC) return fail(EINVAL);
  const nc = word(src, A.NF_H_CHAINS);
  const nr = word(src, A.NF_H_RULES);
  const np = word(src, A.NF_H_PORTS);
  const fixed = (A.NF_HDR_WORDS + nc * A.NF_CHAIN_WORDS + nr * A.NF_RULE_WORDS + np) * 4;
  if (nc < 0 || nr < 0 || np < 0 || fixed > len) return fail(EINVAL);
  const cb = src + <usize>(A.NF_HDR_WORDS * 4);
  const rb = cb + <usize>(nc * A.NF_CHAIN_WORDS * 4);
  const pb = rb + <usize>(nr * A.NF_RULE_WORDS * 4);
  const sl = len - fixed;
  // Validated once here, so the walk never checks bounds.
  for (let i = 0; i < 10; i++) {
    const c = word(src, A.NF_H_HOOKS + i);
    if (c < -1 || c >= nc) return fail(EINVAL);
  }
  for (let c = 0; c < nc; c++) {
    const cp = cb + <usize>(c * A.NF_CHAIN_WORDS * 4);
    const first = word(cp, 0);
    const count = word(cp, 1);
    if (first < 0 || count < 0 || first + count > nr) return fail(EINVAL);
  }
  for (let r = 0; r < nr; r++) {
    const rp = rb + <usize>(r * A.NF_RULE_WORDS * 4);
    const t = word(rp, A.R_TARGET);
    if (t == A.T_JUMP && (word(rp, A.R_ARG0) < 0 || word(rp, A.R_ARG0) >= nc)) return fail(EINVAL);
    const at = word(rp, A.R_MPORT_AT);
    const n = word(rp, A.R_MPORT_N);
    if ((word(rp, A.R_FLAGS) & A.M_MPORT) != 0 && (at < 0 || n < 0 || at + n > np))
      return fail(EINVAL);
    for (let k = A.R_IIF; k <= A.R_OIF; k++) {
      const off = word(rp, k);
      if (off == -1) continue;
      if (off < 0 || off + 2 > sl || off + 2 + <i32>load<u16>(pb + <usize>(np * 4 + off)) * 2 > sl)
        return fail(EINVAL);
    }
  }
  const total = (nr + nc) * 16;
  if (has(A.A_NF_COUNTERS) && lena(A.A_NF_COUNTERS) != total) return fail(EINVAL);
  const ns = nsGet();
  if (ns == null) return fail(ENOENT);
  let t: NfTables;
  if (allTables.has(ns)) t = allTables.get(ns);
  else {
    t = new NfTables(nextZone++);
    allTables.set(ns, t);
  }
  if (t.blob != 0) heap.free(t.blob);
  if (t.counters != 0) heap.free(t.counters);
  t.blob = heap.alloc(<usize>len);
  memory.copy(t.blob, src, <usize>len);
  t.counters = heap.alloc(<usize>max(total, 16));
  if (has(A.A_NF_COUNTERS)) memory.copy(t.counters, ptra(A.A_NF_COUNTERS), <usize>total);
  else memory.fill(t.counters, 0, <usize>total);
  t.nChains = nc;
  t.nRules = nr;
  t.chainBase = t.blob + <usize>(A.NF_HDR_WORDS * 4);
  t.ruleBase = t.chainBase + <usize>(nc * A.NF_CHAIN_WORDS * 4);
  t.portBase = t.ruleBase + <usize>(nr * A.NF_RULE_WORDS * 4);
  t.strBase = t.portBase + <usize>(np * 4);
  t.ctOn = (word(t.blob, A.NF_H_FLAGS) & A.NF_F_CONNTRACK) != 0;
  t.hooked = t.ctOn;
  for (let i = 0; i < 10; i++) {
    t.hooks[i] = word(t.blob, A.NF_H_HOOKS + i);
    if (t.hooks[i] >= 0) t.hooked = true;
  }
  // A namespace whose tables hook nothing is skipped at its hooks' first compare.
  ns.nfTables = t.hooked ? changetype<usize>(t) : 0;
  nfOn = false;
  const all = allTables.values();
  for (let i = 0; i < all.length; i++) if (all[i].hooked) nfOn = true;
  return 0;
}

/** MSG_NF_COUNTERS: f64 [packets, bytes] per rule, then per chain (its policy's). */
export function nfCounters(): i32 {
  const ns = nsGet();
  if (ns == null) return fail(ENOENT);
  resetOut();
  if (!allTables.has(ns)) return 0;
  const t = allTables.get(ns);
  begin();
  wbytes(A.A_NF_COUNTERS, t.counters, (t.nRules + t.nChains) * 16);
  end();
  return 0;
}

// @ts-ignore: decorator
@inline
function count(i: i32, bytes: f64): void {
  const c = T.counters + (<usize>i << 4);
  store<f64>(c, load<f64>(c) + 1);
  store<f64>(c, load<f64>(c, 8) + bytes, 8);
}

// --- the packet being judged ----------------------------------------------------------------

let cNs: Netns | null = null;
let cIn: Link | null = null;
let cOut: Link | null = null;
let cSrc: u32 = 0;
let cDst: u32 = 0;
let cProto: u32 = 0;
/** Ports (UDP/TCP) or ICMP type and code; -1 when the packet has no such header. */
let cSport: i32 = -1;
let cDport: i32 = -1;
let cIcmpType: i32 = -1;
let cIcmpCode: i32 = -1;
let cMark: u32 = 0;
let cState: u32 = A.CT_INVALID;
let cLen: f64 = 0;
/** What ended the walk: a REJECT's code, or the nat rule that bound a translation. */
let rejectCode: u32 = 0;
let natRule: usize = 0;

function context(ns: Netns, s: i32, inl: Link | null, out: Link | null): void {
  const p = slotPtr(s);
  const len = slotLen(s);
  cNs = ns;
  cIn = inl;
  cOut = out;
  cLen = <f64>len;
  cSrc = ipSaddr(p);
  cDst = ipDaddr(p);
  cProto = ipProto(p);
  cSport = -1;
  cDport = -1;
  cIcmpType = -1;
  cIcmpCode = -1;
  cMark = unchecked(slotMark[s]);
  const ihl = ipHeaderLen(p);
  if ((ipFragOff(p) & IP_OFFSET) != 0) return;
  const l4 = p + <usize>ihl;
  if ((cProto == PROTO_UDP || cProto == PROTO_TCP) && len >= ihl + 4) {
    cSport = <i32>rd16(l4);
    cDport = <i32>rd16(l4 + 2);
  } else if (cProto == PROTO_ICMP && len >= ihl + 2) {
    cIcmpType = <i32>load<u8>(l4);
    cIcmpCode = <i32>load<u8>(l4 + 1);
  }
}

/** Interface name match: the rule's name (a trailing '+' matches any suffix). */
function ifMatch(off: i32, l: Link | null): bool {
  const p = T.strBase + <usize>off;
  const n = <i32>load<u16>(p);
  const name = l == null ? '' : l.name;
  const wild = n > 0 && load<u16>(p + 2 + <usize>((n - 1) * 2)) == 0x2b;
  const want = wild ? n - 1 : n;
  if (wild ? name.length < want : name.length != want) return false;
  const np = changetype<usize>(name);
  for (let i = 0; i < want; i++)
    if (load<u16>(np + (<usize>i << 1)) != load<u16>(p + 2 + (<usize>i << 1))) return false;
  return true;
}

/** addrtype's type of an address: 1 << its route type (RTN_*), as inet_addr_type sees it. */
function addrType(a: u32): u32 {
  if (a == 0 || a == 0xffffffff) return 1 << A.RTN_BROADCAST;
  if (a >> 28 == 14) return 1 << 5; // RTN_MULTICAST
  const ns = cNs!;
  if (ns.isLocalAddr(a)) return 1 << A.RTN_LOCAL;
  const rt = ns.lookup(a);
  if (rt != null && rt.type == A.RTN_BROADCAST) return 1 << A.RTN_BROADCAST;
  return 1 << A.RTN_UNICAST;
}

function inRange(v: i32, range: i32): bool {
  return v >= (range & 0xffff) && v <= ((range >>> 16) & 0xffff);
}

function multiport(rp: usize): bool {
  const dir = word(rp, A.R_MPORT_DIR);
  const at = word(rp, A.R_MPORT_AT);
  const n = word(rp, A.R_MPORT_N);
  for (let i = 0; i < n; i++) {
    const range = load<i32>(T.portBase + (<usize>(at + i) << 2));
    if ((dir & 1) != 0 && inRange(cSport, range)) return true;
    if ((dir & 2) != 0 && inRange(cDport, range)) return true;
  }
  return false;
}

function matches(rp: usize): bool {
  const f = word(rp, A.R_FLAGS);
  if (f == 0) return true;
  const inv = word(rp, A.R_INV);
  // Each test fails the rule when its outcome equals its inversion bit.
  if ((f & A.M_SRC) != 0)
    if (((cSrc & <u32>word(rp, A.R_SMASK)) == <u32>word(rp, A.R_SRC)) == ((inv & A.M_SRC) != 0))
      return false;
  if ((f & A.M_DST) != 0)
    if (((cDst & <u32>word(rp, A.R_DMASK)) == <u32>word(rp, A.R_DST)) == ((inv & A.M_DST) != 0))
      return false;
  if ((f & A.M_PROTO) != 0)
    if ((cProto == <u32>word(rp, A.R_PROTO)) == ((inv & A.M_PROTO) != 0)) return false;
  if ((f & A.M_IIF) != 0)
    if (ifMatch(word(rp, A.R_IIF), cIn) == ((inv & A.M_IIF) != 0)) return false;
  if ((f & A.M_OIF) != 0)
    if (ifMatch(word(rp, A.R_OIF), cOut) == ((inv & A.M_OIF) != 0)) return false;
  // Port and type matches never match a packet without that header (a later fragment).
  if ((f & A.M_SPORT) != 0)
    if (cSport < 0 || inRange(cSport, word(rp, A.R_SPORT)) == ((inv & A.M_SPORT) != 0))
      return false;
  if ((f & A.M_DPORT) != 0)
    if (cDport < 0 || inRange(cDport, word(rp, A.R_DPORT)) == ((inv & A.M_DPORT) != 0))
      return false;
  if ((f & A.M_MPORT) != 0)
    if (cDport < 0 || multiport(rp) == ((inv & A.M_MPORT) != 0)) return false;
  if ((f & A.M_ICMP) != 0) {
    if (cIcmpType < 0) return false;
    const w = word(rp, A.R_ICMP);
    const t = w & 0xff;
    const hit =
      (t == 0xff || t == cIcmpType) &&
      cIcmpCode >= ((w >> 8) & 0xff) &&
      cIcmpCode <= ((w >> 16) & 0xff);
    if (hit == ((inv & A.M_ICMP) != 0)) return false;
  }
  if ((f & A.M_MARK) != 0)
    if (((cMark & <u32>word(rp, A.R_MARK_MASK)) == <u32>word(rp, A.R_MARK)) == ((inv & A.M_MARK) != 0))
      return false;
  if ((f & A.M_CTSTATE) != 0)
    if (((cState & <u32>word(rp, A.R_CTSTATE)) != 0) == ((inv & A.M_CTSTATE) != 0)) return false;
  if ((f & A.M_SRCTYPE) != 0)
    if (((addrType(cSrc) & <u32>word(rp, A.R_SRCTYPE)) != 0) == ((inv & A.M_SRCTYPE) != 0))
      return false;
  if ((f & A.M_DSTTYPE) != 0)
    if (((addrType(cDst) & <u32>word(rp, A.R_DSTTYPE)) != 0) == ((inv & A.M_DSTTYPE) != 0))
      return false;
  return true;
}

const V_DROP: i32 = 0;
const V_ACCEPT: i32 = 1;
const V_REJECT: i32 = 2;
const STACK: i32 = 32;
const stackChain = new StaticArray<i32>(STACK);
const stackRule = new StaticArray<i32>(STACK);

// @ts-ignore: decorator
@inline
function chainWord(c: i32, i: i32): i32 {
  return load<i32>(T.chainBase + (<usize>(c * A.NF_CHAIN_WORDS + i) << 2));
}

/** Walks built-in chain `base` and what it jumps to; returns V_*. */
function walk(base: i32): i32 {
  let sp = 0;
  let c = base;
  let r = chainWord(c, 0);
  let stop = r + chainWord(c, 1);
  while (true) {
    if (r >= stop) {
      if (sp == 0) break;
      sp--;
      c = unchecked(stackChain[sp]);
      r = unchecked(stackRule[sp]);
      stop = chainWord(c, 0) + chainWord(c, 1);
      continue;
    }
    const rp = T.ruleBase + (<usize>(r * A.NF_RULE_WORDS) << 2);
    if (!matches(rp)) {
      r++;
      continue;
    }
    count(r, cLen);
    const t = word(rp, A.R_TARGET);
    if (t == A.T_NONE || t == A.T_LOG) {
      r++;
    } else if (t == A.T_MARK) {
      cMark = (cMark & ~(<u32>word(rp, A.R_ARG1))) ^ (<u32>word(rp, A.R_ARG0));
      r++;
    } else if (t == A.T_ACCEPT) {
      return V_ACCEPT;
    } else if (t == A.T_DROP) {
      return V_DROP;
    } else if (t == A.T_REJECT) {
      rejectCode = <u32>word(rp, A.R_ARG0);
      return V_REJECT;
    } else if (t == A.T_RETURN) {
      if (sp == 0) break;
      r = stop; // pops on the next turn
    } else if (t == A.T_JUMP) {
      if (sp >= STACK) return V_DROP;
      unchecked((stackChain[sp] = c));
      unchecked((stackRule[sp] = r + 1));
      sp++;
      c = word(rp, A.R_ARG0);
      r = chainWord(c, 0);
      stop = r + chainWord(c, 1);
    } else {
      natRule = rp; // MASQUERADE, SNAT, DNAT: bind, and stop here
      return V_ACCEPT;
    }
  }
  // The built-in chain's end: its policy, counted once -P or -Z turned its counters on.
  if (chainWord(base, 3) != 0) count(T.nRules + base, cLen);
  return chainWord(base, 2) == A.NF_POLICY_DROP ? V_DROP : V_ACCEPT;
}

/** Runs table `table`'s chain at `hook` if it has one (V_ACCEPT if not). */
// @ts-ignore: decorator
@inline
function run(hook: i32, table: i32): i32 {
  const c = unchecked(T.hooks[hook * 2 + table]);
  return c < 0 ? V_ACCEPT : walk(c);
}

function saveCt(s: i32): void {
  unchecked((slotCt[s] = CT.pkCt));
  unchecked((slotCtInfo[s] = (<u32>CT.pkDir) | (CT.pkState << 1) | ((<u32>CT.pkInner) << 16)));
}

function loadCt(s: i32): void {
  const info = unchecked(slotCtInfo[s]);
  CT.ctRestore(unchecked(slotCt[s]), <i32>(info & 1), (info >> 1) & 0x7fff, <i32>(info >> 16));
  cState = CT.pkCt < 0 ? A.CT_INVALID : CT.pkState;
  if (CT.pkCt >= 0 && CT.pkState != A.CT_RELATED) {
    const st = CT.ctStatus[CT.pkCt];
    if ((st & A.IPS_SRC_NAT) != 0) cState |= A.CT_SNAT;
    if ((st & A.IPS_DST_NAT) != 0) cState |= A.CT_DNAT;
  }
}

/** The end of a walk: a REJECT answers with its ICMP error; both drop the packet. */
function refuse(ns: Netns, s: i32, v: i32): void {
  if (v == V_REJECT && rejectCode != 255) icmpError(ns, s, 0, ICMP_DEST_UNREACH, rejectCode, 0);
  drop(s, A.DROP_NETFILTER);
}

/**
 * The nat table at a hook for a connection's first packet (binding, or a null binding when
 * no rule matched), then the translation for every packet of it. False if dropped.
 */
function natHook(s: i32, hook: i32, srcManip: bool): bool {
  const ct = CT.pkCt;
  if (ct < 0) return true;
  const done = srcManip ? A.IPS_SRC_NAT_DONE : A.IPS_DST_NAT_DONE;
  const st = CT.ctStatus[ct];
  if ((st & done) == 0 && CT.pkState == A.CT_NEW && CT.pkDir == 0) {
    natRule = 0;
    const v = run(hook, A.NF_TABLE_NAT);
    if (v == V_DROP) return false;
    if (natRule != 0) bind(ct, natRule);
    CT.ctStatus[ct] |= done;
  }
  if (CT.ctNat(slotPtr(s), slotLen(s), srcManip)) clearTailSum(s);
  return true;
}

function bind(ct: i32, rp: usize): void {
  const t = word(rp, A.R_TARGET);
  const ports = <u32>word(rp, A.R_ARG2);
  const lo = ports & 0xffff;
  const hi = ports >> 16;
  if (t == A.T_DNAT) {
    CT.ctBindDnat(ct, <u32>word(rp, A.R_ARG0), lo);
    return;
  }
  let addr = <u32>word(rp, A.R_ARG0);
  if (t == A.T_MASQUERADE) {
    const out = cOut;
    addr = out == null ? 0 : arpSourceAddr(out, natNexthop, 0);
    if (addr == 0) return;
  }
  const random = (word(rp, A.R_ARG3) & A.NAT_F_RANDOM_FULLY) != 0;
  CT.ctBindSnat(ct, addr, lo, hi, random, random32());
}

let natNexthop: u32 = 0;

// --- the hooks: true (or 0) lets the packet go on; otherwise it was dropped -------------------

/** PREROUTING (ip_rcv_finish's NF_HOOK): conntrack, then the nat table (DNAT). */
export function nfPrerouting(ns: Netns, inl: Link, s: i32): bool {
  if (!select(ns)) return true;
  unchecked((slotMark[s] = 0));
  CT.ctRestore(-1, 0, A.CT_INVALID, 0);
  if (T.ctOn) CT.ctIn(slotPtr(s), slotLen(s), T.zone);
  saveCt(s);
  if (!T.ctOn) return true;
  context(ns, s, inl, null);
  loadCt(s);
  if (!natHook(s, A.HOOK_PREROUTING, false)) {
    drop(s, A.DROP_NETFILTER);
    return false;
  }
  unchecked((slotMark[s] = cMark));
  return true;
}

/** INPUT (ip_local_deliver): filter, nat (SNAT to a local address), then confirmation. */
export function nfInput(ns: Netns, inl: Link, s: i32): bool {
  if (!select(ns)) return true;
  context(ns, s, inl, null);
  loadCt(s);
  const v = run(A.HOOK_INPUT, A.NF_TABLE_FILTER);
  if (v != V_ACCEPT) {
    refuse(ns, s, v);
    return false;
  }
  if (T.ctOn) {
    if (!natHook(s, A.HOOK_INPUT, true)) {
      drop(s, A.DROP_NETFILTER);
      return false;
    }
    CT.ctConfirm(CT.pkCt);
  }
  return true;
}

/** FORWARD (ip_forward, after the TTL decrement): filter. */
export function nfForward(ns: Netns, inl: Link, out: Link, s: i32): bool {
  if (!select(ns)) return true;
  context(ns, s, inl, out);
  loadCt(s);
  const v = run(A.HOOK_FORWARD, A.NF_TABLE_FILTER);
  unchecked((slotMark[s] = cMark));
  if (v == V_ACCEPT) return true;
  refuse(ns, s, v);
  return false;
}

/** OUTPUT (__ip_local_out): conntrack, nat (DNAT), filter. 0, or -EPERM when dropped. */
export function nfOutput(ns: Netns, out: Link, s: i32): i32 {
  if (!select(ns)) return 0;
  unchecked((slotMark[s] = 0));
  CT.ctRestore(-1, 0, A.CT_INVALID, 0);
  if (T.ctOn) CT.ctIn(slotPtr(s), slotLen(s), T.zone);
  saveCt(s);
  context(ns, s, null, out);
  loadCt(s);
  if (T.ctOn && !natHook(s, A.HOOK_OUTPUT, false)) {
    drop(s, A.DROP_NETFILTER);
    return -EPERM;
  }
  unchecked((slotMark[s] = cMark));
  context(ns, s, null, out); // again: DNAT may have changed the destination
  const v = run(A.HOOK_OUTPUT, A.NF_TABLE_FILTER);
  unchecked((slotMark[s] = cMark));
  if (v == V_ACCEPT) return 0;
  refuse(ns, s, v);
  return -EPERM;
}

/** POSTROUTING (ip_output): nat (SNAT, MASQUERADE toward next hop nh), then confirmation. */
export function nfPostrouting(ns: Netns, out: Link, nh: u32, s: i32): bool {
  if (!select(ns) || !T.ctOn) return true;
  context(ns, s, null, out);
  loadCt(s);
  natNexthop = nh;
  if (!natHook(s, A.HOOK_POSTROUTING, true)) {
    drop(s, A.DROP_NETFILTER);
    return false;
  }
  CT.ctConfirm(CT.pkCt);
  return true;
}

// --- conntrack -L ---------------------------------------------------------------------------

/** MSG_CT_DUMP: one record per live entry: A_CT words and the seconds left (A_TTL). */
export function ctDump(): i32 {
  const z = zoneOf();
  resetOut();
  for (let ct = 0; ct < CT.CT_MAX; ct++) {
    if (!CT.ctLive(ct) || CT.ctZone[ct] != z) continue;
    const left = CT.ctExpires[ct] - now;
    if (left <= 0) {
      CT.ctDelete(ct);
      continue;
    }
    begin();
    const w = changetype<usize>(ctWords);
    store<u32>(w, CT.ctProto[ct]);
    store<u32>(w, CT.ctStatus[ct], 4);
    for (let d = 0; d < 2; d++) {
      const o = w + 8 + <usize>(d * 16);
      store<u32>(o, CT.ctSrc(ct, d));
      store<u32>(o, CT.ctDst(ct, d), 4);
      store<u32>(o, CT.ctA(ct, d), 8);
      store<u32>(o, CT.ctB(ct, d), 12);
    }
    wbytes(A.A_CT, w, 40);
    wu32(A.A_TTL, <u32>Math.floor(left / 1000));
    end();
  }
  return 0;
}

const ctWords = new StaticArray<u32>(10);

export function ctFlushAll(): i32 {
  const z = zoneOf();
  if (z != 0) CT.ctFlush(z);
  return 0;
}

/** The conntrack zone of the request's namespace (0: it never had tables, so no entries). */
function zoneOf(): u32 {
  const ns = nsGet();
  return ns != null && allTables.has(ns) ? allTables.get(ns).zone : 0;
}

export { ctSweep } from './conntrack';
