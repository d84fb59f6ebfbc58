// The packet journey recorder: while it is on, every frame a capture tap sees and each
// decision the stack takes about a frame (the route that matched, the neighbour and FDB entries
// used, encapsulation, decapsulation, delivery to a socket, a drop with its reason) go to the
// wrapper as they happen, through the `journeyEvent` import. Each record names its packet
// buffer (slot), so the wrapper knows which frame a decision was about. Off, a decision point
// costs one load and a branch; the taps cost nothing more than they did.

import { Link, Netns, Route, Neigh, BrFdb, VxFdb, addCaptures } from './state';
import { slotPtr, slotLen } from './pool';
import { journeyEvent } from './host';

// Record kinds (the import's first argument) and the words each carries.
/** [ifindex, dir, linktype] + the frame's bytes. */
export const J_FRAME = 1;
/** [lookup dst, table, type, dst, len, gw, oif, onlink, scope, proto, prefsrc, metric] */
export const J_ROUTE = 2;
/** [ifindex, ip, state, mac hi, mac lo] */
export const J_NEIGH = 3;
/** [bridge ifindex, port ifindex (0: the bridge itself), how, mac hi, mac lo, local, static] */
export const J_BRIDGE = 4;
/** [vxlan ifindex, mac hi, mac lo, remote, state] */
export const J_VXFDB = 5;
/** [vxlan ifindex, vni, local, remote, src port, dst port] */
export const J_ENCAP = 6;
/** [vxlan ifindex, vni, outer src] */
export const J_DECAP = 7;
/** [drop reason] */
export const J_DROP = 8;
/** [DELIVER_* kind, detail (icmp type, udp port, tun ifindex)] */
export const J_DELIVER = 9;

// How the bridge sent a frame on (J_BRIDGE's third word).
export const BR_FORWARD = 0;
export const BR_LOCAL = 1;
export const BR_FLOOD = 2;

export let journeyOn: bool = false;
const w = new StaticArray<u32>(16);

export function setJourney(on: bool): void {
  if (on == journeyOn) return;
  journeyOn = on;
  addCaptures(on ? 1 : -1); // the taps run while the journey records
}

function emit(kind: i32, s: i32, ns: Netns | null, words: i32, data: usize, len: i32): void {
  const name = ns != null ? ns.name : '';
  journeyEvent(
    kind,
    s,
    changetype<usize>(w),
    words,
    data,
    len,
    changetype<usize>(name),
    name.length << 1,
  );
}

export function journeyFrame(l: Link, s: i32, dir: i32, linktype: u32): void {
  w[0] = <u32>l.ifindex;
  w[1] = <u32>dir;
  w[2] = linktype;
  emit(J_FRAME, s, l.ns, 3, slotPtr(s), slotLen(s));
}

export function journeyRoute(ns: Netns, s: i32, lookup: u32, r: Route): void {
  w[0] = lookup;
  w[1] = <u32>r.table;
  w[2] = <u32>r.type;
  w[3] = r.dst;
  w[4] = <u32>r.len;
  w[5] = r.gw;
  const d = r.dev;
  w[6] = d != null ? <u32>d.ifindex : 0;
  w[7] = r.onlink ? 1 : 0;
  w[8] = <u32>r.scope;
  w[9] = <u32>r.proto;
  w[10] = r.prefsrc;
  w[11] = r.metric;
  emit(J_ROUTE, s, ns, 12, 0, 0);
}

export function journeyNeigh(s: i32, n: Neigh): void {
  w[0] = <u32>n.link.ifindex;
  w[1] = n.ip;
  w[2] = <u32>n.state;
  w[3] = <u32>(n.mac >> 32);
  w[4] = <u32>n.mac;
  emit(J_NEIGH, s, n.link.ns, 5, 0, 0);
}

export function journeyBridge(s: i32, br: Link, port: Link | null, how: u32, mac: u64, e: BrFdb | null): void {
  w[0] = <u32>br.ifindex;
  w[1] = port != null ? <u32>port.ifindex : 0;
  w[2] = how;
  w[3] = <u32>(mac >> 32);
  w[4] = <u32>mac;
  w[5] = e != null && e.local ? 1 : 0;
  w[6] = e != null && e.isStatic ? 1 : 0;
  emit(J_BRIDGE, s, br.ns, 7, 0, 0);
}

export function journeyVxFdb(s: i32, vx: Link, e: VxFdb, remote: u32): void {
  w[0] = <u32>vx.ifindex;
  w[1] = <u32>(e.mac >> 32);
  w[2] = <u32>e.mac;
  w[3] = remote;
  w[4] = <u32>e.state;
  emit(J_VXFDB, s, vx.ns, 5, 0, 0);
}

export function journeyEncap(s: i32, vx: Link, local: u32, remote: u32, sport: u32): void {
  w[0] = <u32>vx.ifindex;
  w[1] = vx.vni;
  w[2] = local;
  w[3] = remote;
  w[4] = sport;
  w[5] = vx.dstport;
  emit(J_ENCAP, s, vx.ns, 6, 0, 0);
}

export function journeyDecap(s: i32, vx: Link, vni: u32, outerSrc: u32): void {
  w[0] = <u32>vx.ifindex;
  w[1] = vni;
  w[2] = outerSrc;
  emit(J_DECAP, s, vx.ns, 3, 0, 0);
}

export function journeyDrop(s: i32, reason: i32): void {
  w[0] = <u32>reason;
  emit(J_DROP, s, null, 1, 0, 0);
}

export function journeyDeliver(s: i32, ns: Netns, kind: i32, detail: u32): void {
  w[0] = <u32>kind;
  w[1] = detail;
  emit(J_DELIVER, s, ns, 2, 0, 0);
}
