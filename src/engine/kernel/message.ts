// Encoding requests into, and decoding replies from, the kernel module's linear memory.
// The layout is described in ./assembly/abi.ts.

/** Dotted quad -> host-order u32; null when malformed. */
export function parseIp(s: string): number | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  let v = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    v = v * 256 + n;
  }
  return v >>> 0;
}

export function formatIp(v: number): string {
  return `${(v >>> 24) & 255}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

export function parseMac(s: string): Uint8Array | null {
  const parts = s.split(':');
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) return null;
  return Uint8Array.from(parts.map((p) => parseInt(p, 16)));
}

export function formatMac(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');
}

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

/** One reply record: attribute kind -> its bytes. */
export class Record {
  constructor(private readonly attrs: Map<number, Uint8Array>) {}

  has(kind: number): boolean {
    return this.attrs.has(kind);
  }

  u32(kind: number): number {
    const b = this.attrs.get(kind);
    if (!b || b.length < 4) return 0;
    return (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
  }

  f64(kind: number): number {
    const b = this.attrs.get(kind);
    if (!b || b.length < 8) return 0;
    return new DataView(b.buffer, b.byteOffset, 8).getFloat64(0, true);
  }

  f64s(kind: number): number[] {
    const b = this.attrs.get(kind);
    if (!b) return [];
    const v = new DataView(b.buffer, b.byteOffset, b.length);
    const out: number[] = [];
    for (let i = 0; i + 8 <= b.length; i += 8) out.push(v.getFloat64(i, true));
    return out;
  }

  str(kind: number): string {
    const b = this.attrs.get(kind);
    return b ? decoder.decode(b) : '';
  }

  ip(kind: number): string {
    return formatIp(this.u32(kind));
  }

  mac(kind: number): string {
    const b = this.attrs.get(kind);
    return b ? formatMac(b) : '';
  }
}

/** Splits a reply (copied out of linear memory) into records. */
export function decodeRecords(bytes: Uint8Array): Record[] {
  const out: Record[] = [];
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  let pos = 0;
  while (pos + 4 <= bytes.length) {
    const len = v.getUint32(pos, true);
    const end = pos + 4 + len;
    const attrs = new Map<number, Uint8Array>();
    let a = pos + 4;
    while (a + 4 <= end) {
      const kind = v.getUint16(a, true);
      const l = v.getUint16(a + 2, true);
      attrs.set(kind, bytes.slice(a + 4, a + 4 + l));
      a += 4 + ((l + 3) & ~3);
    }
    out.push(new Record(attrs));
    pos = end;
  }
  return out;
}
