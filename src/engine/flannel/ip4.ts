// IPv4 addresses and prefixes as flannel's pkg/ip handles them: 32-bit numbers, printed dotted.
// The text forms are packet/ipaddr.ts's; this keeps pkg/ip's names and its network arithmetic.

import { formatIpv4, parseIpv4, prefixMask } from '../packet/ipaddr.ts';

/** An IPv4 network: address (host bits masked) and prefix length. */
export interface Ip4Net {
  ip: number;
  prefixLen: number;
}

/** Parses a dotted quad; undefined when it is not one. */
export function parseIp4(text: string): number | undefined {
  return parseIpv4(text) ?? undefined;
}

export const formatIp4 = formatIpv4;
export const maskOf = prefixMask;

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
