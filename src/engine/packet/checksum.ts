// The Internet checksum (RFC 1071), its incremental update (RFC 1624) and the UDP/TCP
// pseudo-header sum. Sums are kept unfolded (plain numbers) until `fold`.

/** Adds the 16-bit big-endian words of bytes[start, end) to `sum` (odd tail padded with zero). */
export function sumWords(bytes: Uint8Array, start = 0, end = bytes.length, sum = 0): number {
  let i = start;
  for (; i + 1 < end; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
  if (i < end) sum += bytes[i]! << 8;
  return sum;
}

/** Folds the carries of a running sum into 16 bits (not complemented). */
export function fold(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}

/** The checksum field value for bytes[start, end): the one's complement of the folded sum. */
export function internetChecksum(
  bytes: Uint8Array,
  start = 0,
  end = bytes.length,
  initial = 0,
): number {
  return ~fold(sumWords(bytes, start, end, initial)) & 0xffff;
}

/** True when data that includes its checksum field sums to 0xffff (the check a receiver makes). */
export function verifyChecksum(
  bytes: Uint8Array,
  start = 0,
  end = bytes.length,
  initial = 0,
): boolean {
  return fold(sumWords(bytes, start, end, initial)) === 0xffff;
}

/** Sum of the IPv4 pseudo-header (addresses as u32, protocol, upper-layer length). */
export function pseudoHeaderSum(
  src: number,
  dst: number,
  protocol: number,
  length: number,
): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + protocol + length;
}

/**
 * RFC 1624 eqn. 3: the new checksum after one 16-bit word of the covered data changed from
 * `oldWord` to `newWord` (how a router updates the IPv4 checksum after decrementing TTL).
 */
export function updateChecksum(checksum: number, oldWord: number, newWord: number): number {
  return ~fold((~checksum & 0xffff) + (~oldWord & 0xffff) + newWord) & 0xffff;
}

/**
 * What tcpdump prints as the right value of a wrong checksum field (`-> 0x....`): the field's
 * value plus the checksum computed over the data with the field in place, in one's complement.
 */
export function checksumShouldBe(fieldValue: number, computedOverAll: number): number {
  return fold(fieldValue + computedOverAll);
}
