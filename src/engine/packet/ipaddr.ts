// IPv4 addresses: a u32 in parsers and checksums, a dotted quad everywhere else.

export const IPV4_LEN = 4;

/** Parses a strict dotted quad ('10.244.1.2') into a u32; null when invalid. */
export function parseIpv4(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return null;
    const n = Number(part);
    if (n > 255) return null;
    value = value * 256 + n;
  }
  return value >>> 0;
}

/** Parses a dotted quad for an emitter; throws RangeError when invalid (a caller bug). */
export function ipv4OrThrow(text: string): number {
  const value = parseIpv4(text);
  if (value === null) throw new RangeError(`invalid IPv4 address '${text}'`);
  return value;
}

export function isValidIpv4(text: string): boolean {
  return parseIpv4(text) !== null;
}

/** Formats a u32 as a dotted quad. */
export function formatIpv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 0xff}.${(value >>> 8) & 0xff}.${value & 0xff}`;
}

/** Reads 4 bytes at `offset` as a u32. */
export function readIpv4(bytes: Uint8Array, offset: number): number {
  return (
    ((bytes[offset]! << 24) |
      (bytes[offset + 1]! << 16) |
      (bytes[offset + 2]! << 8) |
      bytes[offset + 3]!) >>>
    0
  );
}

/** Formats 4 bytes at `offset` as a dotted quad without an intermediate number. */
export function formatIpv4At(bytes: Uint8Array, offset: number): string {
  return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
}

export function writeIpv4(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value >>> 24;
  bytes[offset + 1] = (value >>> 16) & 0xff;
  bytes[offset + 2] = (value >>> 8) & 0xff;
  bytes[offset + 3] = value & 0xff;
}

/** The netmask of a prefix length, as a u32 (0 for /0). */
export function prefixMask(prefixLen: number): number {
  return prefixLen === 0 ? 0 : (0xffffffff << (32 - prefixLen)) >>> 0;
}

export interface Cidr {
  addr: number;
  prefixLen: number;
}

/** Parses 'a.b.c.d/len' (or a bare address, /32); null when invalid. Host bits are kept. */
export function parseCidr(text: string): Cidr | null {
  const slash = text.indexOf('/');
  const addr = parseIpv4(slash < 0 ? text : text.slice(0, slash));
  if (addr === null) return null;
  if (slash < 0) return { addr, prefixLen: 32 };
  const lenText = text.slice(slash + 1);
  if (!/^\d{1,2}$/.test(lenText)) return null;
  const prefixLen = Number(lenText);
  return prefixLen > 32 ? null : { addr, prefixLen };
}

/** True when `addr` lies in `cidr`. */
export function cidrContains(cidr: Cidr, addr: number): boolean {
  const mask = prefixMask(cidr.prefixLen);
  return (addr & mask) >>> 0 === (cidr.addr & mask) >>> 0;
}
