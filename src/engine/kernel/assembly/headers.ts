// Named accessors for the headers the kernel reads and writes, one group per header as Linux's
// struct ethhdr, arphdr, iphdr, udphdr, icmphdr and vxlanhdr name them. Each is an inline
// load or store at the field's offset, so the fast path costs what raw offsets cost.
// Callers check lengths first (see bytes.ts). The TypeScript side reads the same fields through
// src/engine/packet/; both are tested against tests/golden/linux/*.pcap.

import { rd16, wr16, rd32, wr32, rdMac, wrMac } from './bytes';

// ---------------------------------------------------------------------------------------------
// Ethernet (IEEE 802.3).

export const ETH_HLEN: i32 = 14;
export const ETH_P_IP: u32 = 0x0800;
export const ETH_P_ARP: u32 = 0x0806;

// @ts-ignore: decorator
@inline
export function ethDst(p: usize): u64 {
  return rdMac(p);
}
// @ts-ignore: decorator
@inline
export function ethSrc(p: usize): u64 {
  return rdMac(p + 6);
}
// @ts-ignore: decorator
@inline
export function ethProto(p: usize): u32 {
  return rd16(p + 12);
}
// @ts-ignore: decorator
@inline
export function ethSetDst(p: usize, mac: u64): void {
  wrMac(p, mac);
}
// @ts-ignore: decorator
@inline
export function ethSetSrc(p: usize, mac: u64): void {
  wrMac(p + 6, mac);
}
// @ts-ignore: decorator
@inline
export function ethSetProto(p: usize, type: u32): void {
  wr16(p + 12, type);
}

// ---------------------------------------------------------------------------------------------
// ARP over Ethernet for IPv4 (RFC 826).

export const ARP_LEN: i32 = 28;
export const ARPHRD_ETHER: u32 = 1;
export const ARPOP_REQUEST: u32 = 1;
export const ARPOP_REPLY: u32 = 2;

// @ts-ignore: decorator
@inline
export function arpHrd(a: usize): u32 {
  return rd16(a);
}
// @ts-ignore: decorator
@inline
export function arpPro(a: usize): u32 {
  return rd16(a + 2);
}
// @ts-ignore: decorator
@inline
export function arpHln(a: usize): u32 {
  return load<u8>(a + 4);
}
// @ts-ignore: decorator
@inline
export function arpPln(a: usize): u32 {
  return load<u8>(a + 5);
}
// @ts-ignore: decorator
@inline
export function arpOp(a: usize): u32 {
  return rd16(a + 6);
}
// @ts-ignore: decorator
@inline
export function arpSha(a: usize): u64 {
  return rdMac(a + 8);
}
// @ts-ignore: decorator
@inline
export function arpSip(a: usize): u32 {
  return rd32(a + 14);
}
// @ts-ignore: decorator
@inline
export function arpTip(a: usize): u32 {
  return rd32(a + 24);
}
/** The fixed part of an Ethernet/IPv4 ARP header: hardware and protocol types and lengths. */
// @ts-ignore: decorator
@inline
export function arpSetEtherIp(a: usize): void {
  wr16(a, ARPHRD_ETHER);
  wr16(a + 2, ETH_P_IP);
  store<u8>(a + 4, 6);
  store<u8>(a + 5, 4);
}
// @ts-ignore: decorator
@inline
export function arpSetOp(a: usize, op: u32): void {
  wr16(a + 6, op);
}
// @ts-ignore: decorator
@inline
export function arpSetSha(a: usize, mac: u64): void {
  wrMac(a + 8, mac);
}
// @ts-ignore: decorator
@inline
export function arpSetSip(a: usize, ip: u32): void {
  wr32(a + 14, ip);
}
// @ts-ignore: decorator
@inline
export function arpSetTha(a: usize, mac: u64): void {
  wrMac(a + 18, mac);
}
// @ts-ignore: decorator
@inline
export function arpSetTip(a: usize, ip: u32): void {
  wr32(a + 24, ip);
}

// ---------------------------------------------------------------------------------------------
// IPv4 (RFC 791).

export const IP_HLEN: i32 = 20;
export const IP_DF: u32 = 0x4000;
export const IP_MF: u32 = 0x2000;
export const IP_OFFSET: u32 = 0x1fff;
export const PROTO_ICMP: u32 = 1;
export const PROTO_UDP: u32 = 17;
export const PROTO_TCP: u32 = 6;

// @ts-ignore: decorator
@inline
export function ipVersion(p: usize): u32 {
  return load<u8>(p) >> 4;
}
/** The header length in bytes (IHL * 4), options included. */
// @ts-ignore: decorator
@inline
export function ipHeaderLen(p: usize): i32 {
  return <i32>(load<u8>(p) & 15) * 4;
}
// @ts-ignore: decorator
@inline
export function ipTos(p: usize): u32 {
  return load<u8>(p + 1);
}
// @ts-ignore: decorator
@inline
export function ipTotLen(p: usize): u32 {
  return rd16(p + 2);
}
// @ts-ignore: decorator
@inline
export function ipId(p: usize): u32 {
  return rd16(p + 4);
}
/** Flags and fragment offset, as one word (IP_DF, IP_MF, IP_OFFSET in units of 8 bytes). */
// @ts-ignore: decorator
@inline
export function ipFragOff(p: usize): u32 {
  return rd16(p + 6);
}
// @ts-ignore: decorator
@inline
export function ipTtl(p: usize): u32 {
  return load<u8>(p + 8);
}
// @ts-ignore: decorator
@inline
export function ipProto(p: usize): u32 {
  return load<u8>(p + 9);
}
// @ts-ignore: decorator
@inline
export function ipCheck(p: usize): u32 {
  return rd16(p + 10);
}
// @ts-ignore: decorator
@inline
export function ipSaddr(p: usize): u32 {
  return rd32(p + 12);
}
// @ts-ignore: decorator
@inline
export function ipDaddr(p: usize): u32 {
  return rd32(p + 16);
}
// @ts-ignore: decorator
@inline
export function ipSetTotLen(p: usize, len: u32): void {
  wr16(p + 2, len);
}
// @ts-ignore: decorator
@inline
export function ipSetFragOff(p: usize, word: u32): void {
  wr16(p + 6, word);
}
// @ts-ignore: decorator
@inline
export function ipSetTtl(p: usize, ttl: u32): void {
  store<u8>(p + 8, <u8>ttl);
}
// @ts-ignore: decorator
@inline
export function ipSetCheck(p: usize, sum: u32): void {
  wr16(p + 10, sum);
}

// ---------------------------------------------------------------------------------------------
// UDP (RFC 768). TCP's ports sit where UDP's do, so flow hashing reads them with these too.

export const UDP_HLEN: i32 = 8;

// @ts-ignore: decorator
@inline
export function udpSource(u: usize): u32 {
  return rd16(u);
}
// @ts-ignore: decorator
@inline
export function udpDest(u: usize): u32 {
  return rd16(u + 2);
}
// @ts-ignore: decorator
@inline
export function udpLen(u: usize): u32 {
  return rd16(u + 4);
}
// @ts-ignore: decorator
@inline
export function udpCheck(u: usize): u32 {
  return rd16(u + 6);
}
// @ts-ignore: decorator
@inline
export function udpSetSource(u: usize, port: u32): void {
  wr16(u, port);
}
// @ts-ignore: decorator
@inline
export function udpSetDest(u: usize, port: u32): void {
  wr16(u + 2, port);
}
// @ts-ignore: decorator
@inline
export function udpSetLen(u: usize, len: u32): void {
  wr16(u + 4, len);
}
// @ts-ignore: decorator
@inline
export function udpSetCheck(u: usize, sum: u32): void {
  wr16(u + 6, sum);
}

// ---------------------------------------------------------------------------------------------
// ICMP (RFC 792; RFC 1191 for the next-hop MTU).

export const ICMP_HLEN: i32 = 8;
export const ICMP_ECHOREPLY: u32 = 0;
export const ICMP_DEST_UNREACH: u32 = 3;
export const ICMP_ECHO: u32 = 8;
export const ICMP_TIME_EXCEEDED: u32 = 11;
export const ICMP_TIMESTAMP: u32 = 13;
export const ICMP_INFO_REQUEST: u32 = 15;
export const ICMP_ADDRESS: u32 = 17;
// Codes of ICMP_DEST_UNREACH.
export const ICMP_NET_UNREACH: u32 = 0;
export const ICMP_HOST_UNREACH: u32 = 1;
export const ICMP_PROT_UNREACH: u32 = 2;
export const ICMP_PORT_UNREACH: u32 = 3;
export const ICMP_FRAG_NEEDED: u32 = 4;
export const ICMP_PKT_FILTERED: u32 = 13;
// Code of ICMP_TIME_EXCEEDED.
export const ICMP_EXC_TTL: u32 = 0;

// @ts-ignore: decorator
@inline
export function icmpType(ic: usize): u32 {
  return load<u8>(ic);
}
// @ts-ignore: decorator
@inline
export function icmpCheck(ic: usize): u32 {
  return rd16(ic + 2);
}
// @ts-ignore: decorator
@inline
export function icmpSetType(ic: usize, type: u32): void {
  store<u8>(ic, <u8>type);
}
// @ts-ignore: decorator
@inline
export function icmpSetCode(ic: usize, code: u32): void {
  store<u8>(ic + 1, <u8>code);
}
// @ts-ignore: decorator
@inline
export function icmpSetCheck(ic: usize, sum: u32): void {
  wr16(ic + 2, sum);
}
/** The rest of an error's header: unused, then the next-hop MTU (0 unless frag needed). */
// @ts-ignore: decorator
@inline
export function icmpSetFragMtu(ic: usize, mtu: u32): void {
  wr16(ic + 4, 0);
  wr16(ic + 6, mtu);
}

// ---------------------------------------------------------------------------------------------
// VXLAN (RFC 7348).

export const VXLAN_HLEN: i32 = 8;
/** The I flag: the VNI is valid. */
export const VXLAN_F_VNI: u32 = 0x08;

// @ts-ignore: decorator
@inline
export function vxlanFlags(v: usize): u32 {
  return load<u8>(v);
}
// @ts-ignore: decorator
@inline
export function vxlanVni(v: usize): u32 {
  return rd32(v + 4) >> 8;
}
/** Flags with only I set, reserved bytes zero, then the VNI. */
// @ts-ignore: decorator
@inline
export function vxlanSetHeader(v: usize, vni: u32): void {
  store<u32>(v, VXLAN_F_VNI);
  wr32(v + 4, vni << 8);
}
