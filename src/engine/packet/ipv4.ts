// IPv4 (RFC 791): header with options (IHL), flags, fragment offset, header checksum.

import { internetChecksum, verifyChecksum } from './checksum.ts';
import { PacketError, readU16, requireLength, writeU16 } from './errors.ts';
import { formatIpv4At, ipv4OrThrow, readIpv4, writeIpv4 } from './ipaddr.ts';

export const IpProtocol = {
  ICMP: 1,
  IGMP: 2,
  TCP: 6,
  UDP: 17,
} as const;

const field = {
  VER_IHL: 0,
  TOS: 1,
  LENGTH: 2,
  IDENT: 4,
  FLG_OFF: 6,
  TTL: 8,
  PROTOCOL: 9,
  CHECKSUM: 10,
  SRC: 12,
  DST: 16,
} as const;

export const IPV4_MIN_HEADER_LEN = 20;
const FLAG_RESERVED = 0x8000;
const FLAG_DF = 0x4000;
const FLAG_MF = 0x2000;
const OFFSET_MASK = 0x1fff;

export class Ipv4Packet {
  private constructor(readonly bytes: Uint8Array) {}

  /**
   * Checks version 4, IHL >= 5, header and total length within the buffer, so every accessor
   * is safe. Bytes after the total length (Ethernet padding) are ignored by `payload`.
   */
  static checked(bytes: Uint8Array): Ipv4Packet {
    const p = Ipv4Packet.checkedHeader(bytes);
    if (p.totalLen < p.headerLen)
      throw new PacketError('malformed', 'ipv4', `total length ${p.totalLen}`);
    requireLength(bytes, p.totalLen, 'ipv4');
    return p;
  }

  /**
   * Checks the header only (version, IHL, the header within the buffer): what a quoted packet
   * of an ICMP error, cut after 8 payload bytes, still satisfies. `payload` is then bounded by
   * the buffer too.
   */
  static checkedHeader(bytes: Uint8Array): Ipv4Packet {
    requireLength(bytes, IPV4_MIN_HEADER_LEN, 'ipv4');
    const p = new Ipv4Packet(bytes);
    if (p.version !== 4) throw new PacketError('malformed', 'ipv4', `version ${p.version}`);
    if (p.headerLen < IPV4_MIN_HEADER_LEN)
      throw new PacketError('malformed', 'ipv4', `header length ${p.headerLen}`);
    requireLength(bytes, p.headerLen, 'ipv4');
    return p;
  }

  static unchecked(bytes: Uint8Array): Ipv4Packet {
    return new Ipv4Packet(bytes);
  }

  get version(): number {
    return this.bytes[field.VER_IHL]! >> 4;
  }
  /** Header length in bytes (IHL * 4), options included. */
  get headerLen(): number {
    return (this.bytes[field.VER_IHL]! & 0x0f) * 4;
  }
  /** Type of service (DSCP + ECN). */
  get tos(): number {
    return this.bytes[field.TOS]!;
  }
  /** Total length: header + payload. */
  get totalLen(): number {
    return readU16(this.bytes, field.LENGTH);
  }
  get ident(): number {
    return readU16(this.bytes, field.IDENT);
  }
  /** The raw flags + fragment offset word. */
  get flagsAndOffset(): number {
    return readU16(this.bytes, field.FLG_OFF);
  }
  get reservedFlag(): boolean {
    return (this.flagsAndOffset & FLAG_RESERVED) !== 0;
  }
  get dontFrag(): boolean {
    return (this.flagsAndOffset & FLAG_DF) !== 0;
  }
  get moreFrags(): boolean {
    return (this.flagsAndOffset & FLAG_MF) !== 0;
  }
  /** Fragment offset in bytes. */
  get fragOffset(): number {
    return (this.flagsAndOffset & OFFSET_MASK) * 8;
  }
  get ttl(): number {
    return this.bytes[field.TTL]!;
  }
  get protocol(): number {
    return this.bytes[field.PROTOCOL]!;
  }
  get checksum(): number {
    return readU16(this.bytes, field.CHECKSUM);
  }
  /** Source address as a u32. */
  get src(): number {
    return readIpv4(this.bytes, field.SRC);
  }
  get dst(): number {
    return readIpv4(this.bytes, field.DST);
  }
  get srcText(): string {
    return formatIpv4At(this.bytes, field.SRC);
  }
  get dstText(): string {
    return formatIpv4At(this.bytes, field.DST);
  }
  /** Option bytes between the fixed header and the payload (no copy). */
  get options(): Uint8Array {
    return this.bytes.subarray(IPV4_MIN_HEADER_LEN, this.headerLen);
  }
  /** The payload, bounded by the total length (no copy). */
  get payload(): Uint8Array {
    return this.bytes.subarray(this.headerLen, this.totalLen);
  }
  /** True when the header checksum verifies. */
  get checksumValid(): boolean {
    return verifyChecksum(this.bytes, 0, this.headerLen);
  }
  /** The checksum computed over the header as it is (0 when the field is right). */
  get checksumResidue(): number {
    return internetChecksum(this.bytes, 0, this.headerLen);
  }

  // In-place edits, for a forwarder that keeps the packet's bytes (smoltcp's set_* methods).
  setTtl(ttl: number): void {
    this.bytes[field.TTL] = ttl;
  }
  /** Recomputes the header checksum over the header as it now is. */
  fillChecksum(): void {
    writeU16(this.bytes, field.CHECKSUM, 0);
    writeU16(this.bytes, field.CHECKSUM, internetChecksum(this.bytes, 0, this.headerLen));
  }
}

export interface Ipv4Repr {
  src: string;
  dst: string;
  protocol: number;
  ttl: number;
  tos: number;
  ident: number;
  dontFrag: boolean;
  moreFrags: boolean;
  /** In bytes; a multiple of 8. */
  fragOffset: number;
  /** Raw option bytes, length a multiple of 4 (empty for none). */
  options: Uint8Array;
  payloadLen: number;
}

export const Ipv4Repr = {
  /** A plain datagram: no options, not fragmented, TOS and identification 0. */
  plain(fields: Pick<Ipv4Repr, 'src' | 'dst' | 'protocol' | 'ttl' | 'payloadLen'>): Ipv4Repr {
    return {
      ...fields,
      tos: 0,
      ident: 0,
      dontFrag: false,
      moreFrags: false,
      fragOffset: 0,
      options: new Uint8Array(0),
    };
  },
  /** Parses a checked packet; rejects a bad header checksum. */
  parse(p: Ipv4Packet): Ipv4Repr {
    if (!p.checksumValid) throw new PacketError('malformed', 'ipv4', 'bad header checksum');
    return {
      src: p.srcText,
      dst: p.dstText,
      protocol: p.protocol,
      ttl: p.ttl,
      tos: p.tos,
      ident: p.ident,
      dontFrag: p.dontFrag,
      moreFrags: p.moreFrags,
      fragOffset: p.fragOffset,
      options: p.options,
      payloadLen: p.totalLen - p.headerLen,
    };
  },
  headerLen(repr: Ipv4Repr): number {
    return IPV4_MIN_HEADER_LEN + repr.options.length;
  },
  bufferLen(repr: Ipv4Repr): number {
    return IPV4_MIN_HEADER_LEN + repr.options.length + repr.payloadLen;
  },
  /** Writes the header (checksum included) at the start of `buf`; the payload is the caller's. */
  emit(repr: Ipv4Repr, buf: Uint8Array): void {
    const headerLen = IPV4_MIN_HEADER_LEN + repr.options.length;
    if (repr.options.length % 4 !== 0 || headerLen > 60) {
      throw new RangeError('ipv4: options must be a multiple of 4 bytes, at most 40');
    }
    if (buf.length < headerLen) throw new PacketError('truncated', 'ipv4', 'emit buffer too small');
    buf[field.VER_IHL] = 0x40 | (headerLen / 4);
    buf[field.TOS] = repr.tos;
    writeU16(buf, field.LENGTH, headerLen + repr.payloadLen);
    writeU16(buf, field.IDENT, repr.ident);
    writeU16(
      buf,
      field.FLG_OFF,
      (repr.dontFrag ? FLAG_DF : 0) |
        (repr.moreFrags ? FLAG_MF : 0) |
        ((repr.fragOffset / 8) & OFFSET_MASK),
    );
    buf[field.TTL] = repr.ttl;
    buf[field.PROTOCOL] = repr.protocol;
    writeU16(buf, field.CHECKSUM, 0);
    writeIpv4(buf, field.SRC, ipv4OrThrow(repr.src));
    writeIpv4(buf, field.DST, ipv4OrThrow(repr.dst));
    buf.set(repr.options, IPV4_MIN_HEADER_LEN);
    writeU16(buf, field.CHECKSUM, internetChecksum(buf, 0, headerLen));
  },
};
