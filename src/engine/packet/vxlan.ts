// VXLAN (RFC 7348): 8 bytes — flags (I bit = VNI valid), 24 reserved bits, VNI, 8 reserved.

import { PacketError, requireLength } from './errors.ts';

export const VXLAN_HEADER_LEN = 8;
/** The I flag: the VNI is valid. */
export const VXLAN_FLAG_I = 0x08;
/** IANA's port; Linux (and flannel) default to 8472. */
export const VXLAN_IANA_PORT = 4789;
export const VXLAN_LINUX_PORT = 8472;

export class VxlanPacket {
  private constructor(readonly bytes: Uint8Array) {}

  static checked(bytes: Uint8Array): VxlanPacket {
    requireLength(bytes, VXLAN_HEADER_LEN, 'vxlan');
    return new VxlanPacket(bytes);
  }

  static unchecked(bytes: Uint8Array): VxlanPacket {
    return new VxlanPacket(bytes);
  }

  get flags(): number {
    return this.bytes[0]!;
  }
  get hasVni(): boolean {
    return (this.flags & VXLAN_FLAG_I) !== 0;
  }
  /** The 24 bits after the flags (reserved in VXLAN; OTV's overlay id). */
  get reserved1(): number {
    return (this.bytes[1]! << 16) | (this.bytes[2]! << 8) | this.bytes[3]!;
  }
  /** VXLAN network identifier (24 bits). */
  get vni(): number {
    return (this.bytes[4]! << 16) | (this.bytes[5]! << 8) | this.bytes[6]!;
  }
  get reserved2(): number {
    return this.bytes[7]!;
  }
  /** The encapsulated Ethernet frame (no copy). */
  get payload(): Uint8Array {
    return this.bytes.subarray(VXLAN_HEADER_LEN);
  }
}

export interface VxlanRepr {
  vni: number;
}

export const VxlanRepr = {
  /** Requires the I flag, as a Linux VTEP does. */
  parse(p: VxlanPacket): VxlanRepr {
    if (!p.hasVni) throw new PacketError('malformed', 'vxlan', 'I flag not set');
    return { vni: p.vni };
  },
  bufferLen(payloadLen: number): number {
    return VXLAN_HEADER_LEN + payloadLen;
  },
  emit(repr: VxlanRepr, buf: Uint8Array): void {
    if (buf.length < VXLAN_HEADER_LEN)
      throw new PacketError('truncated', 'vxlan', 'emit buffer too small');
    if (repr.vni < 0 || repr.vni > 0xffffff)
      throw new RangeError(`vxlan: VNI ${repr.vni} out of range`);
    buf[0] = VXLAN_FLAG_I;
    buf[1] = buf[2] = buf[3] = 0;
    buf[4] = repr.vni >>> 16;
    buf[5] = (repr.vni >>> 8) & 0xff;
    buf[6] = repr.vni & 0xff;
    buf[7] = 0;
  },
};
