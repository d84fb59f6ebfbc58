// ICMP.

import {
  RTN_LOCAL,
  DELIVER_ICMP,
  DROP_IP_NOROUTE,
  DROP_ICMP_SHORT,
  DROP_ICMP_CSUM,
  DROP_NO_BUFFER,
} from './abi';
import { csumAdd, csumFold, csum } from './bytes';
import { slotAlloc, slotFree, slotPtr, slotLen, clearTailSum, tailSum, setSlotLen } from './pool';
import { Netns } from './state';
import { deliver } from './host';
import {
  IP_OFFSET,
  PROTO_ICMP,
  ipHeaderLen,
  ipTos,
  ipFragOff,
  ipProto,
  ipSaddr,
  ipDaddr,
  ICMP_ECHOREPLY,
  ICMP_ECHO,
  ICMP_TIMESTAMP,
  ICMP_INFO_REQUEST,
  ICMP_ADDRESS,
  icmpType,
  icmpSetType,
  icmpSetCode,
  icmpSetCheck,
  icmpSetFragMtu,
} from './headers';
import { count, drop } from './dev';
import { ipBuildHeader, ipRouteOutput } from './ip';
import { journeyOn, journeyDeliver } from './journey';

export function icmpRcv(ns: Netns, s: i32): void {
  const p = slotPtr(s);
  const ihl = ipHeaderLen(p);
  const len = slotLen(s) - ihl;
  if (len < 8) {
    drop(s, DROP_ICMP_SHORT);
    return;
  }
  const ic = p + <usize>ihl;
  let sum = tailSum(s, ic, len);
  if (sum == u64.MAX_VALUE) sum = csumAdd(ic, len, 0);
  clearTailSum(s); // the echo reply is built in place
  if (csumFold(sum) != 0) {
    drop(s, DROP_ICMP_CSUM);
    return;
  }
  if (journeyOn) journeyDeliver(s, ns, DELIVER_ICMP, icmpType(ic));
  const raws = ns.rawSocks;
  for (let i = 0; i < raws.length; i++) {
    deliver(DELIVER_ICMP, unchecked(raws[i]).fd, p, slotLen(s), 0, 0);
  }
  if (icmpType(ic) != ICMP_ECHO) {
    slotFree(s);
    return;
  }
  // Echo reply, built in place: addresses swapped, options dropped, fresh id and TTL.
  const src = ipSaddr(p);
  const dst = ipDaddr(p);
  const tos = ipTos(p);
  if (ihl > 20) {
    memory.copy(p + 20, ic, <usize>len);
    setSlotLen(s, 20 + len);
  }
  const icr = p + 20;
  icmpSetType(icr, ICMP_ECHOREPLY);
  icmpSetCheck(icr, 0);
  icmpSetCheck(icr, csum(icr, len));
  let from = dst;
  const rtFrom = ns.lookup(dst);
  if (rtFrom == null || rtFrom.type != RTN_LOCAL) from = 0;
  const rt = ns.lookup(src);
  if (rt == null) {
    drop(s, DROP_IP_NOROUTE);
    return;
  }
  if (from == 0) from = ns.routeSrc(rt);
  ipBuildHeader(p, tos, <u32>(20 + len), ns.nextId(), false, 64, PROTO_ICMP, from, src);
  ipRouteOutput(ns, rt, src, s, true);
}

/** Sends an ICMP error about the packet at offset `off` of slot s (which the caller keeps). */
export function icmpError(ns: Netns, s: i32, off: i32, type: u32, code: u32, mtu: u32): void {
  const p = slotPtr(s) + <usize>off;
  const tot = slotLen(s) - off;
  if (tot < 20) return;
  const src = ipSaddr(p);
  const dst = ipDaddr(p);
  const ihl = ipHeaderLen(p);
  // Never about ICMP errors, non-first fragments, or broadcast/unspecified addresses.
  if ((ipFragOff(p) & IP_OFFSET) != 0 || src == 0 || dst == 0xffffffff || src >> 28 == 14) return;
  if (ipProto(p) == PROTO_ICMP && tot >= ihl + 1) {
    const t = icmpType(p + <usize>ihl);
    const informational =
      t == ICMP_ECHOREPLY ||
      t == ICMP_ECHO ||
      t == ICMP_TIMESTAMP ||
      t == ICMP_INFO_REQUEST ||
      t == ICMP_ADDRESS;
    if (!informational) return;
  }
  const rt = ns.lookup(src);
  if (rt == null) return;
  const quote = min(tot, 576 - 28);
  const e = slotAlloc();
  if (e < 0) {
    count(DROP_NO_BUFFER);
    return;
  }
  const q = slotPtr(e);
  const ic = q + 20;
  icmpSetType(ic, type);
  icmpSetCode(ic, code);
  icmpSetCheck(ic, 0);
  icmpSetFragMtu(ic, mtu);
  memory.copy(ic + 8, p, <usize>quote);
  const icLen = 8 + quote;
  icmpSetCheck(ic, csum(ic, icLen));
  let from = rt.type == RTN_LOCAL ? src : ns.routeSrc(rt);
  if (from == 0 && ns.addrs.length > 0) from = ns.addrs[0].local;
  ipBuildHeader(
    q,
    0xc0 | (ipTos(p) & 0x1c),
    <u32>(20 + icLen),
    ns.nextId(),
    false,
    64,
    PROTO_ICMP,
    from,
    src,
  );
  setSlotLen(e, 20 + icLen);
  ipRouteOutput(ns, rt, src, e, true);
}

