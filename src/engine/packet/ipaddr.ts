// IPv4 addresses: a u32 in parsers and checksums, a dotted quad everywhere else.

export const IPV4_LEN = 4;

/**
 * Which textual forms an IPv4 parser accepts. Each real tool inherits them from its C library,
 * and they differ (recorded with iproute2 6.1 and iputils 20221126 on glibc 2.36):
 * - `dotted`: four decimal parts 0..255, leading zeros read as decimal (`010` = 10); the lab's
 *   own formats, flannel's config and leases, libpcap's `host` (its __pcap_atoin), iptables;
 * - `inet_pton`: the same without leading zeros (`010` is invalid): glibc's inet_pton, Go's
 *   net.ParseIP, and iputils ping's `-I` and the /etc/hosts lines glibc reads;
 * - `iproute2`: iproute2's get_addr_ipv4: one to four parts, each strtoul(base 0) so `010` is
 *   octal 8 and `0x7f` hex, each at most 255, missing parts zero (`ip route get 127.1` is
 *   127.1.0.0, `10` is 10.0.0.0); strtoul also skips leading blanks and takes a sign;
 * - `inet_aton`: glibc's inet_aton, which getaddrinfo (so iputils ping) uses: one to four
 *   parts in base 0, the last filling the remaining bytes (`127.1` is 127.0.0.1, `2130706433`
 *   too).
 */
export type Ipv4Syntax = 'dotted' | 'inet_pton' | 'iproute2' | 'inet_aton';

/** Parses IPv4 text in the given syntax into a u32; null when invalid. */
export function parseIpv4(text: string, syntax: Ipv4Syntax = 'dotted'): number | null {
  if (syntax === 'dotted' || syntax === 'inet_pton') return parseDotted(text, syntax === 'dotted');
  return syntax === 'iproute2' ? parseIproute2(text) : parseInetAton(text);
}

/** Strictly four decimal parts. Per packet for senders (kernel.ts), so no regex or split. */
function parseDotted(s: string, leadingZeros: boolean): number | null {
  let v = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46 /* . */) {
      if (digits === 0 || ++dots > 3) return null;
      v = v * 256 + octet;
      octet = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57 && digits < 3) {
      if (digits > 0 && octet === 0 && !leadingZeros) return null;
      octet = octet * 10 + (c - 48);
      digits++;
      if (octet > 255) return null;
    } else {
      return null;
    }
  }
  if (dots !== 3 || digits === 0) return null;
  return (v * 256 + octet) >>> 0;
}

/** Where the last `strtoul0` stopped (C's endptr). */
let strtoulEnd = 0;

/**
 * strtoul(s + at, &end, 0) without the blanks and sign: decimal, octal after a leading 0, hex
 * after 0x (a bare `0x` is the 0 before it). Sets `strtoulEnd`; it stays `at` when no digit.
 */
function strtoul0(s: string, at: number): number {
  let base = 10;
  let i = at;
  if (s[i] === '0') {
    base = 8;
    if ((s[i + 1] === 'x' || s[i + 1] === 'X') && digitValue(s.charCodeAt(i + 2)) < 16) {
      base = 16;
      i += 2;
    }
  }
  let value = 0;
  for (; i < s.length; i++) {
    const d = digitValue(s.charCodeAt(i));
    if (d >= base) break;
    value = Math.min(value * base + d, 2 ** 53);
  }
  strtoulEnd = i;
  return value;
}

/** The value of a hex digit character; 99 for anything else. */
function digitValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const lower = c | 0x20;
  return lower >= 97 && lower <= 102 ? lower - 87 : 99;
}

function parseIproute2(s: string): number | null {
  let value = 0;
  let at = 0;
  for (let part = 0; part < 4; part++) {
    while (isSpace(s.charCodeAt(at))) at++;
    const sign = s[at] === '-' || s[at] === '+' ? s[at++] : '';
    const n = strtoul0(s, at);
    // strtoul negates a '-' number modulo 2^64: only -0 stays at most 255.
    if (strtoulEnd === at || n > 255 || (sign === '-' && n !== 0)) return null;
    value += n * 2 ** (24 - part * 8);
    at = strtoulEnd;
    if (at === s.length) return value;
    if (part === 3 || s[at] !== '.') return null;
    at++;
  }
  return null;
}

/** C's isspace in the C locale. */
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function parseInetAton(s: string): number | null {
  let value = 0;
  let parts = 0;
  let at = 0;
  for (;;) {
    const c = s.charCodeAt(at);
    if (!(c >= 48 && c <= 57)) return null;
    const n = strtoul0(s, at);
    at = strtoulEnd;
    if (s[at] !== '.') {
      // The last part fills the bytes the dotted parts before it left.
      if (at !== s.length || n >= 2 ** (32 - parts * 8)) return null;
      return value + n;
    }
    if (parts === 3 || n > 0xff) return null;
    value += n * 2 ** (24 - parts * 8);
    parts++;
    at++;
  }
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
