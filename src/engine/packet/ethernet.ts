// Ethernet II frames (no 802.1Q): destination, source, ethertype, payload.

import { PacketError, readU16, requireLength, writeU16 } from './errors.ts';
import { formatMac, writeMac } from './mac.ts';

export const EtherType = {
  IPV4: 0x0800,
  ARP: 0x0806,
  VLAN: 0x8100,
  IPV6: 0x86dd,
} as const;

const field = {
  DST: 0,
  SRC: 6,
  ETHERTYPE: 12,
  PAYLOAD: 14,
} as const;

export const ETHERNET_HEADER_LEN = field.PAYLOAD;

/** A view over an Ethernet frame's bytes. */
export class EthernetFrame {
  private constructor(readonly bytes: Uint8Array) {}

  /** Wraps bytes for reading; throws PacketError when shorter than a header. */
  static checked(bytes: Uint8Array): EthernetFrame {
    requireLength(bytes, ETHERNET_HEADER_LEN, 'ethernet');
    return new EthernetFrame(bytes);
  }

  /** Wraps a buffer being emitted into (no checks: the emitter sized it). */
  static unchecked(bytes: Uint8Array): EthernetFrame {
    return new EthernetFrame(bytes);
  }

  /** Destination MAC. */
  get dst(): string {
    return formatMac(this.bytes, field.DST);
  }
  /** Source MAC. */
  get src(): string {
    return formatMac(this.bytes, field.SRC);
  }
  /** EtherType (or 802.3 length when <= 1500). */
  get ethertype(): number {
    return readU16(this.bytes, field.ETHERTYPE);
  }
  /** Everything after the header, padding included (no copy). */
  get payload(): Uint8Array {
    return this.bytes.subarray(field.PAYLOAD);
  }
  /** True for a group address (broadcast or multicast): the I/G bit. */
  get isMulticastDst(): boolean {
    return (this.bytes[field.DST]! & 1) === 1;
  }
}

export interface EthernetRepr {
  dst: string;
  src: string;
  ethertype: number;
}

export const EthernetRepr = {
  parse(frame: EthernetFrame): EthernetRepr {
    return { dst: frame.dst, src: frame.src, ethertype: frame.ethertype };
  },
  bufferLen(payloadLen: number): number {
    return ETHERNET_HEADER_LEN + payloadLen;
  },
  /** Writes the header into `buf` (which must be at least 14 bytes); the payload is the caller's. */
  emit(repr: EthernetRepr, buf: Uint8Array): void {
    if (buf.length < ETHERNET_HEADER_LEN)
      throw new PacketError('truncated', 'ethernet', 'emit buffer too small');
    writeMac(buf, field.DST, repr.dst);
    writeMac(buf, field.SRC, repr.src);
    writeU16(buf, field.ETHERTYPE, repr.ethertype);
  },
};
