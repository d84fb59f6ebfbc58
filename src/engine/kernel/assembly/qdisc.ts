// A link's root queueing discipline on egress (net/sched): pfifo, and netem, which delays,
// loses, duplicates, corrupts, reorders and rate-limits frames as sch_netem.c does (uniform
// jitter, no correlation). Frames wait in a queue sorted by send time; a kernel timer sends
// them on the lab clock. Without an attached qdisc a link keeps its default (noqueue, or
// pfifo_fast on a tun), which sends at once.

import * as A from './abi';
import { Link, allLinks, now, random32, TX_BYTES, TX_PACKETS } from './state';
import { slotAlloc, slotFree, slotLen, slotPtr, setSlotLen } from './pool';
import { has, i32a, stra, ptra, lena, begin, end, wu32, wstr, wbytes, fail, resetOut } from './msg';
import { ENOENT, EEXIST, EINVAL, ENODEV } from './errno';
import { nsGet, linkFromReq } from './nl-link';
import { devHardXmit } from './dev';

export const QDISC_PFIFO = 1;
export const QDISC_NETEM = 2;

// Options as the request carries them (f64s, in this order): TC_OPTIONS in tc's units.
const OPT_LIMIT = 0;
const OPT_LATENCY = 1; // microseconds
const OPT_JITTER = 2;
const OPT_LOSS = 3; // probabilities scaled to 2^32 - 1, as tc_netem_qopt carries them
const OPT_DUPLICATE = 4;
const OPT_CORRUPT = 5;
const OPT_REORDER = 6;
const OPT_GAP = 7;
const OPT_RATE = 8; // bytes per second
const OPT_COUNT = 9;

// Statistics (gnet_stats_basic + gnet_stats_queue).
const ST_BYTES = 0;
const ST_PACKETS = 1;
const ST_DROPS = 2;
const ST_OVERLIMITS = 3;
const ST_REQUEUES = 4;
const ST_BACKLOG = 5;
const ST_QLEN = 6;
const ST_COUNT = 7;

export class Qdisc {
  kind: i32 = QDISC_PFIFO;
  handle: u32 = 0;
  opts: StaticArray<f64> = new StaticArray<f64>(OPT_COUNT);
  stats: StaticArray<f64> = new StaticArray<f64>(ST_COUNT);
  /** Reorder's counter of frames since the last one sent ahead. */
  counter: u32 = 0;
  /** The queue, sorted by send time (lab ms). */
  slots: Array<i32> = new Array<i32>();
  times: Array<f64> = new Array<f64>();
}

/** Links with a qdisc attached, so the timers do not walk every link. */
const qdiscLinks = new Array<Link>();
/** Linux's qdisc_alloc_handle counter: one for the whole kernel, from 8001:. */
let nextHandle: u32 = 0x8001;

function purge(q: Qdisc): void {
  for (let i = 0; i < q.slots.length; i++) slotFree(q.slots[i]);
  q.slots.length = 0;
  q.times.length = 0;
  q.stats[ST_BACKLOG] = 0;
  q.stats[ST_QLEN] = 0;
}

function chance(p: f64): bool {
  return p != 0 && p >= <f64>random32();
}

/** Inserts after every frame due at or before t (tfifo_enqueue's order). */
function insertAt(q: Qdisc, s: i32, t: f64): void {
  q.slots.push(s);
  q.times.push(t);
  let i = q.times.length - 1;
  while (i > 0 && q.times[i - 1] > t) {
    q.slots[i] = q.slots[i - 1];
    q.times[i] = q.times[i - 1];
    i--;
  }
  q.slots[i] = s;
  q.times[i] = t;
}

/** netem_enqueue: the frame in slot s, leaving link l. Takes the slot. */
function qdiscEnqueue(l: Link, s: i32): void {
  const q = l.qdisc!;
  const o = q.opts;
  let count = 1;
  if (q.kind == QDISC_NETEM) {
    if (chance(o[OPT_DUPLICATE])) count++;
    if (chance(o[OPT_LOSS])) count--;
    if (count == 0) {
      q.stats[ST_DROPS] += 1;
      slotFree(s);
      return;
    }
  }
  if (count > 1) {
    // The copy goes through the queue again, with duplication off (as sch_netem clones it).
    const c = slotAlloc();
    if (c >= 0) {
      memory.copy(slotPtr(c), slotPtr(s), <usize>slotLen(s));
      setSlotLen(c, slotLen(s));
      const dup = o[OPT_DUPLICATE];
      o[OPT_DUPLICATE] = 0;
      qdiscEnqueue(l, c);
      o[OPT_DUPLICATE] = dup;
    }
  }
  const len = slotLen(s);
  if (q.kind == QDISC_NETEM && chance(o[OPT_CORRUPT]) && len > 0) {
    const p = slotPtr(s) + <usize>(random32() % <u32>len);
    store<u8>(p, load<u8>(p) ^ (<u8>1 << <u8>(random32() & 7)));
  }
  if (<f64>q.slots.length >= o[OPT_LIMIT]) {
    q.stats[ST_DROPS] += 1;
    slotFree(s);
    return;
  }
  q.stats[ST_BACKLOG] += len;
  q.stats[ST_QLEN] += 1;
  if (q.kind != QDISC_NETEM) {
    insertAt(q, s, now);
    return;
  }
  const gap = o[OPT_GAP];
  if (gap == 0 || <f64>q.counter < gap - 1 || !chance(o[OPT_REORDER])) {
    let delay = delayUs(o[OPT_LATENCY], o[OPT_JITTER]);
    let from = now;
    if (o[OPT_RATE] > 0) {
      // The last frame queued is the reference point: its send time is this frame's "now".
      const n = q.times.length;
      if (n > 0) {
        const last = q.times[n - 1];
        delay = Math.max(0, delay - (last - now) * 1000);
        from = last;
      }
      delay += (<f64>len * 1e6) / o[OPT_RATE];
    }
    q.counter++;
    insertAt(q, s, from + delay / 1000);
  } else {
    // One frame in `gap` jumps the queue (netem's re-ordering).
    q.counter = 0;
    q.slots.unshift(s);
    q.times.unshift(now);
    q.stats[ST_REQUEUES] += 1;
  }
}

/** tabledist without a table: uniform in [mu - sigma, mu + sigma), in microseconds. */
function delayUs(mu: f64, sigma: f64): f64 {
  if (sigma <= 0) return mu;
  const r = <f64>(<u64>random32() % <u64>(sigma * 2));
  return Math.max(0, r + mu - sigma);
}

/** Sends every frame that is due (netem_dequeue) through the link's driver. */
function dequeueDue(l: Link): void {
  const q = l.qdisc;
  if (q == null) return;
  while (q.slots.length > 0 && q.times[0] <= now) {
    const s = q.slots.shift();
    q.times.shift();
    const len = slotLen(s);
    q.stats[ST_BACKLOG] -= len;
    q.stats[ST_QLEN] -= 1;
    q.stats[ST_BYTES] += len;
    q.stats[ST_PACKETS] += 1;
    devHardXmit(l, s);
  }
}

/** Enqueues, then sends what is due now (qdisc_run after an enqueue). */
export function qdiscXmit(l: Link, s: i32): void {
  qdiscEnqueue(l, s);
  dequeueDue(l);
}

/** The kernel timer: sends what the queues hold that is now due. */
export function qdiscTimers(): void {
  for (let i = qdiscLinks.length - 1; i >= 0; i--) {
    const l = qdiscLinks[i];
    const q = l.qdisc;
    if (q == null || allLinks[l.id] != l) {
      // Deleted link or detached qdisc: its frames go with it.
      if (q != null) purge(q);
      qdiscLinks.splice(i, 1);
      continue;
    }
    if (!l.up) purge(q); // dev_deactivate resets the qdisc
    else dequeueDue(l);
  }
}

export function qdiscNextTimer(): f64 {
  let next = Infinity;
  for (let i = 0; i < qdiscLinks.length; i++) {
    const q = qdiscLinks[i].qdisc;
    if (q != null && q.times.length > 0 && q.times[0] < next) next = q.times[0];
  }
  return next;
}

// ---------------------------------------------------------------------------------------------
// Configuration: RTM_NEWQDISC / RTM_DELQDISC / RTM_GETQDISC, root qdiscs only.

function kindFromName(name: string): i32 {
  if (name == 'netem') return QDISC_NETEM;
  if (name == 'pfifo') return QDISC_PFIFO;
  return 0;
}

function readOpts(q: Qdisc, l: Link): void {
  const o = q.opts;
  for (let i = 0; i < OPT_COUNT; i++) o[i] = 0;
  o[OPT_LIMIT] = q.kind == QDISC_PFIFO ? <f64>l.txqlen : 1000;
  const p = ptra(A.A_TC_OPTIONS);
  const n = lena(A.A_TC_OPTIONS) >> 3;
  for (let i = 0; i < n && i < OPT_COUNT; i++) {
    const v = load<f64>(p + ((<usize>i) << 3));
    if (i != OPT_LIMIT || v >= 0) o[i] = v;
  }
}

export function qdiscAdd(flags: u32): i32 {
  const ns = nsGet();
  if (ns == null) return fail(ENOENT);
  const l = linkFromReq(ns);
  if (l == null) return fail(ENODEV);
  if (i32a(A.A_TC_PARENT) != -1) return fail(EINVAL, 'Handle cannot be zero');
  const kind = kindFromName(stra(A.A_KIND));
  const cur = l.qdisc;
  if (cur != null && (flags & A.NLM_F_EXCL) != 0) {
    return fail(EEXIST, 'Exclusivity flag on, cannot modify');
  }
  if (cur == null && (flags & A.NLM_F_CREATE) == 0) {
    return fail(ENOENT, 'Qdisc not found. To create specify NLM_F_CREATE flag');
  }
  if (kind == 0) return fail(ENOENT, 'Specified qdisc kind is unknown');
  if (cur != null && cur.kind == kind) {
    // change, or a replace of the same kind: new options, same queue and counters.
    readOpts(cur, l);
    return 0;
  }
  if (cur != null && (flags & A.NLM_F_REPLACE) == 0) {
    return fail(EINVAL, 'Change operation not supported by specified qdisc');
  }
  const q = new Qdisc();
  q.kind = kind;
  q.handle = nextHandle++;
  readOpts(q, l);
  if (cur != null) purge(cur);
  else qdiscLinks.push(l);
  l.qdisc = q;
  return 0;
}

export function qdiscDel(): i32 {
  const ns = nsGet();
  if (ns == null) return fail(ENOENT);
  const l = linkFromReq(ns);
  if (l == null) return fail(ENODEV);
  const q = l.qdisc;
  if (q == null) return fail(ENOENT, 'Cannot delete qdisc with handle of zero');
  purge(q);
  l.qdisc = null;
  const i = qdiscLinks.indexOf(l);
  if (i >= 0) qdiscLinks.splice(i, 1);
  return 0;
}

/** One record per link with a qdisc: the attached one, or the default (no A_KIND). */
export function qdiscDump(): i32 {
  const ns = nsGet();
  if (ns == null) return fail(ENOENT);
  const only = has(A.A_IFINDEX) ? i32a(A.A_IFINDEX) : 0;
  resetOut();
  const links = ns.linksByIndex();
  for (let i = 0; i < links.length; i++) {
    const l = links[i];
    if (only != 0 && l.ifindex != only) continue;
    if (!l.qdiscAttached) continue; // noop: never dumped
    begin();
    wu32(A.A_IFINDEX, <u32>l.ifindex);
    const q = l.qdisc;
    if (q != null) {
      wstr(A.A_KIND, q.kind == QDISC_NETEM ? 'netem' : 'pfifo');
      wu32(A.A_TC_HANDLE, q.handle);
      wbytes(A.A_TC_OPTIONS, changetype<usize>(q.opts), OPT_COUNT << 3);
      wbytes(A.A_TC_STATS, changetype<usize>(q.stats), ST_COUNT << 3);
    } else {
      // The default: noqueue counts nothing; a tun's pfifo_fast counts what it sent.
      const st = new StaticArray<f64>(ST_COUNT);
      if (l.kind == A.KIND_TUN) {
        st[ST_BYTES] = l.stats[TX_BYTES];
        st[ST_PACKETS] = l.stats[TX_PACKETS];
      }
      wbytes(A.A_TC_STATS, changetype<usize>(st), ST_COUNT << 3);
    }
    end();
  }
  if (only != 0 && ns.link(only) == null) return fail(ENODEV);
  return 0;
}
