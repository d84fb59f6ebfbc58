// UDP (RFC 768): ports, length, checksum over the IPv4 pseudo-header (0 = no checksum).

import { fold, internetChecksum, pseudoHeaderSum, sumWords } from './checksum.ts';
import { PacketError, readU16, requireLength, writeU16 } from './errors.ts';
import { IpProtocol } from './ipv4.ts';

const field = {
  SRC_PORT: 0,
  DST_PORT: 2,
  LENGTH: 4,
  CHECKSUM: 6,
  PAYLOAD: 8,
} as const;

export const UDP_HEADER_LEN = field.PAYLOAD;

export class UdpPacket {
  private constructor(readonly bytes: Uint8Array) {}

  /** Checks the header and that the length field fits the buffer and covers the header. */
  static checked(bytes: Uint8Array): UdpPacket {
    requireLength(bytes, UDP_HEADER_LEN, 'udp');
    const p = new UdpPacket(bytes);
    if (p.length < UDP_HEADER_LEN) throw new PacketError('malformed', 'udp', `length ${p.length}`);
    requireLength(bytes, p.length, 'udp');
    return p;
  }

  static unchecked(bytes: Uint8Array): UdpPacket {
    return new UdpPacket(bytes);
  }

  get srcPort(): number {
    return readU16(this.bytes, field.SRC_PORT);
  }
  get dstPort(): number {
    return readU16(this.bytes, field.DST_PORT);
  }
  /** The length field: header + payload. */
  get length(): number {
    return readU16(this.bytes, field.LENGTH);
  }
  get checksum(): number {
    return readU16(this.bytes, field.CHECKSUM);
  }
  get payload(): Uint8Array {
    return this.bytes.subarray(field.PAYLOAD, this.length);
  }
  /**
   * The checksum computed over pseudo-header + datagram as it is: 0 when the field is right.
   * `src`/`dst` are the IPv4 addresses as u32.
   */
  checksumResidue(src: number, dst: number): number {
    const len = this.length;
    return internetChecksum(this.bytes, 0, len, pseudoHeaderSum(src, dst, IpProtocol.UDP, len));
  }
  /** True when there is no checksum (0) or it verifies. */
  checksumValid(src: number, dst: number): boolean {
    return this.checksum === 0 || this.checksumResidue(src, dst) === 0;
  }
}

export interface UdpRepr {
  srcPort: number;
  dstPort: number;
  payloadLen: number;
}

/** 'compute' fills the real checksum; 'none' writes 0 (allowed over IPv4). */
export type UdpChecksumMode = 'compute' | 'none';

export const UdpRepr = {
  parse(p: UdpPacket): UdpRepr {
    return { srcPort: p.srcPort, dstPort: p.dstPort, payloadLen: p.length - UDP_HEADER_LEN };
  },
  bufferLen(repr: UdpRepr): number {
    return UDP_HEADER_LEN + repr.payloadLen;
  },
  /**
   * Writes the header into `buf`, whose payload the caller has already placed at offset 8, and
   * the checksum over the pseudo-header of `src` -> `dst` (u32 addresses).
   */
  emit(
    repr: UdpRepr,
    buf: Uint8Array,
    src: number,
    dst: number,
    mode: UdpChecksumMode = 'compute',
  ): void {
    const len = UDP_HEADER_LEN + repr.payloadLen;
    if (buf.length < len) throw new PacketError('truncated', 'udp', 'emit buffer too small');
    writeU16(buf, field.SRC_PORT, repr.srcPort);
    writeU16(buf, field.DST_PORT, repr.dstPort);
    writeU16(buf, field.LENGTH, len);
    writeU16(buf, field.CHECKSUM, 0);
    if (mode === 'compute') {
      const sum =
        ~fold(sumWords(buf, 0, len, pseudoHeaderSum(src, dst, IpProtocol.UDP, len))) & 0xffff;
      // RFC 768: a computed zero is sent as all ones, since 0 means "no checksum".
      writeU16(buf, field.CHECKSUM, sum === 0 ? 0xffff : sum);
    }
  },
};
