// The classic pcap file format (what `tcpdump -w` writes): a 24-byte global header, then per
// packet a 16-byte record header (seconds, microseconds, captured length, original length).
// Written little-endian, as tcpdump does on x86; the reader accepts both byte orders and the
// nanosecond magic.

import { PacketError } from './errors.ts';

export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW = 101;
export const PCAP_SNAPLEN = 262144;

const MAGIC_MICROS = 0xa1b2c3d4;
const MAGIC_NANOS = 0xa1b23c4d;
const GLOBAL_HEADER_LEN = 24;
const RECORD_HEADER_LEN = 16;

export interface PcapRecord {
  /** Capture time in milliseconds since the epoch (fractional: microsecond precision). */
  time: number;
  /** The captured bytes (a view into the file's buffer). */
  data: Uint8Array;
  /** Length on the wire (>= data.length when the capture was truncated). */
  origLen: number;
}

export interface PcapFile {
  linktype: number;
  snaplen: number;
  records: PcapRecord[];
}

/** Splits lab time (ms, fractional) into whole seconds and microseconds. */
export function splitTime(timeMs: number): { sec: number; usec: number } {
  const totalUs = Math.round(timeMs * 1000);
  const sec = Math.floor(totalUs / 1e6);
  return { sec, usec: totalUs - sec * 1e6 };
}

/** Appends packets to a growing pcap byte stream. */
export class PcapWriter {
  private chunks: Uint8Array[] = [];

  constructor(
    readonly linktype: number,
    readonly snaplen = PCAP_SNAPLEN,
  ) {
    const h = new DataView(new ArrayBuffer(GLOBAL_HEADER_LEN));
    h.setUint32(0, MAGIC_MICROS, true);
    h.setUint16(4, 2, true);
    h.setUint16(6, 4, true);
    h.setInt32(8, 0, true); // thiszone
    h.setUint32(12, 0, true); // sigfigs
    h.setUint32(16, snaplen, true);
    h.setUint32(20, linktype, true);
    this.push(new Uint8Array(h.buffer));
  }

  /** Adds one packet, truncated to the snap length. */
  write(timeMs: number, frame: Uint8Array): void {
    const { sec, usec } = splitTime(timeMs);
    const caplen = Math.min(frame.length, this.snaplen);
    const h = new DataView(new ArrayBuffer(RECORD_HEADER_LEN));
    h.setUint32(0, sec, true);
    h.setUint32(4, usec, true);
    h.setUint32(8, caplen, true);
    h.setUint32(12, frame.length, true);
    this.push(new Uint8Array(h.buffer));
    this.push(frame.slice(0, caplen));
  }

  /** The file so far. */
  bytes(): Uint8Array {
    return concatBytes(this.chunks);
  }

  private push(chunk: Uint8Array): void {
    this.chunks.push(chunk);
  }
}

/** The chunks one after the other, in one buffer. */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Parses a whole pcap file; throws PacketError on a bad magic or a truncated header. */
export function readPcap(bytes: Uint8Array): PcapFile {
  if (bytes.length < GLOBAL_HEADER_LEN)
    throw new PacketError('truncated', 'pcap', 'no global header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let little: boolean;
  let nanos: boolean;
  const magicLe = view.getUint32(0, true);
  const magicBe = view.getUint32(0, false);
  if (magicLe === MAGIC_MICROS || magicLe === MAGIC_NANOS) {
    little = true;
    nanos = magicLe === MAGIC_NANOS;
  } else if (magicBe === MAGIC_MICROS || magicBe === MAGIC_NANOS) {
    little = false;
    nanos = magicBe === MAGIC_NANOS;
  } else {
    throw new PacketError('malformed', 'pcap', 'unknown file format');
  }
  const snaplen = view.getUint32(16, little);
  const linktype = view.getUint32(20, little);
  const records: PcapRecord[] = [];
  let at = GLOBAL_HEADER_LEN;
  while (at < bytes.length) {
    if (at + RECORD_HEADER_LEN > bytes.length)
      throw new PacketError('truncated', 'pcap', 'record header');
    const sec = view.getUint32(at, little);
    const frac = view.getUint32(at + 4, little);
    const caplen = view.getUint32(at + 8, little);
    const origLen = view.getUint32(at + 12, little);
    at += RECORD_HEADER_LEN;
    if (at + caplen > bytes.length) throw new PacketError('truncated', 'pcap', 'record data');
    const usec = nanos ? Math.floor(frac / 1000) : frac;
    records.push({
      time: sec * 1000 + usec / 1000,
      data: bytes.subarray(at, at + caplen),
      origLen,
    });
    at += caplen;
  }
  return { linktype, snaplen, records };
}
