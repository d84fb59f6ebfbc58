// IPv4 addresses and prefixes as flannel's pkg/ip handles them: 32-bit numbers, printed dotted.

/** An IPv4 network: address (host bits masked) and prefix length. */
export interface Ip4Net {
  ip: number;
  prefixLen: number;
}

/** Parses a dotted quad; undefined when it is not one. */
export function parseIp4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

export function formatIp4(ip: number): string {
  const v = ip >>> 0;
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

export function maskOf(prefixLen: number): number {
  return prefixLen === 0 ? 0 : (0xffffffff << (32 - prefixLen)) >>> 0;
}

/** Parses 'a.b.c.d/n' like Go's net.ParseCIDR: host bits are masked off. */
export function parseIp4Net(text: string): Ip4Net | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIp4(text.slice(0, slash));
  const lenText = text.slice(slash + 1);
  if (ip === undefined || !/^\d{1,2}$/.test(lenText)) return undefined;
  const prefixLen = Number(lenText);
  if (prefixLen > 32) return undefined;
  return { ip: (ip & maskOf(prefixLen)) >>> 0, prefixLen };
}

export function formatIp4Net(net: Ip4Net): string {
  return `${formatIp4(net.ip)}/${net.prefixLen}`;
}

export function netContains(net: Ip4Net, ip: number): boolean {
  return (ip & maskOf(net.prefixLen)) >>> 0 === net.ip;
}

/** The first address after the network (Go's IP4Net.Next().IP). */
export function netEnd(net: Ip4Net): number {
  return net.ip + 2 ** (32 - net.prefixLen);
}

export function netsOverlap(a: Ip4Net, b: Ip4Net): boolean {
  return a.ip < netEnd(b) && b.ip < netEnd(a);
}

export function netsEqual(a: Ip4Net, b: Ip4Net): boolean {
  return a.ip === b.ip && a.prefixLen === b.prefixLen;
}
