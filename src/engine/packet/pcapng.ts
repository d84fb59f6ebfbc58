// The pcapng file format (what Wireshark writes): a section header, one interface description
// block per interface (named, with its link type), then enhanced packet blocks, each naming its
// interface, with a direction flag and a comment. Little-endian, microsecond timestamps (the
// default if_tsresol), as dumpcap writes them on x86.

import { PCAP_SNAPLEN, concatBytes } from './pcap.ts';

const SHB = 0x0a0d0d0a;
const IDB = 0x00000001;
const EPB = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

const OPT_ENDOFOPT = 0;
const OPT_COMMENT = 1;
const SHB_USERAPPL = 4;
const IF_NAME = 2;
const IF_DESCRIPTION = 3;
const EPB_FLAGS = 2;

/** epb_flags bits 0-1: the packet's direction. */
export const PCAPNG_INBOUND = 1;
export const PCAPNG_OUTBOUND = 2;

export interface PcapngInterface {
  /** if_name, e.g. `node2/flannel.1`. */
  name: string;
  linktype: number;
  description?: string;
}

export interface PcapngPacket {
  /** Index into the interfaces, in the order they were added. */
  interfaceId: number;
  /** Lab time in milliseconds since the epoch (fractional: microsecond precision). */
  time: number;
  data: Uint8Array;
  direction?: 'in' | 'out';
  comment?: string;
}

const encoder = new TextEncoder();

/** Options: each [code u16][length u16][value padded to 4], then opt_endofopt. */
function options(list: [number, Uint8Array][]): Uint8Array {
  if (list.length === 0) return new Uint8Array(0);
  const size = list.reduce((n, [, v]) => n + 4 + pad4(v.length), 4);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const [code, v] of list) {
    view.setUint16(at, code, true);
    view.setUint16(at + 2, v.length, true);
    out.set(v, at + 4);
    at += 4 + pad4(v.length);
  }
  view.setUint16(at, OPT_ENDOFOPT, true);
  return out;
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

function u32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, true);
  return b;
}

/** A block: [type][total length][body padded to 4][total length]. */
function block(type: number, body: Uint8Array): Uint8Array {
  const len = 12 + pad4(body.length);
  const out = new Uint8Array(len);
  const view = new DataView(out.buffer);
  view.setUint32(0, type, true);
  view.setUint32(4, len, true);
  out.set(body, 8);
  view.setUint32(len - 4, len, true);
  return out;
}

/** A whole pcapng file: one section, these interfaces, these packets in order. */
export function writePcapng(
  interfaces: readonly PcapngInterface[],
  packets: readonly PcapngPacket[],
  app = 'Flannel Playground',
): Uint8Array {
  const blocks: Uint8Array[] = [];
  const shb = new Uint8Array(16);
  const sv = new DataView(shb.buffer);
  sv.setUint32(0, BYTE_ORDER_MAGIC, true);
  sv.setUint16(4, 1, true);
  sv.setUint16(6, 0, true);
  sv.setBigInt64(8, -1n, true); // section length not given
  blocks.push(block(SHB, concatBytes([shb, options([[SHB_USERAPPL, encoder.encode(app)]])])));
  for (const i of interfaces) {
    const head = new Uint8Array(8);
    const hv = new DataView(head.buffer);
    hv.setUint16(0, i.linktype, true);
    hv.setUint32(4, PCAP_SNAPLEN, true);
    const opts: [number, Uint8Array][] = [[IF_NAME, encoder.encode(i.name)]];
    if (i.description) opts.push([IF_DESCRIPTION, encoder.encode(i.description)]);
    blocks.push(block(IDB, concatBytes([head, options(opts)])));
  }
  for (const p of packets) {
    const caplen = Math.min(p.data.length, PCAP_SNAPLEN);
    const head = new Uint8Array(20);
    const hv = new DataView(head.buffer);
    const us = BigInt(Math.round(p.time * 1000));
    hv.setUint32(0, p.interfaceId, true);
    hv.setUint32(4, Number(us >> 32n), true);
    hv.setUint32(8, Number(us & 0xffffffffn), true);
    hv.setUint32(12, caplen, true);
    hv.setUint32(16, p.data.length, true);
    const data = new Uint8Array(pad4(caplen));
    data.set(p.data.subarray(0, caplen));
    const opts: [number, Uint8Array][] = [];
    if (p.direction)
      opts.push([EPB_FLAGS, u32(p.direction === 'in' ? PCAPNG_INBOUND : PCAPNG_OUTBOUND)]);
    if (p.comment) opts.push([OPT_COMMENT, encoder.encode(p.comment)]);
    blocks.push(block(EPB, concatBytes([head, data, options(opts)])));
  }
  return concatBytes(blocks);
}
