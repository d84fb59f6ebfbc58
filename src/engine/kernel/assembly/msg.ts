// Reading request attributes and writing reply records in linear memory.

import { A_MAX, A_EXTACK, A_ERR_MTU } from './abi';

export const REQ_SIZE: i32 = 131072;
export const reqBuf: usize = heap.alloc(<usize>REQ_SIZE);

const attrPtr = new StaticArray<usize>(A_MAX);
const attrLen = new StaticArray<i32>(A_MAX);

export function parseAttrs(p: usize, len: i32): void {
  for (let i = 0; i < A_MAX; i++) {
    attrPtr[i] = 0;
    attrLen[i] = -1;
  }
  let i = 0;
  while (i + 4 <= len) {
    const t = <i32>load<u16>(p + <usize>i);
    const l = <i32>load<u16>(p + <usize>i + 2);
    if (i + 4 + l > len) break;
    if (t < A_MAX) {
      attrPtr[t] = p + <usize>i + 4;
      attrLen[t] = l;
    }
    i += 4 + ((l + 3) & ~3);
  }
}

export function has(t: i32): bool {
  return attrLen[t] >= 0;
}
export function u32a(t: i32, dflt: u32 = 0): u32 {
  return attrLen[t] >= 4 ? load<u32>(attrPtr[t]) : dflt;
}
export function i32a(t: i32, dflt: i32 = 0): i32 {
  return attrLen[t] >= 4 ? load<i32>(attrPtr[t]) : dflt;
}
export function stra(t: i32): string {
  return attrLen[t] > 0 ? String.UTF8.decodeUnsafe(attrPtr[t], <usize>attrLen[t]) : '';
}
export function maca(t: i32): u64 {
  if (attrLen[t] < 6) return 0;
  const p = attrPtr[t];
  let m: u64 = 0;
  for (let i = 0; i < 6; i++) m = (m << 8) | (<u64>load<u8>(p + <usize>i));
  return m;
}
export function ptra(t: i32): usize {
  return attrPtr[t];
}
export function lena(t: i32): i32 {
  return attrLen[t];
}

// --- reply writer: a growable buffer of records ---
let out: usize = heap.alloc(65536);
let outCap: i32 = 65536;
export let outLen: i32 = 0;
let recStart: i32 = -1;

export function outPtr(): usize {
  return out;
}

export function resetOut(): void {
  outLen = 0;
  recStart = -1;
}

function ensure(n: i32): void {
  if (outLen + n <= outCap) return;
  let cap = outCap * 2;
  while (outLen + n > cap) cap *= 2;
  out = heap.realloc(out, <usize>cap);
  outCap = cap;
}

export function begin(): void {
  ensure(4);
  recStart = outLen;
  store<u32>(out + <usize>outLen, 0);
  outLen += 4;
}

export function end(): void {
  store<u32>(out + <usize>recStart, <u32>(outLen - recStart - 4));
  recStart = -1;
}

function attrHead(t: i32, l: i32): usize {
  const padded = (l + 3) & ~3;
  ensure(4 + padded);
  const p = out + <usize>outLen;
  store<u16>(p, <u16>t);
  store<u16>(p + 2, <u16>l);
  memory.fill(p + 4, 0, <usize>padded);
  outLen += 4 + padded;
  return p + 4;
}

export function wu32(t: i32, v: u32): void {
  store<u32>(attrHead(t, 4), v);
}
export function wf64(t: i32, v: f64): void {
  store<f64>(attrHead(t, 8), v);
}
export function wstr(t: i32, s: string): void {
  const b = String.UTF8.encode(s);
  const p = attrHead(t, b.byteLength);
  memory.copy(p, changetype<usize>(b), <usize>b.byteLength);
}
export function wmac(t: i32, m: u64): void {
  const p = attrHead(t, 6);
  for (let i = 0; i < 6; i++) store<u8>(p + <usize>i, <u8>(m >> (40 - 8 * i)));
}
export function wbytes(t: i32, src: usize, len: i32): void {
  memory.copy(attrHead(t, len), src, <usize>len);
}

/** An error reply: -errno with an extack message (and an MTU for EMSGSIZE). */
export function fail(errno: i32, extack: string = '', mtu: i32 = 0): i32 {
  resetOut();
  begin();
  if (extack.length > 0) wstr(A_EXTACK, extack);
  if (mtu > 0) wu32(A_ERR_MTU, <u32>mtu);
  end();
  return -errno;
}
