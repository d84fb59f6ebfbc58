// ICMPv4 (RFC 792, RFC 1191 for the next-hop MTU): echo, destination unreachable, time exceeded.

import { internetChecksum, verifyChecksum } from './checksum.ts';
import { PacketError, readU16, requireLength, writeU16 } from './errors.ts';

export const IcmpType = {
  ECHO_REPLY: 0,
  DEST_UNREACHABLE: 3,
  SOURCE_QUENCH: 4,
  REDIRECT: 5,
  ECHO_REQUEST: 8,
  TIME_EXCEEDED: 11,
  PARAM_PROBLEM: 12,
} as const;

export const UnreachableCode = {
  NET: 0,
  HOST: 1,
  PROTOCOL: 2,
  PORT: 3,
  FRAG_NEEDED: 4,
} as const;

const field = {
  TYPE: 0,
  CODE: 1,
  CHECKSUM: 2,
  /** Echo: identifier; unreachable code 4: unused. */
  REST_HI: 4,
  /** Echo: sequence; unreachable code 4: next-hop MTU. */
  REST_LO: 6,
  DATA: 8,
} as const;

export const ICMP_HEADER_LEN = field.DATA;

/** True for the types that quote the offending packet (tcpdump's ICMP_ERRTYPE). */
export function isIcmpErrorType(type: number): boolean {
  return (
    type === IcmpType.DEST_UNREACHABLE ||
    type === IcmpType.SOURCE_QUENCH ||
    type === IcmpType.REDIRECT ||
    type === IcmpType.TIME_EXCEEDED ||
    type === IcmpType.PARAM_PROBLEM
  );
}

export class IcmpPacket {
  private constructor(readonly bytes: Uint8Array) {}

  static checked(bytes: Uint8Array): IcmpPacket {
    requireLength(bytes, ICMP_HEADER_LEN, 'icmp');
    return new IcmpPacket(bytes);
  }

  static unchecked(bytes: Uint8Array): IcmpPacket {
    return new IcmpPacket(bytes);
  }

  get type(): number {
    return this.bytes[field.TYPE]!;
  }
  get code(): number {
    return this.bytes[field.CODE]!;
  }
  get checksum(): number {
    return readU16(this.bytes, field.CHECKSUM);
  }
  /** Echo identifier. */
  get echoIdent(): number {
    return readU16(this.bytes, field.REST_HI);
  }
  /** Echo sequence number. */
  get echoSeq(): number {
    return readU16(this.bytes, field.REST_LO);
  }
  /** Next-hop MTU of a "fragmentation needed" (type 3 code 4); 0 when not given. */
  get nextHopMtu(): number {
    return readU16(this.bytes, field.REST_LO);
  }
  /** Echo data, or the quoted IPv4 packet of an error message (no copy). */
  get data(): Uint8Array {
    return this.bytes.subarray(field.DATA);
  }
  get checksumValid(): boolean {
    return verifyChecksum(this.bytes);
  }
  /** The checksum computed over the message as it is (0 when the field is right). */
  get checksumResidue(): number {
    return internetChecksum(this.bytes);
  }
}

export type IcmpRepr =
  | { kind: 'echoRequest' | 'echoReply'; ident: number; seq: number; data: Uint8Array }
  | { kind: 'destUnreachable'; code: number; nextHopMtu: number; original: Uint8Array }
  | { kind: 'timeExceeded'; code: number; original: Uint8Array }
  | { kind: 'other'; type: number; code: number; rest: number; data: Uint8Array };

export const IcmpRepr = {
  /** Parses a message whose checksum verifies; throws PacketError otherwise. */
  parse(p: IcmpPacket): IcmpRepr {
    if (!p.checksumValid) throw new PacketError('malformed', 'icmp', 'bad checksum');
    switch (p.type) {
      case IcmpType.ECHO_REQUEST:
      case IcmpType.ECHO_REPLY:
        return {
          kind: p.type === IcmpType.ECHO_REQUEST ? 'echoRequest' : 'echoReply',
          ident: p.echoIdent,
          seq: p.echoSeq,
          data: p.data,
        };
      case IcmpType.DEST_UNREACHABLE:
        return {
          kind: 'destUnreachable',
          code: p.code,
          nextHopMtu: p.code === UnreachableCode.FRAG_NEEDED ? p.nextHopMtu : 0,
          original: p.data,
        };
      case IcmpType.TIME_EXCEEDED:
        return { kind: 'timeExceeded', code: p.code, original: p.data };
      default:
        return {
          kind: 'other',
          type: p.type,
          code: p.code,
          rest: readU16(p.bytes, field.REST_HI) * 0x10000 + readU16(p.bytes, field.REST_LO),
          data: p.data,
        };
    }
  },
  bufferLen(repr: IcmpRepr): number {
    return ICMP_HEADER_LEN + ('original' in repr ? repr.original.length : repr.data.length);
  },
  /**
   * Writes the whole message (exact-size `buf`), checksum included. A sender that resends the
   * same data may pass its word sum (`sumWords` of the data), so only the header is summed.
   */
  emit(repr: IcmpRepr, buf: Uint8Array, dataSum?: number): void {
    const len = IcmpRepr.bufferLen(repr);
    if (buf.length < len) throw new PacketError('truncated', 'icmp', 'emit buffer too small');
    let rest = 0;
    let body: Uint8Array;
    switch (repr.kind) {
      case 'echoRequest':
      case 'echoReply':
        buf[field.TYPE] = repr.kind === 'echoRequest' ? IcmpType.ECHO_REQUEST : IcmpType.ECHO_REPLY;
        buf[field.CODE] = 0;
        rest = repr.ident * 0x10000 + repr.seq;
        body = repr.data;
        break;
      case 'destUnreachable':
        buf[field.TYPE] = IcmpType.DEST_UNREACHABLE;
        buf[field.CODE] = repr.code;
        rest = repr.code === UnreachableCode.FRAG_NEEDED ? repr.nextHopMtu : 0;
        body = repr.original;
        break;
      case 'timeExceeded':
        buf[field.TYPE] = IcmpType.TIME_EXCEEDED;
        buf[field.CODE] = repr.code;
        body = repr.original;
        break;
      case 'other':
        buf[field.TYPE] = repr.type;
        buf[field.CODE] = repr.code;
        rest = repr.rest;
        body = repr.data;
        break;
    }
    writeU16(buf, field.CHECKSUM, 0);
    writeU16(buf, field.REST_HI, Math.floor(rest / 0x10000));
    writeU16(buf, field.REST_LO, rest & 0xffff);
    buf.set(body, field.DATA);
    const checksum =
      dataSum === undefined
        ? internetChecksum(buf, 0, len)
        : internetChecksum(buf, 0, field.DATA, dataSum);
    writeU16(buf, field.CHECKSUM, checksum);
  },
};
