// ARP for IPv4 over Ethernet (RFC 826). Other hardware/protocol types parse as a view only.

import { PacketError, readU16, requireLength, writeU16 } from './errors.ts';
import { formatIpv4At, ipv4OrThrow, writeIpv4 } from './ipaddr.ts';
import { formatMac, writeMac } from './mac.ts';

export const ArpOperation = { REQUEST: 1, REPLY: 2 } as const;
export const ARP_HTYPE_ETHERNET = 1;
export const ARP_PTYPE_IPV4 = 0x0800;

const field = {
  HTYPE: 0,
  PTYPE: 2,
  HLEN: 4,
  PLEN: 5,
  OPER: 6,
  SHA: 8,
} as const;

/** Fixed part before the addresses. */
const FIXED_LEN = 8;
/** The Ethernet/IPv4 packet size. */
export const ARP_IPV4_LEN = 28;

export class ArpPacket {
  private constructor(readonly bytes: Uint8Array) {}

  /** Throws PacketError unless the fixed header and all four addresses are present. */
  static checked(bytes: Uint8Array): ArpPacket {
    requireLength(bytes, FIXED_LEN, 'arp');
    const p = new ArpPacket(bytes);
    requireLength(bytes, FIXED_LEN + 2 * (p.hardwareLen + p.protocolLen), 'arp');
    return p;
  }

  static unchecked(bytes: Uint8Array): ArpPacket {
    return new ArpPacket(bytes);
  }

  /** Hardware type (1 = Ethernet). */
  get hardwareType(): number {
    return readU16(this.bytes, field.HTYPE);
  }
  /** Protocol type (0x0800 = IPv4). */
  get protocolType(): number {
    return readU16(this.bytes, field.PTYPE);
  }
  get hardwareLen(): number {
    return this.bytes[field.HLEN]!;
  }
  get protocolLen(): number {
    return this.bytes[field.PLEN]!;
  }
  /** 1 = request, 2 = reply. */
  get operation(): number {
    return readU16(this.bytes, field.OPER);
  }
  /** Offsets of the four addresses, which depend on the lengths. */
  get senderHwOffset(): number {
    return field.SHA;
  }
  get senderProtoOffset(): number {
    return field.SHA + this.hardwareLen;
  }
  get targetHwOffset(): number {
    return field.SHA + this.hardwareLen + this.protocolLen;
  }
  get targetProtoOffset(): number {
    return field.SHA + 2 * this.hardwareLen + this.protocolLen;
  }
  /** True for Ethernet/IPv4 with the standard lengths. */
  get isEthernetIpv4(): boolean {
    return (
      this.hardwareType === ARP_HTYPE_ETHERNET &&
      this.protocolType === ARP_PTYPE_IPV4 &&
      this.hardwareLen === 6 &&
      this.protocolLen === 4
    );
  }
  get senderMac(): string {
    return formatMac(this.bytes, this.senderHwOffset);
  }
  get senderIp(): string {
    return formatIpv4At(this.bytes, this.senderProtoOffset);
  }
  get targetMac(): string {
    return formatMac(this.bytes, this.targetHwOffset);
  }
  get targetIp(): string {
    return formatIpv4At(this.bytes, this.targetProtoOffset);
  }
}

export interface ArpRepr {
  operation: number;
  senderMac: string;
  senderIp: string;
  targetMac: string;
  targetIp: string;
}

export const ArpRepr = {
  /** Parses an Ethernet/IPv4 ARP packet; throws PacketError('malformed') for other types. */
  parse(p: ArpPacket): ArpRepr {
    if (!p.isEthernetIpv4) throw new PacketError('malformed', 'arp', 'not Ethernet/IPv4');
    return {
      operation: p.operation,
      senderMac: p.senderMac,
      senderIp: p.senderIp,
      targetMac: p.targetMac,
      targetIp: p.targetIp,
    };
  },
  bufferLen(): number {
    return ARP_IPV4_LEN;
  },
  emit(repr: ArpRepr, buf: Uint8Array): void {
    if (buf.length < ARP_IPV4_LEN)
      throw new PacketError('truncated', 'arp', 'emit buffer too small');
    writeU16(buf, field.HTYPE, ARP_HTYPE_ETHERNET);
    writeU16(buf, field.PTYPE, ARP_PTYPE_IPV4);
    buf[field.HLEN] = 6;
    buf[field.PLEN] = 4;
    writeU16(buf, field.OPER, repr.operation);
    writeMac(buf, 8, repr.senderMac);
    writeIpv4(buf, 14, ipv4OrThrow(repr.senderIp));
    writeMac(buf, 18, repr.targetMac);
    writeIpv4(buf, 24, ipv4OrThrow(repr.targetIp));
  },
};
