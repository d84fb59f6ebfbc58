// Reassembly (RFC 791) of fragments for local delivery, with Linux's limits
// (net/ipv4/ip_fragment.c, inet_fragment.c): the fragments' data goes into one buffer per
// datagram, grown as fragments arrive; all of them together may hold ipfrag_high_thresh
// bytes (a fragment that would pass it is dropped, as inet_frag_find refuses a queue then),
// and a datagram not complete within ipfrag_time seconds is dropped. A fragment that
// overlaps another discards its datagram (Linux since 4.19); an exact duplicate is dropped.
// The whole datagram goes into a slot, or a big slot when it is larger than one.

import { DROP_IP_FRAG, DROP_NO_BUFFER } from './abi';
import { csum } from './bytes';
import { slotAllocFor, slotFree, slotPtr, slotLen, setSlotLen } from './pool';
import { Netns, now } from './state';
import {
  ipHeaderLen,
  ipId,
  ipFragOff,
  ipProto,
  ipSaddr,
  ipDaddr,
  ipSetTotLen,
  ipSetFragOff,
  ipSetCheck,
} from './headers';
import { count, drop } from './dev';

/** net.ipv4.ipfrag_high_thresh / low_thresh (bytes) and ipfrag_time (seconds). */
export let ipfragHighThresh: i32 = 4194304;
export let ipfragLowThresh: i32 = 3145728;
export let ipfragTime: i32 = 30;
export function setIpfrag(key: string, v: i32): void {
  if (key == 'net.ipv4.ipfrag_high_thresh') ipfragHighThresh = v;
  else if (key == 'net.ipv4.ipfrag_low_thresh') ipfragLowThresh = v;
  else ipfragTime = v;
}
/** What a queued fragment costs beyond its bytes (SKB_TRUESIZE's sk_buff + shared info). */
const FRAG_OVERHEAD: i32 = 576;
/** The header is kept in front of the data: up to 60 bytes of IPv4 header. */
const REASM_DATA: i32 = 64;

class Reasm {
  ns: Netns | null = null;
  src: u32 = 0;
  dst: u32 = 0;
  id: u32 = 0;
  proto: u32 = 0;
  buf: usize = 0;
  cap: i32 = 0;
  hlen: i32 = 0;
  total: i32 = -1;
  got: i32 = 0;
  /** What the queue is charged against ipfrag_high_thresh. */
  mem: i32 = 0;
  /** The [start, end) ranges received, as pairs. */
  ranges: Array<i32> = new Array<i32>();
  expires: f64 = 0;
}

const queues = new Array<Reasm>();
/** Bytes held by every queue: Linux's frag_mem_limit. */
let fragMem: i32 = 0;

function reasmFree(i: i32): void {
  const e = queues[i];
  if (e.buf != 0) heap.free(e.buf);
  fragMem -= e.mem;
  queues[i] = queues[queues.length - 1];
  queues.pop();
}

/** Records [start, end) for e: 1 when new, 0 for an exact duplicate, -1 when it overlaps. */
function addRange(e: Reasm, start: i32, end: i32): i32 {
  const r = e.ranges;
  for (let i = 0; i < r.length; i += 2) {
    if (r[i] == start && r[i + 1] == end) return 0;
    if (start < r[i + 1] && r[i] < end) return -1;
  }
  r.push(start);
  r.push(end);
  return 1;
}

/** Adds the fragment in slot s (which it consumes); returns the whole datagram's slot or -1. */
export function ipDefrag(ns: Netns, s: i32): i32 {
  const p = slotPtr(s);
  const ihl = ipHeaderLen(p);
  const len = slotLen(s) - ihl;
  const flags = ipFragOff(p);
  const off = <i32>(flags & 0x1fff) * 8;
  const more = (flags & 0x2000) != 0;
  const end = off + len;
  const src = ipSaddr(p);
  const dst = ipDaddr(p);
  const id = ipId(p);
  const proto = ipProto(p);
  if (end > 65535 || (more && (len & 7) != 0) || (more && len == 0)) {
    drop(s, DROP_IP_FRAG);
    return -1;
  }
  let at = -1;
  for (let i = 0; i < queues.length; i++) {
    const r = unchecked(queues[i]);
    if (r.ns == ns && r.src == src && r.dst == dst && r.id == id && r.proto == proto) {
      at = i;
      break;
    }
  }
  // Room for this fragment: the buffer may grow to its end, and it costs its overhead.
  const cost = FRAG_OVERHEAD + (at < 0 ? REASM_DATA + end : max(0, REASM_DATA + end - queues[at].cap));
  if (fragMem + cost > ipfragHighThresh) {
    drop(s, DROP_IP_FRAG);
    return -1;
  }
  if (at < 0) {
    const e = new Reasm();
    e.ns = ns;
    e.src = src;
    e.dst = dst;
    e.id = id;
    e.proto = proto;
    e.expires = now + <f64>ipfragTime * 1000;
    queues.push(e);
    at = queues.length - 1;
  }
  const e = unchecked(queues[at]);
  const added = addRange(e, off, end);
  // ip_frag_queue: a last fragment that disagrees with the known end, or data past it.
  const badEnd = (!more && e.total >= 0 && e.total != end) || (e.total >= 0 && end > e.total);
  if (added <= 0 || badEnd) {
    drop(s, DROP_IP_FRAG);
    if (added < 0 || badEnd) {
      count(DROP_IP_FRAG); // the datagram is lost with it
      reasmFree(at);
    }
    return -1;
  }
  if (REASM_DATA + end > e.cap) {
    const cap = REASM_DATA + end;
    e.buf = e.buf == 0 ? heap.alloc(<usize>cap) : heap.realloc(e.buf, <usize>cap);
    e.cap = cap;
  }
  e.mem += cost;
  fragMem += cost;
  memory.copy(e.buf + <usize>(REASM_DATA + off), p + <usize>ihl, <usize>len);
  e.got += len;
  if (off == 0) {
    memory.copy(e.buf + <usize>(REASM_DATA - ihl), p, <usize>ihl);
    e.hlen = ihl;
  }
  if (!more) e.total = end;
  slotFree(s);
  if (e.total < 0 || e.hlen == 0 || e.got < e.total) return -1;
  const tot = e.hlen + e.total;
  const n = tot <= 65535 ? slotAllocFor(tot) : -1;
  if (n < 0) {
    count(tot <= 65535 ? DROP_NO_BUFFER : DROP_IP_FRAG);
    reasmFree(at);
    return -1;
  }
  const q = slotPtr(n);
  memory.copy(q, e.buf + <usize>(REASM_DATA - e.hlen), <usize>tot);
  setSlotLen(n, tot);
  ipSetTotLen(q, <u32>tot);
  ipSetFragOff(q, 0);
  ipSetCheck(q, 0);
  ipSetCheck(q, csum(q, e.hlen));
  reasmFree(at);
  return n;
}

/** Expires unfinished reassemblies; returns the next expiry time (or Infinity). */
export function reasmTimers(run: bool): f64 {
  let next = Infinity;
  for (let i = queues.length - 1; i >= 0; i--) {
    const r = unchecked(queues[i]);
    if (run && r.expires <= now) {
      count(DROP_IP_FRAG);
      reasmFree(i);
    } else if (r.expires < next) next = r.expires;
  }
  return next;
}

