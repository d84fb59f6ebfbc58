// Link transmit and receive, the backlog between links and the capture taps (Linux's
// net/core/dev.c), plus the drop counters every layer bumps.

import {
  KIND_LOOPBACK,
  KIND_ETHER,
  KIND_VETH,
  KIND_BRIDGE,
  KIND_VXLAN,
  KIND_TUN,
  DELIVER_TUN,
  DELIVER_CAPTURE,
  DIR_IN,
  DIR_OUT,
  DROP_ETH_SHORT,
  DROP_ETH_TYPE,
  DROP_ETH_OTHERHOST,
  DROP_LINK_DOWN,
  DROP_BACKLOG,
  DROP_TUN_NOFD,
  DROP_TX_QUEUE_FULL,
  DROP_TOO_BIG,
} from './abi';
import { isMulticastMac, BROADCAST_MAC } from './bytes';
import { slotFree, slotPtr, slotLen, SLOT_COUNT } from './pool';
import {
  Link,
  drops,
  allLinks,
  captureCount,
  RX_BYTES,
  RX_PACKETS,
  RX_ERRORS,
  RX_DROPPED,
  RX_MCAST,
  TX_BYTES,
  TX_PACKETS,
  TX_DROPPED,
} from './state';
import { wireTx, deliver } from './host';
import { ETH_HLEN, ETH_P_IP, ETH_P_ARP, ethDst, ethProto } from './headers';
import { bridgeDevXmit, bridgeInput } from './bridge';
import { ipRcv } from './ip';
import { arpRcv } from './neigh';
import { vxlanXmit } from './vxlan';
import { journeyOn, journeyFrame, journeyDrop, journeyDeliver } from './journey';
import { qdiscXmit } from './qdisc';

/** Benchmark mode: ether transmissions are counted instead of handed to the wire. */
export let benchMode: bool = false;
export let benchTx: i32 = 0;
export function setBenchMode(on: bool): void {
  benchMode = on;
  benchTx = 0;
}

/** Adds v to counter i. A raw load/store: `unchecked(a[i] += v)` still calls the checked
 * accessors, and counters are bumped several times per frame. */
// @ts-ignore: decorator
@inline
export function bump(counters: StaticArray<f64>, i: i32, v: f64): void {
  const p = changetype<usize>(counters) + ((<usize>i) << 3);
  store<f64>(p, load<f64>(p) + v);
}

export function drop(s: i32, reason: i32): void {
  if (journeyOn) journeyDrop(s, reason);
  bump(drops, reason, 1);
  slotFree(s);
}

export function count(reason: i32): void {
  bump(drops, reason, 1);
}

// ---------------------------------------------------------------------------------------------
// The backlog (like netif_rx): frames handed from one link to another wait here, and
// runBacklog processes them in a loop instead of recursing through the stack.

const backlogSlot = new StaticArray<i32>(SLOT_COUNT);
const backlogLink = new StaticArray<i32>(SLOT_COUNT);
let backlogHead: i32 = 0;
let backlogCount: i32 = 0;

export function netifRx(l: Link, s: i32): void {
  if (backlogCount >= SLOT_COUNT) {
    bump(l.stats, RX_DROPPED, 1);
    drop(s, DROP_BACKLOG);
    return;
  }
  const at = (backlogHead + backlogCount) & (SLOT_COUNT - 1);
  unchecked((backlogSlot[at] = s));
  unchecked((backlogLink[at] = l.id));
  backlogCount++;
}

export function runBacklog(): void {
  let budget = 1000000;
  while (backlogCount > 0) {
    const s = unchecked(backlogSlot[backlogHead]);
    const id = unchecked(backlogLink[backlogHead]);
    backlogHead = (backlogHead + 1) & (SLOT_COUNT - 1);
    backlogCount--;
    const l = unchecked(allLinks[id]);
    if (l == null || budget-- <= 0) {
      drop(s, DROP_BACKLOG);
      continue;
    }
    netifReceive(l, s);
  }
}

// ---------------------------------------------------------------------------------------------
// Capture taps.

// @ts-ignore: decorator
@inline
export function tap(l: Link, s: i32, dir: i32): void {
  // Inlined so that the common case (no capture anywhere) costs one compare per hop.
  if (captureCount != 0) tapAll(l, s, dir);
}

function tapAll(l: Link, s: i32, dir: i32): void {
  const caps = l.ns.captures;
  const linktype: u32 = l.kind == KIND_TUN ? 101 : 1;
  if (journeyOn) journeyFrame(l, s, dir, linktype);
  for (let i = 0; i < caps.length; i++) {
    const c = unchecked(caps[i]);
    if (c.ifindex == 0 || c.ifindex == l.ifindex) {
      deliver(
        DELIVER_CAPTURE,
        c.fd,
        slotPtr(s),
        slotLen(s),
        <u32>l.ifindex,
        (<u32>dir) | (linktype << 8),
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Link transmit and receive.

/** Transmits the frame in slot s on link l (an Ethernet frame, or an IP packet for TUN). */
export function devXmit(l: Link, s: i32): void {
  // A NIC without carrier has its qdisc deactivated (noop): the frame is dropped before any tap.
  if (!l.up || l.cableCut) {
    bump(l.stats, TX_DROPPED, 1);
    drop(s, DROP_LINK_DOWN);
    return;
  }
  if (l.qdisc != null) qdiscXmit(l, s);
  else devHardXmit(l, s);
}

/** The driver's transmit, after the qdisc (dev_hard_start_xmit: the capture taps see it here). */
export function devHardXmit(l: Link, s: i32): void {
  const len = slotLen(s);
  const k = l.kind;
  if (k == KIND_VXLAN) {
    vxlanXmit(l, s);
    return;
  }
  tap(l, s, DIR_OUT);
  if (k == KIND_BRIDGE) {
    bump(l.stats, TX_PACKETS, 1);
    bump(l.stats, TX_BYTES, len);
    bridgeDevXmit(l, s);
    return;
  }
  if (k == KIND_VETH) {
    const peer = l.peer;
    if (peer == null || !peer.up) {
      bump(l.stats, TX_DROPPED, 1);
      drop(s, DROP_LINK_DOWN);
      return;
    }
    bump(l.stats, TX_PACKETS, 1);
    bump(l.stats, TX_BYTES, len);
    netifRx(peer, s);
    return;
  }
  if (k == KIND_ETHER) {
    // The wire is the NIC and its qdisc: a full transmit queue drops the frame.
    if (benchMode) benchTx++;
    else if (wireTx(l.ifindex, slotPtr(s), len) == 0) {
      bump(l.stats, TX_DROPPED, 1);
      drop(s, DROP_TX_QUEUE_FULL);
      return;
    }
    bump(l.stats, TX_PACKETS, 1);
    bump(l.stats, TX_BYTES, len);
    slotFree(s);
    return;
  }
  bump(l.stats, TX_PACKETS, 1);
  bump(l.stats, TX_BYTES, len);
  if (k == KIND_LOOPBACK) {
    netifRx(l, s);
  } else if (k == KIND_TUN) {
    if (l.tunFd < 0) {
      bump(l.stats, TX_DROPPED, 1);
      drop(s, DROP_TUN_NOFD);
      return;
    }
    if (journeyOn) journeyDeliver(s, l.ns, DELIVER_TUN, <u32>l.ifindex);
    deliver(DELIVER_TUN, l.tunFd, slotPtr(s), len, 0, 0);
    slotFree(s);
  } else {
    slotFree(s);
  }
}

/** A frame received on link l. */
export function netifReceive(l: Link, s: i32): void {
  if (!l.up) {
    drop(s, DROP_LINK_DOWN);
    return;
  }
  const len = slotLen(s);
  if ((l.kind == KIND_ETHER || l.kind == KIND_VETH) && len > l.mtu + ETH_HLEN + 4) {
    // Larger than the device's MTU (and a VLAN tag): not forwardable, as is_skb_forwardable.
    bump(l.stats, RX_DROPPED, 1);
    drop(s, DROP_TOO_BIG);
    return;
  }
  bump(l.stats, RX_PACKETS, 1);
  // vxlan_rcv counts once eth_type_trans has pulled the inner Ethernet header.
  bump(l.stats, RX_BYTES, l.kind == KIND_VXLAN ? len - ETH_HLEN : len);
  tap(l, s, DIR_IN);
  if (l.kind == KIND_TUN) {
    ipRcv(l, s, 0);
    return;
  }
  if (len < ETH_HLEN) {
    bump(l.stats, RX_ERRORS, 1);
    drop(s, DROP_ETH_SHORT);
    return;
  }
  const br = l.master;
  if (br != null) {
    bridgeInput(br, l, s);
    return;
  }
  etherInput(l, s);
}

/** Protocol dispatch for a received Ethernet frame that this link accepts. */
export function etherInput(l: Link, s: i32): void {
  const p = slotPtr(s);
  const dst = ethDst(p);
  if (isMulticastMac(dst)) {
    if (dst != BROADCAST_MAC) bump(l.stats, RX_MCAST, 1);
  } else if (dst != l.mac && l.kind != KIND_LOOPBACK) {
    drop(s, DROP_ETH_OTHERHOST);
    return;
  }
  const type = ethProto(p);
  if (type == ETH_P_IP) {
    ipRcv(l, s, ETH_HLEN);
  } else if (type == ETH_P_ARP) {
    arpRcv(l, s);
  } else {
    bump(l.stats, RX_DROPPED, 1);
    drop(s, DROP_ETH_TYPE);
  }
}

