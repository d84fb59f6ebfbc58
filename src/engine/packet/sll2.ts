// Linux "cooked" capture v2 (LINKTYPE_LINUX_SLL2), what `tcpdump -i any` records: a 20-byte
// header (protocol, interface index, hardware type, packet type, source link address) in place
// of the link-layer header, then the network-layer packet.

import { PacketError, readU16, readU32, requireLength, writeU16, writeU32 } from './errors.ts';
import { formatMac, writeMac } from './mac.ts';

export const LINKTYPE_LINUX_SLL2 = 276;
export const SLL2_HEADER_LEN = 20;

/** sll_pkttype values (linux/if_packet.h). */
export const PacketType = {
  HOST: 0,
  BROADCAST: 1,
  MULTICAST: 2,
  OTHERHOST: 3,
  OUTGOING: 4,
} as const;

/** ARPHRD_* hardware types. */
export const ARPHRD_ETHER = 1;
export const ARPHRD_NONE = 0xfffe;

const field = {
  PROTOCOL: 0,
  RESERVED: 2,
  IFINDEX: 4,
  HATYPE: 8,
  PKTTYPE: 10,
  HALEN: 11,
  ADDR: 12,
} as const;

export class Sll2Packet {
  private constructor(readonly bytes: Uint8Array) {}

  static checked(bytes: Uint8Array): Sll2Packet {
    requireLength(bytes, SLL2_HEADER_LEN, 'sll2');
    return new Sll2Packet(bytes);
  }

  /** Wraps bytes the caller has length-checked (a printer reading a truncated capture). */
  static unchecked(bytes: Uint8Array): Sll2Packet {
    return new Sll2Packet(bytes);
  }

  /** EtherType of the payload. */
  get protocol(): number {
    return readU16(this.bytes, field.PROTOCOL);
  }
  get ifindex(): number {
    return readU32(this.bytes, field.IFINDEX);
  }
  get hatype(): number {
    return readU16(this.bytes, field.HATYPE);
  }
  get pkttype(): number {
    return this.bytes[field.PKTTYPE]!;
  }
  get halen(): number {
    return this.bytes[field.HALEN]!;
  }
  /** The source MAC when the address is 6 bytes long, else null. */
  get srcMac(): string | null {
    return this.halen === 6 ? formatMac(this.bytes, field.ADDR) : null;
  }
  get payload(): Uint8Array {
    return this.bytes.subarray(SLL2_HEADER_LEN);
  }
}

export interface Sll2Repr {
  protocol: number;
  ifindex: number;
  hatype: number;
  pkttype: number;
  /** Source MAC, or null (a TUN device has no link address). */
  srcMac: string | null;
}

export const Sll2Repr = {
  parse(p: Sll2Packet): Sll2Repr {
    if (p.halen > 8) throw new PacketError('malformed', 'sll2', `address length ${p.halen}`);
    return {
      protocol: p.protocol,
      ifindex: p.ifindex,
      hatype: p.hatype,
      pkttype: p.pkttype,
      srcMac: p.srcMac,
    };
  },
  bufferLen(payloadLen: number): number {
    return SLL2_HEADER_LEN + payloadLen;
  },
  emit(repr: Sll2Repr, buf: Uint8Array): void {
    if (buf.length < SLL2_HEADER_LEN)
      throw new PacketError('truncated', 'sll2', 'emit buffer too small');
    buf.fill(0, 0, SLL2_HEADER_LEN);
    writeU16(buf, field.PROTOCOL, repr.protocol);
    writeU32(buf, field.IFINDEX, repr.ifindex);
    writeU16(buf, field.HATYPE, repr.hatype);
    buf[field.PKTTYPE] = repr.pkttype;
    if (repr.srcMac !== null) {
      buf[field.HALEN] = 6;
      writeMac(buf, field.ADDR, repr.srcMac);
    }
  },
};
