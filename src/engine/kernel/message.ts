// Encoding requests into, and decoding replies from, the kernel module's linear memory.
// The layout is described in ./assembly/abi.ts.

import { formatIpv4 } from '../packet/ipaddr.ts';
import { formatMac } from '../packet/mac.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Builds one request directly in the module's request buffer. */
export class RequestWriter {
  private view: DataView;
  private bytes: Uint8Array;
  private pos = 4;

  constructor(
    buffer: ArrayBuffer,
    private readonly base: number,
    private readonly size: number,
    type: number,
    flags: number,
  ) {
    this.view = new DataView(buffer, base, size);
    this.bytes = new Uint8Array(buffer, base, size);
    this.view.setUint16(0, type, true);
    this.view.setUint16(2, flags, true);
  }

  get length(): number {
    return this.pos;
  }

  private head(kind: number, len: number): number {
    const padded = (len + 3) & ~3;
    if (this.pos + 4 + padded > this.size) throw new RangeError('kernel request too large');
    this.view.setUint16(this.pos, kind, true);
    this.view.setUint16(this.pos + 2, len, true);
    const at = this.pos + 4;
    this.bytes.fill(0, at, at + padded);
    this.pos = at + padded;
    return at;
  }

  u32(kind: number, v: number): this {
    this.view.setUint32(this.head(kind, 4), v >>> 0, true);
    return this;
  }

  str(kind: number, s: string): this {
    const b = encoder.encode(s);
    this.bytes.set(b, this.head(kind, b.length));
    return this;
  }

  bytesAttr(kind: number, b: Uint8Array): this {
    if (b.length > 0xffff) throw new RangeError('attribute too large');
    this.bytes.set(b, this.head(kind, b.length));
    return this;
  }
}

/**
 * One reply record: a window on the reply's bytes. Attributes are found by scanning the record
 * (a few dozen at most), so decoding allocates nothing but the values asked for: the topology
 * view dumps links many times a second, and every object a worker allocates grows its heap.
 */
export class Record {
  constructor(
    private readonly view: DataView,
    private readonly start: number,
    private readonly end: number,
  ) {}

  /** Offset of `kind`'s value in the reply, or -1; its length is at offset - 2. */
  private find(kind: number): number {
    const v = this.view;
    let a = this.start;
    while (a + 4 <= this.end) {
      const l = v.getUint16(a + 2, true);
      if (v.getUint16(a, true) === kind) return a + 4 + l <= this.end ? a + 4 : -1;
      a += 4 + ((l + 3) & ~3);
    }
    return -1;
  }

  private lengthAt(at: number): number {
    return this.view.getUint16(at - 2, true);
  }

  has(kind: number): boolean {
    return this.find(kind) >= 0;
  }

  u32(kind: number): number {
    const at = this.find(kind);
    return at < 0 || this.lengthAt(at) < 4 ? 0 : this.view.getUint32(at, true);
  }

  f64(kind: number): number {
    const at = this.find(kind);
    return at < 0 || this.lengthAt(at) < 8 ? 0 : this.view.getFloat64(at, true);
  }

  f64s(kind: number): number[] {
    const at = this.find(kind);
    if (at < 0) return [];
    const out: number[] = [];
    for (let i = 0; i + 8 <= this.lengthAt(at); i += 8)
      out.push(this.view.getFloat64(at + i, true));
    return out;
  }

  u32s(kind: number): number[] {
    const at = this.find(kind);
    if (at < 0) return [];
    const out: number[] = [];
    for (let i = 0; i + 4 <= this.lengthAt(at); i += 4) out.push(this.view.getUint32(at + i, true));
    return out;
  }

  str(kind: number): string {
    const at = this.find(kind);
    if (at < 0) return '';
    const v = this.view;
    return decoder.decode(new Uint8Array(v.buffer, v.byteOffset + at, this.lengthAt(at)));
  }

  ip(kind: number): string {
    return formatIpv4(this.u32(kind));
  }

  mac(kind: number): string {
    const at = this.find(kind);
    if (at < 0) return '';
    const v = this.view;
    return formatMac(new Uint8Array(v.buffer, v.byteOffset + at), 0, this.lengthAt(at));
  }
}

/** Splits a reply (copied out of linear memory) into records. */
export function decodeRecords(bytes: Uint8Array): Record[] {
  const out: Record[] = [];
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  let pos = 0;
  while (pos + 4 <= bytes.length) {
    const end = Math.min(pos + 4 + v.getUint32(pos, true), bytes.length);
    out.push(new Record(v, pos + 4, end));
    pos = end;
  }
  return out;
}
