// The one error every parser in this folder throws on bad bytes (smoltcp's `wire::Error`).
// Callers that handle untrusted frames catch exactly this and nothing else.

export type PacketErrorKind = 'truncated' | 'malformed';

export class PacketError extends Error {
  constructor(
    readonly kind: PacketErrorKind,
    /** The format that rejected the bytes, e.g. 'ipv4'. */
    readonly format: string,
    detail: string,
  ) {
    super(`${format}: ${kind}: ${detail}`);
    this.name = 'PacketError';
  }
}

/** Throws a truncation error unless `bytes` holds at least `need` bytes. */
export function requireLength(bytes: Uint8Array, need: number, format: string): void {
  if (bytes.length < need) {
    throw new PacketError('truncated', format, `${bytes.length} bytes, need ${need}`);
  }
}

/** Big-endian 16-bit read. */
export function readU16(b: Uint8Array, at: number): number {
  return (b[at]! << 8) | b[at + 1]!;
}

/** Big-endian 32-bit read, unsigned. */
export function readU32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

export function writeU16(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >>> 8) & 0xff;
  b[at + 1] = v & 0xff;
}

export function writeU32(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >>> 24) & 0xff;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
}
