// ICMP echo messages as iputils ping builds and reads them (RFC 792), and the IPv4 header
// fields ping needs from what a raw socket delivers.

export const ICMP_ECHO_REPLY = 0;
export const ICMP_DEST_UNREACH = 3;
export const ICMP_ECHO = 8;
export const ICMP_TIME_EXCEEDED = 11;

/** struct timeval on x86-64: tv_sec and tv_usec, 8 bytes each, little-endian. */
export const TIMEVAL_LEN = 16;

/** The one's complement sum of `bytes` as 16-bit big-endian words, not yet folded. */
function onesSum(bytes: Uint8Array, from = 0, to = bytes.length): number {
  let sum = 0;
  for (let i = from; i + 1 < to; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  if ((to - from) & 1) sum += bytes[to - 1] << 8;
  return sum;
}

function fold(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** The Internet checksum (RFC 1071): one's complement of the one's complement sum. */
export function internetChecksum(bytes: Uint8Array): number {
  return fold(onesSum(bytes));
}

/**
 * Lab time (ms, fractional) as whole µs, as gettimeofday gives it. Rounded, not truncated: at
 * epoch magnitudes a double's step is 0.25 µs, so an exact 0.264 ms can land just below.
 */
export function labMicros(ms: number): number {
  return Math.round(ms * 1000);
}

let pattern = new Uint8Array(0);
/** The sum of the pattern's bytes after the timeval, per data length (floods resend them). */
const patternTailSums = new Map<number, number>();

/** Bytes 0, 1, ..., 255, 0, 1, ...: iputils' default data (kept, since floods resend it). */
function fillPattern(datalen: number): Uint8Array {
  if (pattern.length < datalen) {
    pattern = new Uint8Array(datalen);
    for (let i = 0; i < datalen; i++) pattern[i] = i & 0xff;
  }
  return pattern.subarray(0, datalen);
}

function patternTailSum(datalen: number): number {
  let sum = patternTailSums.get(datalen);
  if (sum === undefined) {
    sum = onesSum(fillPattern(datalen), TIMEVAL_LEN);
    patternTailSums.set(datalen, sum);
  }
  return sum;
}

/**
 * An echo request with `datalen` data bytes: byte i of the data is i & 0xff, as iputils fills
 * it, and the first 16 hold the send time as a timeval when there is room for one.
 */
export function buildEchoRequest(
  id: number,
  seq: number,
  datalen: number,
  sentMs: number,
): Uint8Array {
  const msg = new Uint8Array(8 + datalen);
  const view = new DataView(msg.buffer);
  msg[0] = ICMP_ECHO;
  view.setUint16(4, id);
  view.setUint16(6, seq);
  msg.set(fillPattern(datalen), 8);
  if (datalen < TIMEVAL_LEN) {
    view.setUint16(2, internetChecksum(msg));
    return msg;
  }
  // A timeval of two little-endian 64-bit words; seconds fit in the low 32 bits until 2106.
  const usec = labMicros(sentMs);
  view.setUint32(8, Math.floor(usec / 1e6), true);
  view.setUint32(12, 0, true);
  view.setUint32(16, usec % 1e6, true);
  view.setUint32(20, 0, true);
  // The data after the timeval never changes: only the header and the timeval are summed.
  const sum = onesSum(msg, 0, 8 + TIMEVAL_LEN) + patternTailSum(datalen);
  view.setUint16(2, fold(sum));
  return msg;
}

/** The send time (µs since the epoch) carried in an echo message's data. */
export function echoTimestampUs(icmp: Uint8Array): number {
  const view = new DataView(icmp.buffer, icmp.byteOffset, icmp.byteLength);
  const word = (at: number) => view.getUint32(at, true) + view.getUint32(at + 4, true) * 2 ** 32;
  return word(8) * 1e6 + word(16);
}

export interface Ipv4View {
  headerLen: number;
  totalLen: number;
  ttl: number;
  protocol: number;
  src: string;
  dst: string;
}

function ip(bytes: Uint8Array, at: number): string {
  return `${bytes[at]}.${bytes[at + 1]}.${bytes[at + 2]}.${bytes[at + 3]}`;
}

/** The IPv4 header at `at`, or undefined when too short or not version 4. */
export function readIpv4(bytes: Uint8Array, at = 0): Ipv4View | undefined {
  if (bytes.length < at + 20 || bytes[at] >> 4 !== 4) return undefined;
  const headerLen = (bytes[at] & 0x0f) * 4;
  if (headerLen < 20 || bytes.length < at + headerLen) return undefined;
  return {
    headerLen,
    totalLen: (bytes[at + 2] << 8) | bytes[at + 3],
    ttl: bytes[at + 8],
    protocol: bytes[at + 9],
    src: ip(bytes, at + 12),
    dst: ip(bytes, at + 16),
  };
}

/** pr_icmph's text for an ICMP error type and code. */
export function icmpErrorText(type: number, code: number, mtu: number): string {
  if (type === ICMP_DEST_UNREACH) {
    const texts = [
      'Destination Net Unreachable',
      'Destination Host Unreachable',
      'Destination Protocol Unreachable',
      'Destination Port Unreachable',
      `Frag needed and DF set (mtu = ${mtu})`,
      'Source Route Failed',
      'Destination Net Unknown',
      'Destination Host Unknown',
      'Source Host Isolated',
      'Destination Net Prohibited',
      'Destination Host Prohibited',
      'Destination Net Unreachable for Type of Service',
      'Destination Host Unreachable for Type of Service',
      'Packet filtered',
      'Precedence Violation',
      'Precedence Cutoff',
    ];
    return texts[code] ?? `Dest Unreachable, Bad Code: ${code}`;
  }
  if (type === ICMP_TIME_EXCEEDED) {
    if (code === 0) return 'Time to live exceeded';
    if (code === 1) return 'Frag reassembly time exceeded';
    return `Time exceeded, Bad Code: ${code}`;
  }
  return `Bad ICMP type: ${type}`;
}
