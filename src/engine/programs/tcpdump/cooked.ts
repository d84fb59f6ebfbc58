// `tcpdump -i any` sees every link of the namespace as Linux "cooked" v2 records: the link
// header is replaced by an SLL2 header naming the interface and the packet's direction/type.

import type { CaptureMeta } from '../../kernel/types.ts';
import { EtherType, ETHERNET_HEADER_LEN, EthernetFrame } from '../../packet/ethernet.ts';
import { BROADCAST_MAC } from '../../packet/mac.ts';
import { LINKTYPE_RAW } from '../../packet/pcap.ts';
import { ARPHRD_ETHER, ARPHRD_NONE, PacketType, Sll2Repr } from '../../packet/sll2.ts';

/**
 * Turns a captured frame into an SLL2 record. `linkMac` is the capturing link's own MAC, to
 * tell frames for this host (In) from ones for another host seen in promiscuous mode (P).
 * Returns null for a frame too short to carry a link header.
 */
export function cookFrame(
  frame: Uint8Array,
  meta: CaptureMeta,
  linkMac: string | null,
): Uint8Array | null {
  let repr: Sll2Repr;
  let payload: Uint8Array;
  if (meta.linktype === LINKTYPE_RAW) {
    if (frame.length < 1) return null;
    const version = frame[0]! >> 4;
    repr = {
      protocol: version === 6 ? EtherType.IPV6 : EtherType.IPV4,
      ifindex: meta.ifindex,
      hatype: ARPHRD_NONE,
      pkttype: meta.direction === 'out' ? PacketType.OUTGOING : PacketType.HOST,
      srcMac: null,
    };
    payload = frame;
  } else {
    if (frame.length < ETHERNET_HEADER_LEN) return null;
    const ether = EthernetFrame.unchecked(frame);
    repr = {
      protocol: ether.ethertype,
      ifindex: meta.ifindex,
      hatype: ARPHRD_ETHER,
      pkttype: meta.direction === 'out' ? PacketType.OUTGOING : inboundType(ether, linkMac),
      srcMac: ether.src,
    };
    payload = ether.payload;
  }
  const out = new Uint8Array(Sll2Repr.bufferLen(payload.length));
  Sll2Repr.emit(repr, out);
  out.set(payload, out.length - payload.length);
  return out;
}

function inboundType(ether: EthernetFrame, linkMac: string | null): number {
  const dst = ether.dst;
  if (dst === BROADCAST_MAC) return PacketType.BROADCAST;
  if (ether.isMulticastDst) return PacketType.MULTICAST;
  return linkMac === null || dst === linkMac ? PacketType.HOST : PacketType.OTHERHOST;
}
