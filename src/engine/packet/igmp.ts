// IGMP (RFC 2236 v2, RFC 3376 v3). Linux sends v3 membership reports when an interface joins
// a group (224.0.0.106 for the bridge's multicast router discovery, seen in the goldens).

import { internetChecksum, verifyChecksum } from './checksum.ts';
import { PacketError, readU16, requireLength, writeU16 } from './errors.ts';
import { formatIpv4At, ipv4OrThrow, writeIpv4 } from './ipaddr.ts';

export const IgmpType = {
  QUERY: 0x11,
  V1_REPORT: 0x12,
  V2_REPORT: 0x16,
  LEAVE: 0x17,
  V3_REPORT: 0x22,
} as const;

/** v3 group record types (RFC 3376 §4.2.12) and the names tcpdump gives them. */
export const IGMP_RECORD_NAMES: Record<number, string> = {
  1: 'is_in',
  2: 'is_ex',
  3: 'to_in',
  4: 'to_ex',
  5: 'allow',
  6: 'block',
};

export const IGMP_MIN_LEN = 8;
/** v3 report: type, reserved, checksum, reserved(2), number of group records. */
const V3_NUM_RECORDS = 6;
const V3_RECORDS = 8;

export interface IgmpGroupRecord {
  type: number;
  group: string;
  sources: string[];
  /** Auxiliary data length in 32-bit words (kept to re-emit exactly). */
  auxWords: number;
}

export class IgmpPacket {
  private constructor(readonly bytes: Uint8Array) {}

  static checked(bytes: Uint8Array): IgmpPacket {
    requireLength(bytes, IGMP_MIN_LEN, 'igmp');
    return new IgmpPacket(bytes);
  }

  static unchecked(bytes: Uint8Array): IgmpPacket {
    return new IgmpPacket(bytes);
  }

  get type(): number {
    return this.bytes[0]!;
  }
  /** v2 max response time (tenths of a second); 0 in v1 messages. */
  get maxRespTime(): number {
    return this.bytes[1]!;
  }
  get checksum(): number {
    return readU16(this.bytes, 2);
  }
  /** v1/v2 group address (also the v3 query's). */
  get group(): string {
    return formatIpv4At(this.bytes, 4);
  }
  /** Number of group records in a v3 report. */
  get numRecords(): number {
    return readU16(this.bytes, V3_NUM_RECORDS);
  }
  get checksumValid(): boolean {
    return verifyChecksum(this.bytes);
  }
  /** The checksum computed over the message as it is (0 when right). */
  get checksumResidue(): number {
    return internetChecksum(this.bytes);
  }

  /** Parses the group records of a v3 report; throws PacketError when they overrun the message. */
  records(): IgmpGroupRecord[] {
    const out: IgmpGroupRecord[] = [];
    let at = V3_RECORDS;
    for (let i = 0; i < this.numRecords; i++) {
      requireLength(this.bytes, at + 8, 'igmp');
      const numSources = readU16(this.bytes, at + 2);
      const auxWords = this.bytes[at + 1]!;
      const end = at + 8 + numSources * 4 + auxWords * 4;
      requireLength(this.bytes, end, 'igmp');
      const sources: string[] = [];
      for (let s = 0; s < numSources; s++) sources.push(formatIpv4At(this.bytes, at + 8 + s * 4));
      out.push({
        type: this.bytes[at]!,
        group: formatIpv4At(this.bytes, at + 4),
        sources,
        auxWords,
      });
      at = end;
    }
    return out;
  }
}

export type IgmpRepr =
  | { kind: 'v3Report'; records: IgmpGroupRecord[] }
  | { kind: 'v2Report' | 'leave'; group: string }
  | { kind: 'query'; maxRespTime: number; group: string };

export const IgmpRepr = {
  parse(p: IgmpPacket): IgmpRepr {
    if (!p.checksumValid) throw new PacketError('malformed', 'igmp', 'bad checksum');
    switch (p.type) {
      case IgmpType.V3_REPORT:
        return { kind: 'v3Report', records: p.records() };
      case IgmpType.V2_REPORT:
        return { kind: 'v2Report', group: p.group };
      case IgmpType.LEAVE:
        return { kind: 'leave', group: p.group };
      case IgmpType.QUERY:
        if (p.bytes.length !== IGMP_MIN_LEN)
          throw new PacketError('malformed', 'igmp', 'v3 query not supported');
        return { kind: 'query', maxRespTime: p.maxRespTime, group: p.group };
      default:
        throw new PacketError('malformed', 'igmp', `type 0x${p.type.toString(16)}`);
    }
  },
  bufferLen(repr: IgmpRepr): number {
    if (repr.kind !== 'v3Report') return IGMP_MIN_LEN;
    let len = V3_RECORDS;
    for (const r of repr.records) len += 8 + r.sources.length * 4 + r.auxWords * 4;
    return len;
  },
  emit(repr: IgmpRepr, buf: Uint8Array): void {
    const len = IgmpRepr.bufferLen(repr);
    if (buf.length < len) throw new PacketError('truncated', 'igmp', 'emit buffer too small');
    buf.fill(0, 0, len);
    if (repr.kind === 'v3Report') {
      buf[0] = IgmpType.V3_REPORT;
      writeU16(buf, V3_NUM_RECORDS, repr.records.length);
      let at = V3_RECORDS;
      for (const r of repr.records) {
        buf[at] = r.type;
        buf[at + 1] = r.auxWords;
        writeU16(buf, at + 2, r.sources.length);
        writeIpv4(buf, at + 4, ipv4OrThrow(r.group));
        r.sources.forEach((s, i) => writeIpv4(buf, at + 8 + i * 4, ipv4OrThrow(s)));
        at += 8 + r.sources.length * 4 + r.auxWords * 4;
      }
    } else {
      buf[0] =
        repr.kind === 'query'
          ? IgmpType.QUERY
          : repr.kind === 'leave'
            ? IgmpType.LEAVE
            : IgmpType.V2_REPORT;
      buf[1] = repr.kind === 'query' ? repr.maxRespTime : 0;
      writeIpv4(buf, 4, ipv4OrThrow(repr.group));
    }
    writeU16(buf, 2, internetChecksum(buf, 0, len));
  },
};
