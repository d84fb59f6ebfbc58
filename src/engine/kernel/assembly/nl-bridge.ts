// Bridge membership.

import { Link, BrFdb, now, fdbChanged } from './state';
import { has } from './msg';

export function enslave(br: Link, port: Link): void {
  fdbChanged();
  port.master = br;
  port.portNo = br.nextPortNo++;
  br.ports.push(port);
  br.brFdb.set(port.mac, new BrFdb(port.mac, port, true, true, now));
  // An enslaved port no longer has its own addresses' routes in use, as in Linux it keeps
  // them; only the bridge's identity and MTU follow the ports.
  bridgeRecalcMac(br);
  bridgeAutoMtu(br);
}

export function releasePort(port: Link): void {
  fdbChanged();
  const br = port.master;
  if (br == null) return;
  const keys = br.brFdb.keys();
  for (let i = 0; i < keys.length; i++) {
    const e = br.brFdb.get(keys[i]);
    if (e.port == port) br.brFdb.delete(keys[i]);
  }
  const i = br.ports.indexOf(port);
  if (i >= 0) br.ports.splice(i, 1);
  port.master = null;
  port.portNo = 0;
  port.hairpin = false;
  bridgeRecalcMac(br);
  bridgeAutoMtu(br);
}

/** A bridge whose MAC was not set takes the smallest port MAC, like br_stp_recalculate_bridge_id. */
export function bridgeRecalcMac(br: Link): void {
  if (br.macSet || br.ports.length == 0) {
    bridgeSyncOwnEntry(br);
    return;
  }
  let best: u64 = 0xffffffffffffffff;
  for (let i = 0; i < br.ports.length; i++) if (br.ports[i].mac < best) best = br.ports[i].mac;
  br.mac = best;
  bridgeSyncOwnEntry(br);
}

export function bridgeAutoMtu(br: Link): void {
  if (br.mtuSet || br.ports.length == 0) return;
  let m = 65535;
  for (let i = 0; i < br.ports.length; i++) m = min(m, br.ports[i].mtu);
  br.mtu = m;
}

/** The bridge's own address is a local FDB entry unless a port already has that address. */
export function bridgeSyncOwnEntry(br: Link): void {
  fdbChanged();
  const keys = br.brFdb.keys();
  for (let i = 0; i < keys.length; i++) {
    const e = br.brFdb.get(keys[i]);
    if (e.local && e.port == null) br.brFdb.delete(keys[i]);
  }
  if (!br.brFdb.has(br.mac)) br.brFdb.set(br.mac, new BrFdb(br.mac, null, true, true, now));
}

