// ICMP echo messages as iputils ping builds them (RFC 792), written by packet/'s IcmpRepr, and
// the IPv4 header of what a raw socket delivers, read through packet/'s view.

import { sumWords } from '../../packet/checksum.ts';
import { PacketError } from '../../packet/errors.ts';
import { ICMP_HEADER_LEN, IcmpRepr, IcmpType } from '../../packet/icmp.ts';
import { Ipv4Packet } from '../../packet/ipv4.ts';

/** struct timeval on x86-64: tv_sec and tv_usec, 8 bytes each, little-endian. */
export const TIMEVAL_LEN = 16;

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
    sum = sumWords(fillPattern(datalen), TIMEVAL_LEN);
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
  const msg = new Uint8Array(ICMP_HEADER_LEN + datalen);
  const data = msg.subarray(ICMP_HEADER_LEN);
  data.set(fillPattern(datalen));
  let dataSum: number | undefined;
  if (datalen >= TIMEVAL_LEN) {
    // A timeval of two little-endian 64-bit words; seconds fit in the low 32 bits until 2106.
    const view = new DataView(msg.buffer, data.byteOffset);
    const usec = labMicros(sentMs);
    view.setUint32(0, Math.floor(usec / 1e6), true);
    view.setUint32(4, 0, true);
    view.setUint32(8, usec % 1e6, true);
    view.setUint32(12, 0, true);
    // The data after the timeval never changes: only the timeval is summed again.
    dataSum = sumWords(data, 0, TIMEVAL_LEN) + patternTailSum(datalen);
  }
  IcmpRepr.emit({ kind: 'echoRequest', ident: id, seq, data }, msg, dataSum);
  return msg;
}

/** The send time (µs since the epoch) carried in an echo message's data. */
export function echoTimestampUs(icmp: Uint8Array): number {
  const view = new DataView(icmp.buffer, icmp.byteOffset, icmp.byteLength);
  const word = (at: number) => view.getUint32(at, true) + view.getUint32(at + 4, true) * 2 ** 32;
  return word(8) * 1e6 + word(16);
}

/** The IPv4 header at the start of `bytes`, or undefined when too short or not version 4. */
export function readIpv4(bytes: Uint8Array): Ipv4Packet | undefined {
  try {
    return Ipv4Packet.checkedHeader(bytes);
  } catch (err) {
    if (err instanceof PacketError) return undefined;
    throw err;
  }
}

/** pr_icmph's text for an ICMP error type and code. */
export function icmpErrorText(type: number, code: number, mtu: number): string {
  if (type === IcmpType.DEST_UNREACHABLE) {
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
  if (type === IcmpType.TIME_EXCEEDED) {
    if (code === 0) return 'Time to live exceeded';
    if (code === 1) return 'Frag reassembly time exceeded';
    return `Time exceeded, Bad Code: ${code}`;
  }
  return `Bad ICMP type: ${type}`;
}
