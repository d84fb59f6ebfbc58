// UDP.

import {
  KIND_VXLAN,
  RTN_BROADCAST,
  DELIVER_UDP,
  DROP_UDP_SHORT,
  DROP_UDP_CSUM,
  DROP_UDP_NOPORT,
} from './abi';
import { csumAdd, csumAdd16, csumAdd32, csumFold } from './bytes';
import { slotFree, slotPtr, slotLen, setTailSum, tailSum, setSlotLen } from './pool';
import { Link, Netns } from './state';
import { deliver } from './host';
import {
  PROTO_UDP,
  ipHeaderLen,
  ipSaddr,
  ipDaddr,
  UDP_HLEN,
  udpSource,
  udpDest,
  udpLen,
  udpCheck,
  ICMP_DEST_UNREACH,
  ICMP_PORT_UNREACH,
} from './headers';
import { drop } from './dev';
import { icmpError } from './icmp';
import { vxlanRcv } from './vxlan';
import { journeyOn, journeyDeliver } from './journey';

/** Where the payload of a VXLAN-carried IPv4 packet (no options) starts in the UDP datagram:
 * UDP 8 + VXLAN 8 + Ethernet 14 + IPv4 20. */
const VXLAN_INNER_PAYLOAD: i32 = 50;

export function udpRcv(ns: Netns, l: Link, s: i32): void {
  const p = slotPtr(s);
  const ihl = ipHeaderLen(p);
  const avail = slotLen(s) - ihl;
  const u = p + <usize>ihl;
  if (avail < 8) {
    drop(s, DROP_UDP_SHORT);
    return;
  }
  const ulen = <i32>udpLen(u);
  if (ulen < 8 || ulen > avail) {
    drop(s, DROP_UDP_SHORT);
    return;
  }
  const src = ipSaddr(p);
  const dst = ipDaddr(p);
  if (udpCheck(u) != 0) {
    let acc = csumAdd32(csumAdd32(0, src), dst);
    acc = csumAdd16(csumAdd16(acc, PROTO_UDP), <u32>ulen);
    const known = tailSum(s, u, ulen); // set when this datagram came inside VXLAN
    if (known != u64.MAX_VALUE) {
      acc += known;
    } else if (ulen >= VXLAN_INNER_PAYLOAD + 64) {
      // Summed in two parts (split at an even offset, so the total is the same): the second,
      // an encapsulated packet's payload if this is VXLAN, is kept for its inner check.
      const tail = csumAdd(u + VXLAN_INNER_PAYLOAD, ulen - VXLAN_INNER_PAYLOAD, 0);
      acc = csumAdd(u, VXLAN_INNER_PAYLOAD, acc) + tail;
      setTailSum(s, u + VXLAN_INNER_PAYLOAD, ulen - VXLAN_INNER_PAYLOAD, tail);
    } else {
      acc = csumAdd(u, ulen, acc);
    }
    if (csumFold(acc) != 0) {
      drop(s, DROP_UDP_CSUM);
      return;
    }
  }
  setSlotLen(s, ihl + ulen);
  const dport = udpDest(u);
  // vxlan devices listen on their UDP port in their namespace.
  const links = ns.links;
  for (let i = 0; i < links.length; i++) {
    const v = unchecked(links[i]);
    if (v.kind == KIND_VXLAN && v.dstport == dport && v.up) {
      vxlanRcv(v, s, ihl, src);
      return;
    }
  }
  const socks = ns.udpSocks;
  for (let i = 0; i < socks.length; i++) {
    const so = unchecked(socks[i]);
    if (so.port == dport && (so.addr == 0 || so.addr == dst)) {
      if (journeyOn) journeyDeliver(s, ns, DELIVER_UDP, dport);
      deliver(DELIVER_UDP, so.fd, u + UDP_HLEN, ulen - UDP_HLEN, src, udpSource(u));
      slotFree(s);
      return;
    }
  }
  const rt = ns.lookup(dst);
  if (rt == null || rt.type != RTN_BROADCAST) icmpError(ns, s, 0, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
  drop(s, DROP_UDP_NOPORT);
}

