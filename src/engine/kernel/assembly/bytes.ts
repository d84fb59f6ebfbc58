// Big-endian field access and the Internet checksum, over linear memory.
// Callers check lengths before reading: AssemblyScript has no bounds checks on load/store.

export function rd16(p: usize): u32 {
  return ((<u32>load<u8>(p)) << 8) | (<u32>load<u8>(p + 1));
}

export function wr16(p: usize, v: u32): void {
  store<u8>(p, <u8>(v >> 8));
  store<u8>(p + 1, <u8>v);
}

export function rd32(p: usize): u32 {
  return bswap<u32>(load<u32>(p));
}

export function wr32(p: usize, v: u32): void {
  store<u32>(p, bswap<u32>(v));
}

export function rdMac(p: usize): u64 {
  return ((<u64>rd16(p)) << 32) | (<u64>rd32(p + 2));
}

export function wrMac(p: usize, m: u64): void {
  wr16(p, <u32>(m >> 32));
  wr32(p + 2, <u32>m);
}

export function isMulticastMac(m: u64): bool {
  return ((m >> 40) & 1) != 0;
}

export const BROADCAST_MAC: u64 = 0xffffffffffff;

/**
 * Adds bytes to a one's-complement accumulator. Words are summed in little-endian order and
 * swapped at the end (RFC 1071: the sum is byte-order independent), eight bytes at a time.
 */
export function csumAdd(p: usize, len: i32, acc: u64): u64 {
  let i = 0;
  if (len >= 64) {
    // SIMD: add adjacent 16-bit words into four 32-bit lanes, 64 bytes per round in four
    // independent sums. A lane gains at most 2 * 0xffff per round, so no lane can overflow
    // for any IPv4 length.
    let a = i32x4.splat(0);
    let b = i32x4.splat(0);
    let c = i32x4.splat(0);
    let d = i32x4.splat(0);
    while (i + 64 <= len) {
      const q = p + <usize>i;
      a = i32x4.add(a, i32x4.extadd_pairwise_i16x8_u(v128.load(q)));
      b = i32x4.add(b, i32x4.extadd_pairwise_i16x8_u(v128.load(q, 16)));
      c = i32x4.add(c, i32x4.extadd_pairwise_i16x8_u(v128.load(q, 32)));
      d = i32x4.add(d, i32x4.extadd_pairwise_i16x8_u(v128.load(q, 48)));
      i += 64;
    }
    if (i + 32 <= len) {
      const q = p + <usize>i;
      a = i32x4.add(a, i32x4.extadd_pairwise_i16x8_u(v128.load(q)));
      b = i32x4.add(b, i32x4.extadd_pairwise_i16x8_u(v128.load(q, 16)));
      i += 32;
    }
    const t = i32x4.add(i32x4.add(a, b), i32x4.add(c, d));
    acc +=
      <u64>(<u32>i32x4.extract_lane(t, 0)) +
      <u64>(<u32>i32x4.extract_lane(t, 1)) +
      <u64>(<u32>i32x4.extract_lane(t, 2)) +
      <u64>(<u32>i32x4.extract_lane(t, 3));
  }
  while (i + 8 <= len) {
    const x = load<u64>(p + <usize>i);
    acc += (x & 0xffffffff) + (x >> 32);
    i += 8;
  }
  if (i + 4 <= len) {
    acc += <u64>load<u32>(p + <usize>i);
    i += 4;
  }
  if (i + 2 <= len) {
    acc += <u64>load<u16>(p + <usize>i);
    i += 2;
  }
  if (i < len) acc += <u64>load<u8>(p + <usize>i);
  return acc;
}

/** Adds a 16-bit big-endian field value (e.g. a pseudo-header length) to an accumulator. */
export function csumAdd16(acc: u64, v: u32): u64 {
  return acc + <u64>bswap<u16>(<u16>v);
}

/** Adds a 32-bit address (host order) to an accumulator. */
export function csumAdd32(acc: u64, v: u32): u64 {
  return acc + <u64>bswap<u32>(v);
}

/** Folds and complements: the value to store (big-endian) in a checksum field. */
export function csumFold(acc: u64): u32 {
  acc = (acc & 0xffffffff) + (acc >> 32);
  acc = (acc & 0xffffffff) + (acc >> 32);
  let s = <u32>acc;
  s = (s & 0xffff) + (s >> 16);
  s = (s & 0xffff) + (s >> 16);
  return <u32>bswap<u16>(<u16>(~s & 0xffff));
}

/** Checksum of a region: 0 when a region that includes its checksum field is intact. */
// @ts-ignore: decorator
@inline
export function csum(p: usize, len: i32): u32 {
  // An option-less IPv4 header (checked or built on every hop) takes five loads, no loop.
  if (len == 20) return csumFold(sum20(p));
  return csumFold(csumAdd(p, len, 0));
}

// @ts-ignore: decorator
@inline
function sum20(p: usize): u64 {
  return (
    <u64>load<u32>(p) +
    <u64>load<u32>(p, 4) +
    <u64>load<u32>(p, 8) +
    <u64>load<u32>(p, 12) +
    <u64>load<u32>(p, 16)
  );
}

export function netmask(len: i32): u32 {
  return len <= 0 ? 0 : len >= 32 ? 0xffffffff : 0xffffffff << (32 - len);
}
