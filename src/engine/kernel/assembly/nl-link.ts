// Netlink-like requests for namespaces and links (create, change, delete, dump), as
// rtnetlink's RTM_*LINK.

import * as A from './abi';
import {
  Link,
  Netns,
  BrFdb,
  namespaces,
  nsOrder,
  allLinks,
  sockets,
  randomMac,
  now,
  fibChanged,
} from './state';
import {
  has,
  u32a,
  i32a,
  stra,
  maca,
  begin,
  end,
  wu32,
  wstr,
  wmac,
  wbytes,
  fail,
  resetOut,
} from './msg';
import { EPERM, ENOENT, EEXIST, ENODEV, EINVAL, EOPNOTSUPP, EADDRNOTAVAIL } from './errno';
import { addAddress, addrPrefixRoutes } from './nl-addr';
import {
  bridgeAutoMtu,
  bridgeRecalcMac,
  bridgeSyncOwnEntry,
  enslave,
  releasePort,
} from './nl-bridge';
import { flushNeigh, removeRoutesOn } from './nl-route';
import { arpNotify } from './neigh';
import { closeSock } from './sockets';

// ---------------------------------------------------------------------------------------------
// Namespaces and links.

export function nsGet(): Netns | null {
  const name = stra(A.A_NS);
  return namespaces.has(name) ? namespaces.get(name) : null;
}

export function newLink(ns: Netns, kind: i32, name: string): Link {
  const l = new Link(ns, kind);
  l.name = name;
  l.id = allLinks.length;
  allLinks.push(l);
  while (ns.byIndex.has(ns.nextIfindex)) ns.nextIfindex++;
  l.ifindex = ns.nextIfindex++;
  ns.links.push(l);
  ns.byIndex.set(l.ifindex, l);
  if (kind != A.KIND_LOOPBACK && kind != A.KIND_TUN) l.mac = randomMac();
  l.arpNotify = ns.arpNotifyDefault;
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

export function validName(name: string): bool {
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

/** The kind RTM_NEWLINK may create by this name, or -1: every kind but the loopback. */
function kindFromName(k: string): i32 {
  const kind = A.KIND_NAMES.indexOf(k);
  return kind == A.KIND_LOOPBACK ? -1 : kind;
}

/** What VXLAN over IPv4 adds to a frame: outer IPv4, UDP and VXLAN headers, and the inner Ethernet header. */
const VXLAN_OVERHEAD: i32 = 50;

/** vxlan_vni_in_use: a namespace has one vxlan device per VNI and UDP port. */
function vniInUse(ns: Netns, vni: u32, port: u32, self: Link | null): bool {
  for (let i = 0; i < ns.links.length; i++) {
    const o = unchecked(ns.links[i]);
    if (o != self && o.kind == A.KIND_VXLAN && o.vni == vni && o.dstport == port) return true;
  }
  return false;
}

/** The largest MTU a vxlan device may take: its lower device's, less the encapsulation. */
function vxlanMaxMtu(l: Link): i32 {
  if (l.kind != A.KIND_VXLAN || l.vxDev == 0) return i32.MAX_VALUE;
  const lower = l.ns.link(l.vxDev);
  return lower == null ? i32.MAX_VALUE : lower.mtu - VXLAN_OVERHEAD;
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
    if (vniInUse(ns, u32a(A.A_VNI), u32a(A.A_DSTPORT, 8472), null))
      return fail(EEXIST, 'A VXLAN device with the specified VNI already exists');
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
    l.vxTtl = u32a(A.A_VX_TTL, 0);
    if (vxDev != null) {
      l.vxDev = vxDev.ifindex;
      l.mtu = vxDev.mtu - VXLAN_OVERHEAD;
    }
  }
  if (has(A.A_MTU)) {
    const mtu = i32a(A.A_MTU);
    if (mtu > vxlanMaxMtu(l)) {
      deleteLink(l);
      return fail(EINVAL);
    }
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
  if (has(A.A_TXQLEN)) l.txqlen = i32a(A.A_TXQLEN);
  if (peer != null && has(A.A_PEER_TXQLEN)) peer.txqlen = i32a(A.A_PEER_TXQLEN);
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

export function linkFromReq(ns: Netns): Link | null {
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

export function deleteLink(l: Link): void {
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
  if (up) l.qdiscAttached = true;
  fibChanged();
  if (up) {
    if (l.kind == A.KIND_LOOPBACK && !hasAddrOn(ns, l)) {
      addAddress(ns, l, 0x7f000001, 8, 0, A.SCOPE_HOST, 'lo');
    }
    for (let i = 0; i < ns.addrs.length; i++) {
      const a = ns.addrs[i];
      if (a.link == l) addrPrefixRoutes(ns, a, true);
    }
    arpNotify(l); // inetdev_event, NETDEV_UP
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
      // Linux renames a device that is up since 6.2 (the goldens' kernel did).
      l.name = name;
    }
  }
  if (has(A.A_MTU)) {
    const mtu = i32a(A.A_MTU);
    if (l.kind != A.KIND_LOOPBACK || mtu < 68) {
      if (mtu < l.minMtu) return fail(EINVAL, 'mtu less than device minimum');
      if (mtu > l.maxMtu) return fail(EINVAL, 'mtu greater than device maximum');
    }
    // vxlan_change_mtu: no bigger than the lower device leaves room for; no extack.
    if (mtu > vxlanMaxMtu(l)) return fail(EINVAL);
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
    arpNotify(l); // inetdev_event, NETDEV_CHANGEADDR
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
  if (has(A.A_TXQLEN)) l.txqlen = i32a(A.A_TXQLEN);
  if (has(A.A_HAIRPIN)) {
    // A bridge port's flag: anything else has no port to set it on.
    if (l.master == null) return fail(EOPNOTSUPP);
    l.hairpin = u32a(A.A_HAIRPIN) != 0;
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
// Link dump.

function operstate(l: Link): u32 {
  if (!l.up) return A.OPER_DOWN;
  const k = l.kind;
  if (k == A.KIND_LOOPBACK || k == A.KIND_VXLAN) return A.OPER_UNKNOWN;
  if (k == A.KIND_TUN) return l.tunFd >= 0 ? A.OPER_UNKNOWN : A.OPER_DOWN;
  if (k == A.KIND_BRIDGE)
    return l.ports.length == 0 ? A.OPER_UNKNOWN : l.carrier() ? A.OPER_UP : A.OPER_DOWN;
  if (k == A.KIND_VETH) return l.carrier() ? A.OPER_UP : A.OPER_LOWERLAYERDOWN;
  return l.carrier() ? A.OPER_UP : A.OPER_DOWN; // a NIC without its cable: state DOWN
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

function writeLink(l: Link): void {
  begin();
  wu32(A.A_IFINDEX, <u32>l.ifindex);
  wstr(A.A_NAME, l.name);
  wstr(A.A_KIND, A.KIND_NAMES[l.kind]);
  wu32(A.A_FLAGS, linkFlags(l));
  wu32(A.A_MTU, <u32>l.mtu);
  wu32(A.A_MINMTU, <u32>l.minMtu);
  wu32(A.A_MAXMTU, <u32>l.maxMtu);
  wu32(A.A_OPERSTATE, operstate(l));
  wu32(A.A_TXQLEN, <u32>l.txqlen);
  if (l.qdiscAttached) wu32(A.A_QDISC, 1);
  if (l.kind != A.KIND_TUN) {
    wmac(A.A_ADDRESS, l.mac);
    wmac(A.A_BROADCAST, l.kind == A.KIND_LOOPBACK ? 0 : 0xffffffffffff);
  }
  const m = l.master;
  if (m != null) {
    wu32(A.A_MASTER, <u32>m.ifindex);
    wu32(A.A_PORTNO, <u32>l.portNo);
    if (l.hairpin) wu32(A.A_HAIRPIN, 1);
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
    wu32(A.A_VX_TTL, l.vxTtl);
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
  const sorted = ns.linksByIndex();
  for (let i = 0; i < sorted.length; i++) writeLink(sorted[i]);
  return 0;
}

