// The configuration side of the boundary: netlink-like requests for namespaces, links,
// addresses, routes, neighbours, the FDB and sysctls, plus socket management.

import * as A from './abi';
import {
  Link,
  Netns,
  Addr,
  Route,
  Neigh,
  BrFdb,
  VxFdb,
  Sock,
  namespaces,
  nsOrder,
  allLinks,
  sockets,
  randomMac,
  now,
  drops,
  addCaptures,
  neighKey,
  random32,
  fibChanged,
  fdbChanged,
} from './state';
import {
  has,
  u32a,
  i32a,
  stra,
  maca,
  ptra,
  lena,
  begin,
  end,
  wu32,
  wf64,
  wstr,
  wmac,
  wbytes,
  fail,
  resetOut,
} from './msg';
import { netmask, csum } from './bytes';
import { slotFree } from './pool';
import {
  neighLookup,
  neighCreate,
  neighConfirm,
  ipSendLocal,
  lastMtu,
  tunInput,
  neighTimers,
  reasmTimers,
} from './net';

import {
  EPERM,
  ENOENT,
  ESRCH,
  EIO,
  EBADF,
  EACCES,
  EBUSY,
  EEXIST,
  ENODEV,
  EINVAL,
  EMSGSIZE,
  EOPNOTSUPP,
  EADDRINUSE,
  EADDRNOTAVAIL,
  ENETDOWN,
  ENETUNREACH,
  EHOSTUNREACH,
} from './errno';
import {
  PROTO_UDP,
  UDP_HLEN,
  ICMP_HLEN,
  udpSetSource,
  udpSetDest,
  udpSetLen,
  udpSetCheck,
  icmpCheck,
  icmpSetCheck,
} from './headers';

// ---------------------------------------------------------------------------------------------
// Namespaces and links.

export function nsGet(): Netns | null {
  const name = stra(A.A_NS);
  return namespaces.has(name) ? namespaces.get(name) : null;
}

function newLink(ns: Netns, kind: i32, name: string): Link {
  const l = new Link(ns, kind);
  l.name = name;
  l.id = allLinks.length;
  allLinks.push(l);
  while (ns.byIndex.has(ns.nextIfindex)) ns.nextIfindex++;
  l.ifindex = ns.nextIfindex++;
  ns.links.push(l);
  ns.byIndex.set(l.ifindex, l);
  if (kind != A.KIND_LOOPBACK && kind != A.KIND_TUN) l.mac = randomMac();
  return l;
}

export function createNetns(name: string): Netns {
  const ns = new Netns(name);
  namespaces.set(name, ns);
  nsOrder.push(ns);
  const lo = newLink(ns, A.KIND_LOOPBACK, 'lo');
  ns.lo = lo;
  return ns;
}

function validName(name: string): bool {
  if (name.length == 0 || name.length > 15 || name == '.' || name == '..') return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c == 47 || c == 58 || c <= 32) return false; // '/', ':', whitespace
  }
  return true;
}

export function netnsAdd(): i32 {
  const name = stra(A.A_NS);
  if (!validName(name) && name.length > 0) return fail(EINVAL);
  if (namespaces.has(name)) return fail(EEXIST);
  createNetns(name);
  return 0;
}

export function netnsDel(): i32 {
  const name = stra(A.A_NS);
  if (name.length == 0) return fail(EPERM);
  if (!namespaces.has(name)) return fail(ENOENT);
  const ns = namespaces.get(name);
  while (ns.links.length > 0) deleteLink(ns.links[ns.links.length - 1]);
  for (let fd = 0; fd < sockets.length; fd++) {
    const s = sockets[fd];
    if (s != null && s.ns == ns) closeSock(s);
  }
  namespaces.delete(name);
  nsOrder.splice(nsOrder.indexOf(ns), 1);
  return 0;
}

export function netnsList(): i32 {
  resetOut();
  for (let i = 0; i < nsOrder.length; i++) {
    if (nsOrder[i].name.length == 0) continue;
    begin();
    wstr(A.A_NS, nsOrder[i].name);
    end();
  }
  return 0;
}

function kindFromName(k: string): i32 {
  if (k == 'ether') return A.KIND_ETHER;
  if (k == 'veth') return A.KIND_VETH;
  if (k == 'bridge') return A.KIND_BRIDGE;
  if (k == 'vxlan') return A.KIND_VXLAN;
  if (k == 'tun') return A.KIND_TUN;
  return -1;
}

export function linkAdd(): i32 {
  const ns = nsGet();
  if (ns == null) return fail(ENOENT, 'Invalid netns');
  const name = stra(A.A_NAME);
  const kind = kindFromName(stra(A.A_KIND));
  if (kind < 0) return fail(EOPNOTSUPP, 'Unknown device type');
  if (!validName(name)) return fail(EINVAL, 'Invalid interface name');
  if (ns.linkByName(name) != null) return fail(EEXIST);
  let vxDev: Link | null = null;
  if (kind == A.KIND_VXLAN) {
    if (!has(A.A_VNI)) return fail(EINVAL, 'Missing VXLAN ID');
    if (u32a(A.A_VNI) >= 1 << 24) return fail(ERANGE, 'VXLAN ID out of range');
    if (has(A.A_VX_DEV)) {
      vxDev = ns.link(i32a(A.A_VX_DEV));
      if (vxDev == null) return fail(ENODEV, 'Invalid local interface, device not found');
    }
  }
  let peer: Link | null = null;
  if (kind == A.KIND_VETH) {
    let peerNs = ns;
    if (has(A.A_PEER_NS)) {
      const pn = stra(A.A_PEER_NS);
      if (!namespaces.has(pn)) return fail(ENOENT, 'Invalid netns');
      peerNs = namespaces.get(pn);
    }
    const peerName = has(A.A_PEER_NAME) ? stra(A.A_PEER_NAME) : '';
    if (peerName.length > 0 && !validName(peerName)) return fail(EINVAL, 'Invalid interface name');
    if (peerName == name && peerNs == ns) return fail(EEXIST);
    if (peerName.length > 0 && peerNs.linkByName(peerName) != null) return fail(EEXIST);
    // Linux registers the peer first, so it takes the lower ifindex.
    peer = newLink(
      peerNs,
      A.KIND_VETH,
      peerName.length > 0 ? peerName : 'veth' + peerNs.nextIfindex.toString(),
    );
  }
  const l = newLink(ns, kind, name);
  if (peer != null) {
    l.peer = peer;
    peer.peer = l;
  }
  if (kind == A.KIND_VXLAN) {
    l.vni = u32a(A.A_VNI);
    l.vxLocal = u32a(A.A_VX_LOCAL);
    l.dstport = u32a(A.A_DSTPORT, 8472);
    l.learning = u32a(A.A_LEARNING, 1) != 0;
    l.vxAgeing = i32a(A.A_AGEING, 300);
    if (vxDev != null) {
      l.vxDev = vxDev.ifindex;
      l.mtu = vxDev.mtu - 50;
    }
  }
  if (has(A.A_MTU)) {
    const mtu = i32a(A.A_MTU);
    if (kind != A.KIND_LOOPBACK && (mtu < l.minMtu || mtu > l.maxMtu)) {
      deleteLink(l);
      return fail(
        EINVAL,
        mtu < l.minMtu ? 'mtu less than device minimum' : 'mtu greater than device maximum',
      );
    }
    l.mtu = mtu;
    l.mtuSet = true;
  }
  if (has(A.A_ADDRESS) && kind != A.KIND_TUN) {
    l.mac = maca(A.A_ADDRESS);
    l.macSet = true;
  }
  if (kind == A.KIND_BRIDGE) bridgeSyncOwnEntry(l);
  resetOut();
  begin();
  wu32(A.A_IFINDEX, <u32>l.ifindex);
  end();
  return 0;
}

const ERANGE = 34;

function linkFromReq(ns: Netns): Link | null {
  return ns.link(i32a(A.A_IFINDEX));
}

/** Removes everything that refers to link l from its namespace (addresses, routes, neighbours). */
function detachFromNs(l: Link): void {
  const ns = l.ns;
  for (let i = ns.addrs.length - 1; i >= 0; i--) {
    if (ns.addrs[i].link == l) ns.addrs.splice(i, 1);
  }
  removeRoutesOn(ns, l, true);
  flushNeigh(ns, l, true);
  if (l.master != null) releasePort(l);
  if (l.kind == A.KIND_BRIDGE) {
    while (l.ports.length > 0) releasePort(l.ports[l.ports.length - 1]);
  }
  const idx = ns.links.indexOf(l);
  if (idx >= 0) ns.links.splice(idx, 1);
  ns.byIndex.delete(l.ifindex);
}

function deleteLink(l: Link): void {
  detachFromNs(l);
  allLinks[l.id] = null;
  if (l.tunFd >= 0 && l.tunFd < sockets.length) {
    const s = sockets[l.tunFd];
    if (s != null) s.link = null;
    l.tunFd = -1;
  }
  const p = l.peer;
  if (p != null) {
    l.peer = null;
    p.peer = null;
    deleteLink(p);
  }
}

export function linkDel(): i32 {
  const ns = nsGet();
  if (ns == null) return fail(ENOENT);
  const l = linkFromReq(ns);
  if (l == null) return fail(ENODEV, 'Cannot find device');
  if (l.kind == A.KIND_LOOPBACK) return fail(EOPNOTSUPP);
  deleteLink(l);
  return 0;
}

function setUp(l: Link, up: bool): void {
  if (l.up == up) return;
  const ns = l.ns;
  l.up = up;
  fibChanged();
  if (up) {
    if (l.kind == A.KIND_LOOPBACK && !hasAddrOn(ns, l)) {
      addAddress(ns, l, 0x7f000001, 8, 0, A.SCOPE_HOST, 'lo');
    }
    for (let i = 0; i < ns.addrs.length; i++) {
      const a = ns.addrs[i];
      if (a.link == l) addrPrefixRoutes(ns, a, true);
    }
  } else {
    removeRoutesOn(ns, l, false);
    flushNeigh(ns, l, false);
  }
}

function hasAddrOn(ns: Netns, l: Link): bool {
  for (let i = 0; i < ns.addrs.length; i++) if (ns.addrs[i].link == l) return true;
  return false;
}

export function linkSet(): i32 {
  const ns = nsGet();
  if (ns == null) return fail(ENOENT);
  const l = linkFromReq(ns);
  if (l == null) return fail(ENODEV, 'Cannot find device');
  if (has(A.A_NAME)) {
    const name = stra(A.A_NAME);
    if (name != l.name) {
      if (!validName(name)) return fail(EINVAL, 'Invalid interface name');
      if (ns.linkByName(name) != null) return fail(EEXIST);
      if (l.up) return fail(EBUSY);
      l.name = name;
    }
  }
  if (has(A.A_MTU)) {
    const mtu = i32a(A.A_MTU);
    if (l.kind != A.KIND_LOOPBACK || mtu < 68) {
      if (mtu < l.minMtu) return fail(EINVAL, 'mtu less than device minimum');
      if (mtu > l.maxMtu) return fail(EINVAL, 'mtu greater than device maximum');
    }
    l.mtu = mtu;
    l.mtuSet = true;
    const br = l.master;
    if (br != null) bridgeAutoMtu(br);
  }
  if (has(A.A_ADDRESS)) {
    if (l.kind == A.KIND_TUN || l.kind == A.KIND_LOOPBACK) return fail(EOPNOTSUPP);
    const mac = maca(A.A_ADDRESS);
    if ((mac >> 40) & 1) return fail(EADDRNOTAVAIL);
    const br = l.master;
    if (br != null && br.brFdb.has(l.mac)) {
      const e = br.brFdb.get(l.mac);
      if (e.local && e.port == l) br.brFdb.delete(l.mac);
    }
    l.mac = mac;
    l.macSet = true;
    if (br != null) {
      br.brFdb.set(mac, new BrFdb(mac, l, true, true, now));
      bridgeRecalcMac(br);
    }
    if (l.kind == A.KIND_BRIDGE) bridgeSyncOwnEntry(l);
  }
  if (has(A.A_MASTER)) {
    const m = i32a(A.A_MASTER);
    if (m == 0) {
      if (l.master != null) releasePort(l);
    } else {
      const br = ns.link(m);
      if (br == null) return fail(ENODEV, 'Cannot find device');
      if (
        br.kind != A.KIND_BRIDGE ||
        br == l ||
        l.kind == A.KIND_LOOPBACK ||
        l.kind == A.KIND_BRIDGE
      ) {
        return fail(EOPNOTSUPP);
      }
      const cur = l.master;
      if (cur != br) {
        if (cur != null) releasePort(l);
        enslave(br, l);
      }
    }
  }
  if (has(A.A_NETNS)) {
    const target = stra(A.A_NETNS);
    if (!namespaces.has(target)) return fail(ENOENT, 'Invalid netns');
    const tns = namespaces.get(target);
    if (tns != ns) {
      if (l.kind == A.KIND_LOOPBACK) return fail(EINVAL);
      if (tns.linkByName(l.name) != null) return fail(EEXIST);
      setUp(l, false);
      detachFromNs(l);
      l.ns = tns;
      if (tns.byIndex.has(l.ifindex)) {
        while (tns.byIndex.has(tns.nextIfindex)) tns.nextIfindex++;
        l.ifindex = tns.nextIfindex++;
      }
      tns.byIndex.set(l.ifindex, l);
      let at = tns.links.length;
      for (let i = 0; i < tns.links.length; i++) {
        if (tns.links[i].ifindex > l.ifindex) {
          at = i;
          break;
        }
      }
      tns.links.splice(at, 0);
      tns.links.push(l);
      for (let i = tns.links.length - 1; i > at; i--) tns.links[i] = tns.links[i - 1];
      tns.links[at] = l;
      return 0;
    }
  }
  if (has(A.A_UP)) {
    if (u32a(A.A_UP) != 0 && l.kind == A.KIND_VXLAN && l.vxDev != 0 && ns.link(l.vxDev) == null) {
      return fail(ENODEV);
    }
    setUp(l, u32a(A.A_UP) != 0);
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Bridge membership.

function enslave(br: Link, port: Link): void {
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

function releasePort(port: Link): void {
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
  bridgeRecalcMac(br);
  bridgeAutoMtu(br);
}

/** A bridge whose MAC was not set takes the smallest port MAC, like br_stp_recalculate_bridge_id. */
function bridgeRecalcMac(br: Link): void {
  if (br.macSet || br.ports.length == 0) {
    bridgeSyncOwnEntry(br);
    return;
  }
  let best: u64 = 0xffffffffffffffff;
  for (let i = 0; i < br.ports.length; i++) if (br.ports[i].mac < best) best = br.ports[i].mac;
  br.mac = best;
  bridgeSyncOwnEntry(br);
}

function bridgeAutoMtu(br: Link): void {
  if (br.mtuSet || br.ports.length == 0) return;
  let m = 65535;
  for (let i = 0; i < br.ports.length; i++) m = min(m, br.ports[i].mtu);
  br.mtu = m;
}

/** The bridge's own address is a local FDB entry unless a port already has that address. */
function bridgeSyncOwnEntry(br: Link): void {
  fdbChanged();
  const keys = br.brFdb.keys();
  for (let i = 0; i < keys.length; i++) {
    const e = br.brFdb.get(keys[i]);
    if (e.local && e.port == null) br.brFdb.delete(keys[i]);
  }
  if (!br.brFdb.has(br.mac)) br.brFdb.set(br.mac, new BrFdb(br.mac, null, true, true, now));
}

// ---------------------------------------------------------------------------------------------
// Link dump.

function operstate(l: Link): u32 {
  if (!l.up) return A.OPER_DOWN;
  const k = l.kind;
  if (k == A.KIND_LOOPBACK || k == A.KIND_VXLAN) return A.OPER_UNKNOWN;
  if (k == A.KIND_TUN) return l.tunFd >= 0 ? A.OPER_UNKNOWN : A.OPER_DOWN;
  if (k == A.KIND_BRIDGE)
    return l.ports.length == 0 ? A.OPER_UNKNOWN : l.carrier() ? A.OPER_UP : A.OPER_DOWN;
  if (k == A.KIND_VETH) return l.carrier() ? A.OPER_UP : A.OPER_LOWERLAYERDOWN;
  return A.OPER_UP;
}

function linkFlags(l: Link): u32 {
  let f: u32 = 0;
  const k = l.kind;
  if (k == A.KIND_LOOPBACK) f |= 0x8;
  else if (k == A.KIND_TUN) f |= 0x10 | 0x1000 | 0x80;
  else f |= 0x2 | 0x1000;
  if (l.up) f |= 0x1;
  if (l.up && l.carrier()) f |= 0x10000;
  return f;
}

function kindName(k: i32): string {
  if (k == A.KIND_LOOPBACK) return 'loopback';
  if (k == A.KIND_ETHER) return 'ether';
  if (k == A.KIND_VETH) return 'veth';
  if (k == A.KIND_BRIDGE) return 'bridge';
  if (k == A.KIND_VXLAN) return 'vxlan';
  return 'tun';
}

function writeLink(l: Link): void {
  begin();
  wu32(A.A_IFINDEX, <u32>l.ifindex);
  wstr(A.A_NAME, l.name);
  wstr(A.A_KIND, kindName(l.kind));
  wu32(A.A_FLAGS, linkFlags(l));
  wu32(A.A_MTU, <u32>l.mtu);
  wu32(A.A_MINMTU, <u32>l.minMtu);
  wu32(A.A_MAXMTU, <u32>l.maxMtu);
  wu32(A.A_OPERSTATE, operstate(l));
  wu32(A.A_TXQLEN, <u32>l.txqlen);
  if (l.kind != A.KIND_TUN) {
    wmac(A.A_ADDRESS, l.mac);
    wmac(A.A_BROADCAST, l.kind == A.KIND_LOOPBACK ? 0 : 0xffffffffffff);
  }
  const m = l.master;
  if (m != null) {
    wu32(A.A_MASTER, <u32>m.ifindex);
    wu32(A.A_PORTNO, <u32>l.portNo);
  }
  const p = l.peer;
  if (p != null) {
    wu32(A.A_PEER_IFINDEX, <u32>p.ifindex);
    if (p.ns != l.ns) wstr(A.A_PEER_NS, p.ns.name);
  }
  wu32(A.A_PROMISC, m != null ? 1 : 0);
  wu32(A.A_ALLMULTI, m != null ? 1 : 0);
  if (l.kind == A.KIND_VXLAN) {
    wu32(A.A_VNI, l.vni);
    if (l.vxLocal != 0) wu32(A.A_VX_LOCAL, l.vxLocal);
    if (l.vxDev != 0) wu32(A.A_VX_DEV, <u32>l.vxDev);
    wu32(A.A_DSTPORT, l.dstport);
    wu32(A.A_LEARNING, l.learning ? 1 : 0);
    wu32(A.A_AGEING, <u32>l.vxAgeing);
  }
  if (l.kind == A.KIND_BRIDGE) wu32(A.A_BR_AGEING, <u32>l.brAgeing);
  wbytes(A.A_STATS, changetype<usize>(l.stats), 96);
  end();
}

export function linkGet(): i32 {
  const ns = nsGet();
  if (ns == null) return fail(ENOENT);
  let l: Link | null = null;
  if (has(A.A_NAME)) l = ns.linkByName(stra(A.A_NAME));
  else l = linkFromReq(ns);
  if (l == null) return fail(ENODEV, 'Cannot find device');
  resetOut();
  writeLink(l);
  return 0;
}

export function linkDump(): i32 {
  const ns = nsGet();
  if (ns == null) return fail(ENOENT);
  resetOut();
  const sorted = ns.links.slice(0);
  sorted.sort((a: Link, b: Link): i32 => a.ifindex - b.ifindex);
  for (let i = 0; i < sorted.length; i++) writeLink(sorted[i]);
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Addresses and the routes they imply.

function addRouteRaw(
  ns: Netns,
  table: i32,
  type: i32,
  dst: u32,
  len: i32,
  dev: Link,
  scope: i32,
  prefsrc: u32,
): void {
  const t = table == A.TABLE_LOCAL ? ns.local : ns.main;
  const ex = t.exact(dst, len);
  for (let i = 0; i < ex.length; i++)
    if (ex[i].dev == dev && ex[i].type == type && ex[i].metric == 0) return;
  const r = new Route();
  r.table = table;
  r.type = type;
  r.dst = dst;
  r.len = len;
  r.dev = dev;
  r.scope = scope;
  r.proto = A.PROTO_KERNEL;
  r.prefsrc = prefsrc;
  t.insert(r, true);
}

function delRouteRaw(ns: Netns, table: i32, type: i32, dst: u32, len: i32, dev: Link): void {
  const t = table == A.TABLE_LOCAL ? ns.local : ns.main;
  const ex = t.exact(dst, len);
  for (let i = 0; i < ex.length; i++) {
    const r = ex[i];
    if (r.dev == dev && r.type == type && r.proto == A.PROTO_KERNEL) {
      t.remove(r);
      return;
    }
  }
}

/** Whether another address on the link already covers a's prefix (a is then "secondary"). */
function isSecondary(ns: Netns, a: Addr): bool {
  const m = netmask(a.prefixlen);
  for (let i = 0; i < ns.addrs.length; i++) {
    const o = ns.addrs[i];
    if (o == a) break;
    if (o.link == a.link && o.prefixlen == a.prefixlen && (o.local & m) == (a.local & m))
      return true;
  }
  return false;
}

/** The prefix and broadcast routes of an address (only while the link is up). */
function addrPrefixRoutes(ns: Netns, a: Addr, add: bool): void {
  const l = a.link;
  if (a.prefixlen >= 32 || isSecondary(ns, a)) {
    if (a.broadcast != 0 && a.broadcast != 0xffffffff) {
      if (add)
        addRouteRaw(ns, A.TABLE_LOCAL, A.RTN_BROADCAST, a.broadcast, 32, l, A.SCOPE_LINK, a.local);
      else delRouteRaw(ns, A.TABLE_LOCAL, A.RTN_BROADCAST, a.broadcast, 32, l);
    }
    return;
  }
  const m = netmask(a.prefixlen);
  const prefix = a.local & m;
  if (l.kind == A.KIND_LOOPBACK) {
    if (add)
      addRouteRaw(ns, A.TABLE_LOCAL, A.RTN_LOCAL, prefix, a.prefixlen, l, A.SCOPE_HOST, a.local);
    else delRouteRaw(ns, A.TABLE_LOCAL, A.RTN_LOCAL, prefix, a.prefixlen, l);
  } else {
    if (add)
      addRouteRaw(ns, A.TABLE_MAIN, A.RTN_UNICAST, prefix, a.prefixlen, l, A.SCOPE_LINK, a.local);
    else delRouteRaw(ns, A.TABLE_MAIN, A.RTN_UNICAST, prefix, a.prefixlen, l);
  }
  const bcasts = new Array<u32>();
  if (a.prefixlen < 31) bcasts.push(prefix | ~m);
  if (a.broadcast != 0 && a.broadcast != 0xffffffff && a.broadcast != (prefix | ~m))
    bcasts.push(a.broadcast);
  for (let i = 0; i < bcasts.length; i++) {
    if (add)
      addRouteRaw(ns, A.TABLE_LOCAL, A.RTN_BROADCAST, bcasts[i], 32, l, A.SCOPE_LINK, a.local);
    else delRouteRaw(ns, A.TABLE_LOCAL, A.RTN_BROADCAST, bcasts[i], 32, l);
  }
}

function addAddress(
  ns: Netns,
  l: Link,
  local: u32,
  len: i32,
  brd: u32,
  scope: i32,
  label: string,
): Addr {
  const a = new Addr(l, local, len, brd, scope, label);
  ns.addrs.push(a);
  addRouteRaw(ns, A.TABLE_LOCAL, A.RTN_LOCAL, local, 32, l, A.SCOPE_HOST, local);
  if (l.up) addrPrefixRoutes(ns, a, true);
  return a;
}

function scopeFromAttr(dflt: i32): i32 {
  return has(A.A_SCOPE) ? i32a(A.A_SCOPE) : dflt;
}

export function addrAdd(): i32 {
  const ns = nsGet();
  if (ns == null) return fail(ENOENT);
  const l = linkFromReq(ns);
  if (l == null) return fail(ENODEV, 'Cannot find device');
  const local = u32a(A.A_LOCAL);
  const len = i32a(A.A_PREFIXLEN, 32);
  if (len < 0 || len > 32) return fail(EINVAL, 'Invalid prefix length');
  for (let i = 0; i < ns.addrs.length; i++) {
    const o = ns.addrs[i];
    if (o.link == l && o.local == local && o.prefixlen == len) return fail(EEXIST);
  }
  const dfltScope = local >> 24 == 127 ? A.SCOPE_HOST : A.SCOPE_GLOBAL;
  addAddress(
    ns,
    l,
    local,
    len,
    has(A.A_BROADCAST) ? u32a(A.A_BROADCAST) : 0,
    scopeFromAttr(dfltScope),
    l.name,
  );
  return 0;
}

export function addrDel(): i32 {
  const ns = nsGet();
  if (ns == null) return fail(ENOENT);
  const l = linkFromReq(ns);
  if (l == null) return fail(ENODEV, 'Cannot find device');
  const local = u32a(A.A_LOCAL);
  const len = has(A.A_PREFIXLEN) ? i32a(A.A_PREFIXLEN) : -1;
  for (let i = 0; i < ns.addrs.length; i++) {
    const a = ns.addrs[i];
    if (a.link != l || a.local != local || (len >= 0 && a.prefixlen != len)) continue;
    if (l.up) addrPrefixRoutes(ns, a, false);
    ns.addrs.splice(i, 1);
    let shared = false;
    for (let j = 0; j < ns.addrs.length; j++) if (ns.addrs[j].local == local) shared = true;
    if (!shared) delRouteRaw(ns, A.TABLE_LOCAL, A.RTN_LOCAL, local, 32, l);
    // A secondary on the same prefix takes over the prefix routes.
    if (l.up) {
      for (let j = 0; j < ns.addrs.length; j++)
        if (ns.addrs[j].link == l) addrPrefixRoutes(ns, ns.addrs[j], true);
    }
    return 0;
  }
  return fail(EADDRNOTAVAIL);
}

export function addrDump(): i32 {
  const ns = nsGet();
  if (ns == null) return fail(ENOENT);
  resetOut();
  const links = ns.links.slice(0);
  links.sort((a: Link, b: Link): i32 => a.ifindex - b.ifindex);
  for (let i = 0; i < links.length; i++) {
    for (let j = 0; j < ns.addrs.length; j++) {
      const a = ns.addrs[j];
      if (a.link != links[i]) continue;
      begin();
      wu32(A.A_IFINDEX, <u32>a.link.ifindex);
      wu32(A.A_LOCAL, a.local);
      wu32(A.A_PREFIXLEN, <u32>a.prefixlen);
      if (a.broadcast != 0) wu32(A.A_BROADCAST, a.broadcast);
      wu32(A.A_SCOPE, <u32>a.scope);
      wstr(A.A_LABEL, a.label);
      end();
    }
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Routes.

function removeRoutesOn(ns: Netns, l: Link, all: bool): void {
  const tables = [ns.main, ns.local];
  for (let t = 0; t < 2; t++) {
    const rs = tables[t].all();
    for (let i = 0; i < rs.length; i++) {
      const r = rs[i];
      if (r.dev != l) continue;
      // Taking a link down keeps the routes of its own addresses to themselves.
      if (!all && r.type == A.RTN_LOCAL && r.len == 32 && r.table == A.TABLE_LOCAL) continue;
      tables[t].remove(r);
    }
  }
}

function flushNeigh(ns: Netns, l: Link, all: bool): void {
  for (let i = ns.neighList.length - 1; i >= 0; i--) {
    const n = ns.neighList[i];
    if (n.link != l) continue;
    if (!all && (n.state == A.NUD_PERMANENT || n.state == A.NUD_NOARP)) continue;
    while (n.queue.length > 0) slotFree(n.queue.shift());
    ns.neighList.splice(i, 1);
    ns.neighs.delete(neighKey(l.ifindex, n.ip));
    n.dead = true;
  }
}

/** Whether gw is reachable directly (a link-scope route without a gateway), as fib_check_nh. */
function gatewayLink(ns: Netns, gw: u32, oif: i32): Link | null {
  const r = ns.main.lookup(gw);
  if (r == null || r.gw != 0 || r.type != A.RTN_UNICAST) return null;
  const d = r.dev;
  if (d == null) return null;
  if (oif != 0 && d.ifindex != oif) return null;
  return d;
}

export function routeAdd(flags: u32): i32 {
  const ns = nsGet();
  if (ns == null) return fail(ENOENT);
  const table = i32a(A.A_TABLE, A.TABLE_MAIN) == A.TABLE_LOCAL ? A.TABLE_LOCAL : A.TABLE_MAIN;
  const type = i32a(A.A_TYPE, A.RTN_UNICAST);
  const dst = u32a(A.A_DST);
  const len = i32a(A.A_DSTLEN);
  if (len < 0 || len > 32) return fail(EINVAL, 'Invalid prefix length');
  if ((dst & ~netmask(len)) != 0) return fail(EINVAL, 'Invalid prefix for given prefix length');
  const gw = u32a(A.A_GATEWAY);
  const oif = i32a(A.A_OIF);
  const onlink = u32a(A.A_ONLINK) != 0;
  let dev: Link | null = null;
  if (oif != 0) {
    dev = ns.link(oif);
    if (dev == null) return fail(ENODEV, 'Device not found');
  }
  const special = type == A.RTN_UNREACHABLE || type == A.RTN_BLACKHOLE || type == A.RTN_PROHIBIT;
  if (!special) {
    if (gw != 0) {
      if (ns.isLocalAddr(gw) && !onlink) return fail(EINVAL, 'Nexthop has invalid gateway');
      if (onlink) {
        if (dev == null) return fail(EINVAL, 'Nexthop device required for onlink');
        if (!dev.up) return fail(ENETDOWN, 'Nexthop device is not up');
      } else {
        const via = gatewayLink(ns, gw, oif);
        if (via == null) return fail(EINVAL, 'Nexthop has invalid gateway');
        dev = via;
      }
    } else {
      if (dev == null) return fail(ENODEV, 'Device for nexthop is not up');
      if (!dev.up) return fail(ENETDOWN, 'Nexthop device is not up');
    }
  }
  const prefsrc = u32a(A.A_PREFSRC);
  if (prefsrc != 0 && !ns.isLocalAddr(prefsrc)) return fail(EINVAL, 'Invalid prefsrc address');
  const metric = u32a(A.A_METRIC);
  const r = new Route();
  r.table = table;
  r.type = type;
  r.dst = dst;
  r.len = len;
  r.gw = gw;
  r.dev = special ? null : dev;
  r.onlink = onlink;
  r.scope = scopeFromAttr(
    gw != 0 || special ? A.SCOPE_GLOBAL : type == A.RTN_LOCAL ? A.SCOPE_HOST : A.SCOPE_LINK,
  );
  r.proto = i32a(A.A_PROTO, A.PROTO_BOOT);
  r.prefsrc = prefsrc;
  r.metric = metric;
  const t = table == A.TABLE_LOCAL ? ns.local : ns.main;
  const ex = t.exact(dst, len);
  for (let i = 0; i < ex.length; i++) {
    const o = ex[i];
    if (o.metric != metric) continue;
    if ((flags & A.NLM_F_REPLACE) != 0) {
      t.remove(o);
      t.insert(r, false);
      return 0;
    }
    if ((flags & A.NLM_F_APPEND) != 0) {
      if (o.gw == r.gw && o.dev == r.dev && o.type == r.type) return fail(EEXIST);
      continue;
    }
    return fail(EEXIST);
  }
  t.insert(r, (flags & A.NLM_F_APPEND) != 0);
  return 0;
}

export function routeDel(): i32 {
  const ns = nsGet();
  if (ns == null) return fail(ENOENT);
  const table = i32a(A.A_TABLE, A.TABLE_MAIN) == A.TABLE_LOCAL ? ns.local : ns.main;
  const dst = u32a(A.A_DST);
  const len = i32a(A.A_DSTLEN);
  if (len < 0 || len > 32) return fail(EINVAL);
  const ex = table.exact(dst, len);
  for (let i = 0; i < ex.length; i++) {
    const r = ex[i];
    if (has(A.A_GATEWAY) && r.gw != u32a(A.A_GATEWAY)) continue;
    if (has(A.A_OIF)) {
      const d = r.dev;
      if (d == null || d.ifindex != i32a(A.A_OIF)) continue;
    }
    if (has(A.A_METRIC) && r.metric != u32a(A.A_METRIC)) continue;
    if (has(A.A_TYPE) && r.type != i32a(A.A_TYPE)) continue;
    if (has(A.A_PROTO) && r.proto != i32a(A.A_PROTO)) continue;
    if (has(A.A_SCOPE) && r.scope != i32a(A.A_SCOPE)) continue;
    table.remove(r);
    return 0;
  }
  return fail(ESRCH);
}

function routeOrder(a: Route, b: Route): i32 {
  if (a.dst != b.dst) return a.dst < b.dst ? -1 : 1;
  if (a.len != b.len) return b.len - a.len;
  return a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : 0;
}

function writeRoute(r: Route): void {
  begin();
  wu32(A.A_TABLE, <u32>r.table);
  wu32(A.A_TYPE, <u32>r.type);
  wu32(A.A_DST, r.dst);
  wu32(A.A_DSTLEN, <u32>r.len);
  if (r.gw != 0) wu32(A.A_GATEWAY, r.gw);
  const d = r.dev;
  if (d != null) wu32(A.A_OIF, <u32>d.ifindex);
  wu32(A.A_ONLINK, r.onlink ? 1 : 0);
  wu32(A.A_SCOPE, <u32>r.scope);
  wu32(A.A_PROTO, <u32>r.proto);
  if (r.prefsrc != 0) wu32(A.A_PREFSRC, r.prefsrc);
  if (r.metric != 0) wu32(A.A_METRIC, r.metric);
  end();
}

export function routeDump(): i32 {
  const ns = nsGet();
  if (ns == null) return fail(ENOENT);
  const which = i32a(A.A_TABLE_FILTER, A.TABLE_MAIN);
  resetOut();
  if (which == A.TABLE_MAIN || which == A.TABLE_ALL) {
    const rs = ns.main.all();
    rs.sort(routeOrder);
    for (let i = 0; i < rs.length; i++) writeRoute(rs[i]);
  }
  if (which == A.TABLE_LOCAL || which == A.TABLE_ALL) {
    const rs = ns.local.all();
    rs.sort(routeOrder);
    for (let i = 0; i < rs.length; i++) writeRoute(rs[i]);
  }
  return 0;
}

export function routeGet(): i32 {
  const ns = nsGet();
  if (ns == null) return fail(ENOENT);
  const dst = u32a(A.A_DST);
  const r = ns.lookup(dst);
  if (r == null) return fail(ENETUNREACH);
  if (r.type == A.RTN_UNREACHABLE) return fail(EHOSTUNREACH);
  if (r.type == A.RTN_PROHIBIT) return fail(EACCES);
  if (r.type == A.RTN_BLACKHOLE) return fail(EINVAL);
  resetOut();
  begin();
  wu32(A.A_TYPE, <u32>r.type);
  wu32(A.A_DST, dst);
  if (r.gw != 0) wu32(A.A_GATEWAY, r.gw);
  let dev = r.dev;
  if (r.type == A.RTN_LOCAL) dev = ns.lo;
  wu32(A.A_OIF, dev != null ? <u32>dev.ifindex : 0);
  const src = has(A.A_SRC) ? u32a(A.A_SRC) : r.type == A.RTN_LOCAL ? dst : ns.routeSrc(r);
  wu32(A.A_PREFSRC, src);
  end();
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Neighbours.

export function neighAdd(flags: u32): i32 {
  const ns = nsGet();
  if (ns == null) return fail(ENOENT);
  const l = linkFromReq(ns);
  if (l == null) return fail(ENODEV, 'Cannot find device');
  const ip = u32a(A.A_DST);
  const state = i32a(A.A_STATE, A.NUD_PERMANENT);
  if (!has(A.A_LLADDR) && state != A.NUD_NOARP && l.isArpDevice()) {
    return fail(EINVAL);
  }
  const mac = maca(A.A_LLADDR);
  let n = neighLookup(ns, l, ip);
  if (n != null && (flags & A.NLM_F_REPLACE) == 0) return fail(EEXIST);
  if (n == null) n = neighCreate(ns, l, ip);
  neighConfirm(n, mac, state);
  return 0;
}

export function neighDel(): i32 {
  const ns = nsGet();
  if (ns == null) return fail(ENOENT);
  const l = linkFromReq(ns);
  if (l == null) return fail(ENODEV, 'Cannot find device');
  const ip = u32a(A.A_DST);
  const n = neighLookup(ns, l, ip);
  if (n == null) return fail(ENOENT);
  while (n.queue.length > 0) slotFree(n.queue.shift());
  ns.neighs.delete(neighKey(l.ifindex, ip));
  n.dead = true;
  ns.neighList.splice(ns.neighList.indexOf(n), 1);
  return 0;
}

export function neighDump(): i32 {
  const ns = nsGet();
  if (ns == null) return fail(ENOENT);
  resetOut();
  for (let i = ns.neighList.length - 1; i >= 0; i--) {
    const n = ns.neighList[i];
    if (n.state == A.NUD_NONE) continue;
    begin();
    wu32(A.A_IFINDEX, <u32>n.link.ifindex);
    wu32(A.A_DST, n.ip);
    if (n.state != A.NUD_INCOMPLETE && n.state != A.NUD_FAILED && n.link.isArpDevice())
      wmac(A.A_LLADDR, n.mac);
    wu32(A.A_STATE, <u32>n.state);
    end();
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Forwarding database.

export function fdbAdd(flags: u32): i32 {
  fdbChanged();
  const ns = nsGet();
  if (ns == null) return fail(ENOENT);
  const l = linkFromReq(ns);
  if (l == null) return fail(ENODEV, 'Cannot find device');
  const mac = maca(A.A_LLADDR);
  const state = i32a(A.A_STATE, A.FDB_PERMANENT);
  if (u32a(A.A_SELF, 1) == 0) {
    const br = l.master;
    if (br == null) return fail(EINVAL, 'Device is not a bridge port');
    if (br.brFdb.has(mac) && (flags & A.NLM_F_REPLACE) == 0) return fail(EEXIST);
    br.brFdb.set(mac, new BrFdb(mac, l, state == A.FDB_PERMANENT, state != A.FDB_REACHABLE, now));
    return 0;
  }
  if (l.kind != A.KIND_VXLAN) return fail(EOPNOTSUPP);
  if (!has(A.A_DST)) return fail(EINVAL, 'Destination IP address required');
  const dst = u32a(A.A_DST);
  if (l.vxFdb.has(mac)) {
    const e = l.vxFdb.get(mac);
    if ((flags & A.NLM_F_REPLACE) != 0) {
      e.dsts = [dst];
      e.state = state;
      return 0;
    }
    if ((flags & A.NLM_F_APPEND) != 0 && e.dsts.indexOf(dst) < 0) {
      e.dsts.push(dst);
      return 0;
    }
    return fail(EEXIST);
  }
  const e = new VxFdb(mac, state, now);
  e.dsts.push(dst);
  l.vxFdb.set(mac, e);
  l.vxFdbList.push(e);
  return 0;
}

export function fdbDel(): i32 {
  fdbChanged();
  const ns = nsGet();
  if (ns == null) return fail(ENOENT);
  const l = linkFromReq(ns);
  if (l == null) return fail(ENODEV, 'Cannot find device');
  const mac = maca(A.A_LLADDR);
  if (u32a(A.A_SELF, 1) == 0) {
    const br = l.master;
    if (br == null || !br.brFdb.has(mac)) return fail(ENOENT);
    br.brFdb.delete(mac);
    return 0;
  }
  if (l.kind != A.KIND_VXLAN || !l.vxFdb.has(mac)) return fail(ENOENT);
  const e = l.vxFdb.get(mac);
  if (has(A.A_DST)) {
    const i = e.dsts.indexOf(u32a(A.A_DST));
    if (i < 0) return fail(ENOENT);
    e.dsts.splice(i, 1);
    if (e.dsts.length > 0) return 0;
  }
  l.vxFdb.delete(mac);
  l.vxFdbList.splice(l.vxFdbList.indexOf(e), 1);
  return 0;
}

function writeFdb(
  ifindex: i32,
  mac: u64,
  dst: u32,
  master: i32,
  self: bool,
  state: i32,
  ageing: f64,
): void {
  begin();
  wu32(A.A_IFINDEX, <u32>ifindex);
  wmac(A.A_LLADDR, mac);
  if (dst != 0) wu32(A.A_DST, dst);
  if (master != 0) wu32(A.A_MASTER, <u32>master);
  wu32(A.A_SELF, self ? 1 : 0);
  wu32(A.A_STATE, <u32>state);
  if (ageing >= 0) wf64(A.A_AGEING, ageing);
  end();
}

function writeBridgeEntries(br: Link, port: Link | null): void {
  const vals = br.brFdb.values();
  for (let pass = 0; pass < 2; pass++) {
    for (let i = 0; i < vals.length; i++) {
      const e = vals[i];
      if (e.port != port || e.local != (pass == 0)) continue;
      const state = e.local ? A.FDB_PERMANENT : e.isStatic ? A.FDB_STATIC : A.FDB_REACHABLE;
      const ifx = port != null ? port.ifindex : br.ifindex;
      writeFdb(
        ifx,
        e.mac,
        0,
        br.ifindex,
        false,
        state,
        e.local || e.isStatic ? -1 : (now - e.updated) / 1000,
      );
    }
  }
}

export function fdbDump(): i32 {
  const ns = nsGet();
  if (ns == null) return fail(ENOENT);
  resetOut();
  const links = ns.links.slice(0);
  links.sort((a: Link, b: Link): i32 => a.ifindex - b.ifindex);
  for (let i = 0; i < links.length; i++) {
    const l = links[i];
    const br = l.master;
    if (br != null) writeBridgeEntries(br, l);
    if (l.kind == A.KIND_BRIDGE) {
      writeBridgeEntries(l, null);
      writeFdb(l.ifindex, 0x333300000001, 0, 0, true, A.FDB_PERMANENT, -1);
      writeFdb(l.ifindex, 0x01005e00006a, 0, 0, true, A.FDB_PERMANENT, -1);
      writeFdb(l.ifindex, 0x33330000006a, 0, 0, true, A.FDB_PERMANENT, -1);
      writeFdb(l.ifindex, 0x01005e000001, 0, 0, true, A.FDB_PERMANENT, -1);
    } else if (l.kind == A.KIND_ETHER || l.kind == A.KIND_VETH) {
      writeFdb(l.ifindex, 0x333300000001, 0, 0, true, A.FDB_PERMANENT, -1);
      writeFdb(l.ifindex, 0x01005e000001, 0, 0, true, A.FDB_PERMANENT, -1);
    } else if (l.kind == A.KIND_VXLAN) {
      // Newest first: the order the golden `bridge fdb show` shows (Linux walks a hash table).
      for (let j = l.vxFdbList.length - 1; j >= 0; j--) {
        const e = l.vxFdbList[j];
        for (let k = 0; k < e.dsts.length; k++) {
          writeFdb(
            l.ifindex,
            e.mac,
            e.dsts[k],
            0,
            true,
            e.state,
            e.state == A.FDB_REACHABLE ? (now - e.updated) / 1000 : -1,
          );
        }
      }
    }
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// sysctl.

// The boolean sysctls the lab's programs read: forwarding, and br_netfilter's bridge hooks
// (a Kubernetes node loads br_netfilter; flanneld refuses to start without it).
const SYSCTL_FORWARD: i32 = 1;
const SYSCTL_BRIDGE_NF_IPTABLES: i32 = 2;
const SYSCTL_BRIDGE_NF_IP6TABLES: i32 = 3;

function sysctlId(key: string): i32 {
  if (key == 'net.ipv4.ip_forward' || key == 'net.ipv4.conf.all.forwarding') return SYSCTL_FORWARD;
  if (key == 'net.bridge.bridge-nf-call-iptables') return SYSCTL_BRIDGE_NF_IPTABLES;
  if (key == 'net.bridge.bridge-nf-call-ip6tables') return SYSCTL_BRIDGE_NF_IP6TABLES;
  return 0;
}

function sysctlValue(ns: Netns, id: i32): bool {
  if (id == SYSCTL_FORWARD) return ns.forward;
  if (id == SYSCTL_BRIDGE_NF_IPTABLES) return ns.bridgeNfIptables;
  return ns.bridgeNfIp6tables;
}

export function sysctlGet(): i32 {
  const ns = nsGet();
  if (ns == null) return fail(ENOENT);
  const id = sysctlId(stra(A.A_KEY));
  if (id == 0) return fail(ENOENT);
  resetOut();
  begin();
  wstr(A.A_VALUE, sysctlValue(ns, id) ? '1' : '0');
  end();
  return 0;
}

export function sysctlSet(): i32 {
  const ns = nsGet();
  if (ns == null) return fail(ENOENT);
  const id = sysctlId(stra(A.A_KEY));
  if (id == 0) return fail(ENOENT);
  const v = stra(A.A_VALUE).trim();
  if (v != '0' && v != '1') return fail(EINVAL);
  const on = v == '1';
  if (id == SYSCTL_FORWARD) ns.forward = on;
  else if (id == SYSCTL_BRIDGE_NF_IPTABLES) ns.bridgeNfIptables = on;
  else ns.bridgeNfIp6tables = on;
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Sockets.

function newSock(kind: i32, ns: Netns): Sock {
  let fd = 3;
  while (fd < sockets.length && sockets[fd] != null) fd++;
  while (sockets.length <= fd) sockets.push(null);
  const s = new Sock(fd, kind, ns);
  sockets[fd] = s;
  return s;
}

function sockFromReq(kind: i32): Sock | null {
  const fd = i32a(A.A_FD, -1);
  if (fd < 0 || fd >= sockets.length) return null;
  const s = sockets[fd];
  if (s == null || s.kind != kind) return null;
  return s;
}

function replyFd(fd: i32, ifindex: i32): i32 {
  resetOut();
  begin();
  wu32(A.A_FD, <u32>fd);
  if (ifindex > 0) wu32(A.A_IFINDEX, <u32>ifindex);
  end();
  return 0;
}

export function icmpOpen(): i32 {
  const ns = nsGet();
  if (ns == null) return fail(ENOENT);
  const s = newSock(A.DELIVER_ICMP, ns);
  ns.rawSocks.push(s);
  return replyFd(s.fd, 0);
}

export function icmpSend(): i32 {
  const s = sockFromReq(A.DELIVER_ICMP);
  if (s == null) return fail(EBADF);
  const p = ptra(A.A_DATA);
  const len = lena(A.A_DATA);
  if (len < ICMP_HLEN) return fail(EINVAL);
  if (icmpCheck(p) == 0) icmpSetCheck(p, csum(p, len));
  const src = u32a(A.A_SRC);
  if (src != 0 && !s.ns.isLocalAddr(src)) return fail(EADDRNOTAVAIL);
  const r = ipSendLocal(
    s.ns,
    u32a(A.A_DST),
    src,
    1,
    p,
    len,
    u32a(A.A_TTL, 64),
    u32a(A.A_TOS),
    u32a(A.A_DF) != 0,
    false,
  );
  if (r < 0) return fail(-r, '', r == -EMSGSIZE ? lastMtu : 0);
  return 0;
}

export function udpOpen(): i32 {
  const ns = nsGet();
  if (ns == null) return fail(ENOENT);
  const s = newSock(A.DELIVER_UDP, ns);
  return replyFd(s.fd, 0);
}

function portInUse(ns: Netns, addr: u32, port: u32): bool {
  for (let i = 0; i < ns.udpSocks.length; i++) {
    const o = ns.udpSocks[i];
    if (o.port == port && (o.addr == 0 || addr == 0 || o.addr == addr)) return true;
  }
  return false;
}

function bindSock(s: Sock, addr: u32, port: u32): i32 {
  const ns = s.ns;
  if (addr != 0 && !ns.isLocalAddr(addr)) return EADDRNOTAVAIL;
  if (port == 0) {
    for (let tries = 0; tries < 28232; tries++) {
      const p = 32768 + (random32() % 28232);
      if (!portInUse(ns, addr, p)) {
        port = p;
        break;
      }
    }
    if (port == 0) return EADDRINUSE;
  } else if (portInUse(ns, addr, port)) return EADDRINUSE;
  s.addr = addr;
  s.port = port;
  ns.udpSocks.push(s);
  return 0;
}

export function udpBind(): i32 {
  const s = sockFromReq(A.DELIVER_UDP);
  if (s == null) return fail(EBADF);
  if (s.port != 0) return fail(EINVAL);
  const e = bindSock(s, u32a(A.A_LOCAL), u32a(A.A_PORT));
  if (e != 0) return fail(e);
  return 0;
}

export function udpSend(): i32 {
  const s = sockFromReq(A.DELIVER_UDP);
  if (s == null) return fail(EBADF);
  if (s.port == 0) {
    const e = bindSock(s, 0, 0);
    if (e != 0) return fail(e);
  }
  const data = ptra(A.A_DATA);
  const dlen = max(0, lena(A.A_DATA));
  if (dlen > 65507) return fail(EMSGSIZE);
  // Build the UDP header in front of the payload: the request buffer has room before it
  // (the attribute header), so copy into a scratch area instead.
  const tot = UDP_HLEN + dlen;
  const p = heap.alloc(<usize>tot);
  memory.copy(p + UDP_HLEN, data, <usize>dlen);
  udpSetSource(p, s.port);
  udpSetDest(p, u32a(A.A_PORT));
  udpSetLen(p, <u32>tot);
  udpSetCheck(p, 0);
  const r = ipSendLocal(s.ns, u32a(A.A_DST), s.addr, PROTO_UDP, p, tot, 64, 0, false, true);
  heap.free(p);
  if (r < 0) return fail(-r, '', r == -EMSGSIZE ? lastMtu : 0);
  return 0;
}

export function tunOpen(): i32 {
  const ns = nsGet();
  if (ns == null) return fail(ENOENT);
  const name = stra(A.A_NAME);
  if (!validName(name)) return fail(EINVAL, 'Invalid interface name');
  let l = ns.linkByName(name);
  if (l != null) {
    if (l.kind != A.KIND_TUN || l.tunFd >= 0) return fail(EBUSY);
  } else {
    l = newLink(ns, A.KIND_TUN, name);
  }
  const s = newSock(A.DELIVER_TUN, ns);
  s.link = l;
  l.tunFd = s.fd;
  return replyFd(s.fd, l.ifindex);
}

export function tunWrite(): i32 {
  const s = sockFromReq(A.DELIVER_TUN);
  if (s == null) return fail(EBADF);
  const l = s.link;
  if (l == null) return fail(EBADF);
  if (!l.up) return fail(EIO); // as a write to a down tun device
  const r = tunInput(l, ptra(A.A_DATA), max(0, lena(A.A_DATA)));
  if (r < 0) return fail(-r);
  return 0;
}

export function captureOpen(): i32 {
  const ns = nsGet();
  if (ns == null) return fail(ENOENT);
  const ifindex = i32a(A.A_IFINDEX);
  if (ifindex != 0 && ns.link(ifindex) == null) return fail(ENODEV);
  const s = newSock(A.DELIVER_CAPTURE, ns);
  s.ifindex = ifindex;
  ns.captures.push(s);
  addCaptures(1);
  return replyFd(s.fd, 0);
}

function closeSock(s: Sock): void {
  const ns = s.ns;
  if (s.kind == A.DELIVER_ICMP) {
    const i = ns.rawSocks.indexOf(s);
    if (i >= 0) ns.rawSocks.splice(i, 1);
  } else if (s.kind == A.DELIVER_UDP) {
    const i = ns.udpSocks.indexOf(s);
    if (i >= 0) ns.udpSocks.splice(i, 1);
  } else if (s.kind == A.DELIVER_CAPTURE) {
    const i = ns.captures.indexOf(s);
    if (i >= 0) {
      ns.captures.splice(i, 1);
      addCaptures(-1);
    }
  } else if (s.kind == A.DELIVER_TUN) {
    const l = s.link;
    // A non-persistent TUN device disappears with its last fd.
    if (l != null) {
      l.tunFd = -1;
      if (allLinks[l.id] != null) deleteLink(l);
    }
  }
  sockets[s.fd] = null;
}

export function close(): i32 {
  const fd = i32a(A.A_FD, -1);
  if (fd < 0 || fd >= sockets.length) return fail(EBADF);
  const s = sockets[fd];
  if (s == null) return fail(EBADF);
  closeSock(s);
  return 0;
}

export function dropsDump(): i32 {
  resetOut();
  for (let i = 0; i < A.DROP_COUNT; i++) {
    if (drops[i] == 0) continue;
    begin();
    wu32(A.A_KEY, <u32>i);
    wf64(A.A_COUNT, drops[i]);
    end();
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Timers.

export function runTimers(): void {
  fdbChanged();
  reasmTimers(true);
  for (let i = 0; i < nsOrder.length; i++) {
    const ns = nsOrder[i];
    neighTimers(ns);
    for (let j = 0; j < ns.links.length; j++) {
      const l = ns.links[j];
      if (l.kind == A.KIND_BRIDGE) {
        const vals = l.brFdb.values();
        const age = <f64>l.brAgeing * 10;
        for (let k = 0; k < vals.length; k++) {
          const e = vals[k];
          if (!e.local && !e.isStatic && now - e.updated >= age) l.brFdb.delete(e.mac);
        }
      } else if (l.kind == A.KIND_VXLAN) {
        const age = <f64>l.vxAgeing * 1000;
        for (let k = l.vxFdbList.length - 1; k >= 0; k--) {
          const e = l.vxFdbList[k];
          if (e.state == A.FDB_REACHABLE && now - e.updated >= age) {
            l.vxFdbList.splice(k, 1);
            l.vxFdb.delete(e.mac);
          }
        }
      }
    }
  }
}

export function nextTimer(): f64 {
  let next = reasmTimers(false);
  for (let i = 0; i < nsOrder.length; i++) {
    const ns = nsOrder[i];
    for (let j = 0; j < ns.neighList.length; j++) {
      const t = ns.neighList[j].timerAt;
      if (t > 0 && t < next) next = t;
    }
    for (let j = 0; j < ns.links.length; j++) {
      const l = ns.links[j];
      if (l.kind == A.KIND_BRIDGE) {
        const vals = l.brFdb.values();
        for (let k = 0; k < vals.length; k++) {
          const e = vals[k];
          if (!e.local && !e.isStatic) next = Math.min(next, e.updated + <f64>l.brAgeing * 10);
        }
      } else if (l.kind == A.KIND_VXLAN) {
        for (let k = 0; k < l.vxFdbList.length; k++) {
          const e = l.vxFdbList[k];
          if (e.state == A.FDB_REACHABLE) next = Math.min(next, e.updated + <f64>l.vxAgeing * 1000);
        }
      }
    }
  }
  return next;
}

export { Neigh, Route };
