// Bridge.

import {
  DIR_IN,
  DROP_LINK_DOWN,
  DROP_NO_BUFFER,
  DROP_BRIDGE_SRC,
  DROP_BRIDGE_SAME_PORT,
} from './abi';
import { isMulticastMac } from './bytes';
import { slotFree, slotPtr, slotClone, slotLen } from './pool';
import { Link, BrFdb, now, fdbGen, RX_BYTES, RX_PACKETS, RX_DROPPED } from './state';
import { ETH_HLEN, ethDst, ethSrc } from './headers';
import { bump, count, devXmit, drop, etherInput, tap } from './dev';
import { journeyOn, journeyBridge, BR_FORWARD, BR_LOCAL, BR_FLOOD } from './journey';

/** The bridge's FDB entry for mac, or null (through a one-entry cache per direction). */
// @ts-ignore: decorator
@inline
function bridgeLookup(br: Link, mac: u64, src: bool): BrFdb | null {
  if (src) {
    if (br.srcCacheGen == fdbGen && br.srcCacheMac == mac) return br.srcCache;
  } else if (br.dstCacheGen == fdbGen && br.dstCacheMac == mac) return br.dstCache;
  return bridgeLookupSlow(br, mac, src);
}

function bridgeLookupSlow(br: Link, mac: u64, src: bool): BrFdb | null {
  if (!br.brFdb.has(mac)) return null;
  const e = br.brFdb.get(mac);
  if (src) {
    br.srcCacheMac = mac;
    br.srcCache = e;
    br.srcCacheGen = fdbGen;
  } else {
    br.dstCacheMac = mac;
    br.dstCache = e;
    br.dstCacheGen = fdbGen;
  }
  return e;
}

export function bridgeInput(br: Link, port: Link, s: i32): void {
  if (!br.up) {
    drop(s, DROP_LINK_DOWN);
    return;
  }
  const p = slotPtr(s);
  const dst = ethDst(p);
  const src = ethSrc(p);
  if (isMulticastMac(src) || src == 0) {
    bump(port.stats, RX_DROPPED, 1);
    drop(s, DROP_BRIDGE_SRC);
    return;
  }
  // Learn where the source lives.
  const se = bridgeLookup(br, src, true);
  if (se != null) {
    if (!se.local && !se.isStatic) {
      se.port = port;
      se.updated = now;
    }
  } else {
    br.brFdb.set(src, new BrFdb(src, port, false, false, now));
  }
  if (isMulticastMac(dst)) {
    bridgeFlood(br, port, s, true);
    return;
  }
  const e = bridgeLookup(br, dst, false);
  if (e != null) {
    if (e.local) {
      if (journeyOn) journeyBridge(s, br, null, BR_LOCAL, dst, e);
      bridgeLocalIn(br, s);
      return;
    }
    const out = e.port;
    // br_forward's should_deliver: back out of the ingress port only in hairpin mode.
    if (out == null || (out == port && !port.hairpin)) {
      drop(s, DROP_BRIDGE_SAME_PORT);
      return;
    }
    if (journeyOn) journeyBridge(s, br, out, BR_FORWARD, dst, e);
    devXmit(out, s);
    return;
  }
  bridgeFlood(br, port, s, false);
}

/** A frame the bridge keeps for itself: it is received on the bridge device. */
function bridgeLocalIn(br: Link, s: i32): void {
  bump(br.stats, RX_PACKETS, 1);
  // br_pass_frame_up counts the frame as the rx handler has it: past its Ethernet header.
  bump(br.stats, RX_BYTES, slotLen(s) - ETH_HLEN);
  tap(br, s, DIR_IN);
  etherInput(br, s);
}

/** Sends to every forwarding port except `from`; a copy goes up the stack when `local`. */
function bridgeFlood(br: Link, from: Link | null, s: i32, local: bool): void {
  const ports = br.ports;
  for (let i = 0; i < ports.length; i++) {
    const p = unchecked(ports[i]);
    // A hairpin port gets its own floods back, as should_deliver allows (a pod sees its ARP twice).
    if ((p == from && !p.hairpin) || !p.running()) continue;
    const c = slotClone(s);
    if (c < 0) {
      count(DROP_NO_BUFFER);
      continue;
    }
    if (journeyOn) journeyBridge(c, br, p, BR_FLOOD, ethDst(slotPtr(c)), null);
    devXmit(p, c);
  }
  if (journeyOn && local) journeyBridge(s, br, null, BR_FLOOD, ethDst(slotPtr(s)), null);
  if (local) bridgeLocalIn(br, s);
  else slotFree(s);
}

/** The host stack transmits on the bridge device. */
export function bridgeDevXmit(br: Link, s: i32): void {
  const dst = ethDst(slotPtr(s));
  if (!isMulticastMac(dst)) {
    const e = bridgeLookup(br, dst, false);
    if (e != null) {
      const out = e.port;
      if (!e.local && out != null) {
        if (journeyOn) journeyBridge(s, br, out, BR_FORWARD, dst, e);
        devXmit(out, s);
        return;
      }
    }
  }
  bridgeFlood(br, null, s, false);
}

