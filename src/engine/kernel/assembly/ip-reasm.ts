// Reassembly (RFC 791) of fragments for local delivery: a few datagrams at a time, each in a
// 64 KiB buffer taken when first needed; unfinished ones expire after 30 s (ipfrag_time).

import { DROP_IP_FRAG, DROP_NO_BUFFER } from './abi';
import { csum } from './bytes';
import { slotAlloc, slotFree, slotPtr, slotLen, setSlotLen, SLOT_MAX } from './pool';
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
export function ipDefrag(ns: Netns, s: i32): i32 {
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

