// The kernel's objects: namespaces, links, addresses, routes, neighbours, FDB entries, sockets.

import {
  KIND_LOOPBACK,
  KIND_ETHER,
  KIND_VETH,
  KIND_BRIDGE,
  KIND_VXLAN,
  KIND_TUN,
  TABLE_MAIN,
  TABLE_LOCAL,
  DROP_COUNT,
} from './abi';
import { netmask } from './bytes';
import { Qdisc } from './qdisc';

/** Lab-clock time in milliseconds, set by the wrapper before every call. */
export let now: f64 = 0;
export function setNowValue(t: f64): void {
  now = t;
}

// xorshift64*: MACs, IP ids, ephemeral ports, reachable-time jitter. Seeded by the wrapper.
let rngState: u64 = 0x9e3779b97f4a7c15;
export function seedRandom(seed: u64): void {
  rngState = seed == 0 ? 0x9e3779b97f4a7c15 : seed;
}
export function random32(): u32 {
  let x = rngState;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  rngState = x;
  return <u32>((x * 0x2545f4914f6cdd1d) >> 32);
}

/** A random locally administered unicast MAC, as Linux gives virtual devices. */
export function randomMac(): u64 {
  const hi = (<u64>(random32() & 0xffff)) << 32;
  let m = hi | (<u64>random32());
  m &= ~(<u64>0x010000000000); // unicast
  m |= <u64>0x020000000000; // locally administered
  return m;
}

export const drops = new StaticArray<f64>(DROP_COUNT);

// Link statistics indexes.
export const RX_BYTES = 0;
export const RX_PACKETS = 1;
export const RX_ERRORS = 2;
export const RX_DROPPED = 3;
export const RX_MISSED = 4;
export const RX_MCAST = 5;
export const TX_BYTES = 6;
export const TX_PACKETS = 7;
export const TX_ERRORS = 8;
export const TX_DROPPED = 9;
export const TX_CARRIER = 10;
export const TX_COLLISIONS = 11;

export class BrFdb {
  constructor(
    public mac: u64,
    public port: Link | null,
    public local: bool,
    public isStatic: bool,
    public updated: f64,
  ) {}
}

export class VxFdb {
  dsts: Array<u32> = new Array<u32>();
  constructor(
    public mac: u64,
    public state: i32,
    public updated: f64,
  ) {}
}

export class Link {
  id: i32 = 0;
  ifindex: i32 = 0;
  name: string = '';
  up: bool = false;
  /** A qdisc is attached when the device first comes up (`noop` until then). */
  qdiscAttached: bool = false;
  /** A root qdisc added with tc (null: the default, which sends at once). */
  qdisc: Qdisc | null = null;
  /** An ether NIC's cable (the lab's topology cuts it): no carrier, no frames either way. */
  cableCut: bool = false;
  mtu: i32 = 1500;
  /** net.ipv4.neigh.<dev>.unres_qlen_bytes: bytes that may wait for a neighbour (Linux: 212992). */
  unresQlenBytes: i32 = 212992;
  minMtu: i32 = 68;
  maxMtu: i32 = 65535;
  mtuSet: bool = false;
  mac: u64 = 0;
  macSet: bool = false;
  txqlen: i32 = 1000;
  /** As a bridge port: hairpin mode (BR_HAIRPIN_MODE); a new port starts without it. */
  hairpin: bool = false;
  /** net.ipv4.conf.<dev>.arp_notify: gratuitous ARP when the device comes up or changes MAC. */
  arpNotify: i32 = 0;
  master: Link | null = null;
  peer: Link | null = null;
  stats: StaticArray<f64> = new StaticArray<f64>(12);
  // bridge
  ports: Array<Link> = new Array<Link>();
  nextPortNo: i32 = 1;
  portNo: i32 = 0;
  brFdb: Map<u64, BrFdb> = new Map<u64, BrFdb>();
  brAgeing: i32 = 30000; // centiseconds
  // vxlan
  vni: u32 = 0;
  vxLocal: u32 = 0;
  vxDev: i32 = 0;
  dstport: u32 = 8472;
  learning: bool = true;
  vxAgeing: i32 = 300;
  /** Outer TTL; 0 is `ttl auto` (the default hop limit, 64). */
  vxTtl: u32 = 0;
  vxFdb: Map<u64, VxFdb> = new Map<u64, VxFdb>();
  vxFdbList: Array<VxFdb> = new Array<VxFdb>();
  // tun
  tunFd: i32 = -1;
  // One-entry caches in front of the FDB maps (valid while fdbGen is unchanged).
  dstCacheMac: u64 = 0;
  dstCacheGen: u32 = 0;
  dstCache: BrFdb | null = null;
  srcCacheMac: u64 = 0;
  srcCacheGen: u32 = 0;
  srcCache: BrFdb | null = null;
  vxCacheMac: u64 = 0;
  vxCacheGen: u32 = 0;
  vxCache: VxFdb | null = null;
  /** The neighbour this link last resolved (a one-entry cache in front of the table). */
  lastNeigh: Neigh | null = null;

  constructor(
    public ns: Netns,
    public kind: i32,
  ) {
    if (kind == KIND_LOOPBACK) {
      this.mtu = 65536;
      this.minMtu = 0;
      this.maxMtu = 0;
    } else if (kind == KIND_TUN) {
      this.txqlen = 500;
    }
  }

  isArpDevice(): bool {
    return (
      this.kind == KIND_ETHER ||
      this.kind == KIND_VETH ||
      this.kind == KIND_BRIDGE ||
      this.kind == KIND_VXLAN
    );
  }

  /** Whether the lower layer is present (IFF_LOWER_UP when the link is also up). */
  carrier(): bool {
    const k = this.kind;
    if (k == KIND_VETH) {
      const p = this.peer;
      return p != null && p.up;
    }
    if (k == KIND_TUN) return this.tunFd >= 0;
    if (k == KIND_ETHER) return !this.cableCut;
    if (k == KIND_BRIDGE) {
      if (this.ports.length == 0) return true;
      for (let i = 0; i < this.ports.length; i++) {
        const p = unchecked(this.ports[i]);
        if (p.up && p.carrier()) return true;
      }
      return false;
    }
    return true;
  }

  running(): bool {
    return this.up && this.carrier();
  }
}

export class Addr {
  constructor(
    public link: Link,
    public local: u32,
    public prefixlen: i32,
    public broadcast: u32,
    public scope: i32,
    public label: string,
  ) {}
}

/** Bumped on every change that can alter a route lookup (routes, link up/down). */
export let fibGen: u32 = 1;
export function fibChanged(): void {
  fibGen++;
}

/** Bumped whenever an FDB entry is replaced or removed, so cached entries are never stale. */
export let fdbGen: u32 = 1;
export function fdbChanged(): void {
  fdbGen++;
}

export class Route {
  table: i32 = TABLE_MAIN;
  type: i32 = 1;
  dst: u32 = 0;
  len: i32 = 0;
  gw: u32 = 0;
  dev: Link | null = null;
  onlink: bool = false;
  scope: i32 = 0;
  proto: i32 = 3;
  prefsrc: u32 = 0;
  metric: u32 = 0;
}

/** One routing table: a hash map per prefix length and a bitmap of the lengths in use, so a
 * lookup probes at most 33 maps, longest first (no scan over routes). */
export class Table {
  maps: Array<Map<u32, Array<Route>>> = new Array<Map<u32, Array<Route>>>();
  used: u64 = 0;
  constructor(public id: i32) {
    for (let i = 0; i <= 32; i++) this.maps.push(new Map<u32, Array<Route>>());
  }

  lookup(dst: u32): Route | null {
    let used = this.used;
    while (used != 0) {
      const len = 63 - <i32>clz<u64>(used);
      used &= ~((<u64>1) << len);
      const m = unchecked(this.maps[len]);
      const key = dst & netmask(len);
      if (m.has(key)) {
        const list = m.get(key);
        for (let i = 0; i < list.length; i++) {
          const r = unchecked(list[i]);
          const d = r.dev;
          if (d == null || d.up) return r;
        }
      }
    }
    return null;
  }

  /** Routes with exactly this prefix (an empty list when there are none). */
  exact(dst: u32, len: i32): Array<Route> {
    const m = this.maps[len];
    if (!m.has(dst)) return new Array<Route>();
    return m.get(dst);
  }

  insert(r: Route, append: bool): void {
    const m = this.maps[r.len];
    if (!m.has(r.dst)) m.set(r.dst, new Array<Route>());
    const list = m.get(r.dst);
    // Kept ordered by metric so the lookup takes the first usable one.
    let at = list.length;
    for (let i = 0; i < list.length; i++) {
      const o = list[i];
      if (o.metric > r.metric || (!append && o.metric == r.metric)) {
        at = i;
        break;
      }
    }
    list.push(r);
    for (let i = list.length - 1; i > at; i--) list[i] = list[i - 1];
    list[at] = r;
    this.used |= (<u64>1) << r.len;
    fibChanged();
  }

  remove(r: Route): void {
    fibChanged();
    const m = this.maps[r.len];
    if (!m.has(r.dst)) return;
    const list = m.get(r.dst);
    const i = list.indexOf(r);
    if (i >= 0) list.splice(i, 1);
    if (list.length == 0) {
      m.delete(r.dst);
      if (m.size == 0) this.used &= ~((<u64>1) << r.len);
    }
  }

  all(): Array<Route> {
    const out = new Array<Route>();
    for (let len = 0; len <= 32; len++) {
      const lists = this.maps[len].values();
      for (let i = 0; i < lists.length; i++) {
        const l = lists[i];
        for (let j = 0; j < l.length; j++) out.push(l[j]);
      }
    }
    return out;
  }
}

export class Neigh {
  mac: u64 = 0;
  state: i32 = 0;
  updated: f64 = 0;
  /** Last time a packet went out through it: the periodic gc keeps what is in use. */
  used: f64 = 0;
  timerAt: f64 = 0;
  probes: i32 = 0;
  /** Bytes of the packets in `queue` (unres_qlen_bytes bounds them). */
  queueBytes: i32 = 0;
  /** Set once removed from the table, so a cached pointer to it is never used again. */
  dead: bool = false;
  queue: Array<i32> = new Array<i32>();
  constructor(
    public link: Link,
    public ip: u32,
  ) {}
}

export class Sock {
  addr: u32 = 0;
  port: u32 = 0;
  ifindex: i32 = 0;
  link: Link | null = null;
  constructor(
    public fd: i32,
    public kind: i32,
    public ns: Netns,
  ) {}
}

export class Netns {
  links: Array<Link> = new Array<Link>();
  byIndex: Map<i32, Link> = new Map<i32, Link>();
  nextIfindex: i32 = 1;
  addrs: Array<Addr> = new Array<Addr>();
  main: Table = new Table(TABLE_MAIN);
  local: Table = new Table(TABLE_LOCAL);
  neighs: Map<u64, Neigh> = new Map<u64, Neigh>();
  neighList: Array<Neigh> = new Array<Neigh>();
  forward: bool = false;
  /** net.ipv4.conf.{all,default}.arp_notify: `all` applies to every device, `default` to new ones. */
  arpNotifyAll: i32 = 0;
  arpNotifyDefault: i32 = 0;
  bridgeNfIptables: bool = true;
  bridgeNfIp6tables: bool = true;
  rawSocks: Array<Sock> = new Array<Sock>();
  udpSocks: Array<Sock> = new Array<Sock>();
  captures: Array<Sock> = new Array<Sock>();
  ipId: u32 = 0;
  lo: Link | null = null;
  /** Its netfilter tables (netfilter.ts keeps them; 0 while they hook nothing). */
  nfTables: usize = 0;
  constructor(public name: string) {
    this.ipId = random32() & 0xffff;
  }

  link(ifindex: i32): Link | null {
    return this.byIndex.has(ifindex) ? this.byIndex.get(ifindex) : null;
  }

  /** A copy of the links in ifindex order: how every dump lists them, as Linux does. */
  linksByIndex(): Link[] {
    const links = this.links.slice(0);
    links.sort((a: Link, b: Link): i32 => a.ifindex - b.ifindex);
    return links;
  }

  linkByName(name: string): Link | null {
    for (let i = 0; i < this.links.length; i++)
      if (this.links[i].name == name) return this.links[i];
    return null;
  }

  isLocalAddr(a: u32): bool {
    for (let i = 0; i < this.addrs.length; i++)
      if (unchecked(this.addrs[i]).local == a) return true;
    return false;
  }

  // A direct-mapped cache of recent lookups, valid while fibGen is unchanged (like the
  // dst cache Linux once had): the per-packet path then costs one compare.
  cacheKey: StaticArray<u32> = new StaticArray<u32>(256);
  cacheGen: StaticArray<u32> = new StaticArray<u32>(256);
  cacheRoute: StaticArray<Route | null> = new StaticArray<Route | null>(256);

  // @ts-ignore: decorator
  @inline
  lookup(dst: u32): Route | null {
    const h = <i32>((dst * 0x9e3779b1) >> 24);
    if (unchecked(this.cacheGen[h]) == fibGen && unchecked(this.cacheKey[h]) == dst) {
      return unchecked(this.cacheRoute[h]);
    }
    return this.lookupMiss(dst, h);
  }

  /** A cache miss: the full lookup, remembered in slot h. */
  lookupMiss(dst: u32, h: i32): Route | null {
    const r = this.lookupSlow(dst);
    unchecked((this.cacheGen[h] = fibGen));
    unchecked((this.cacheKey[h] = dst));
    unchecked((this.cacheRoute[h] = r));
    return r;
  }

  /** Route lookup over the local and main tables (longest prefix wins; local on a tie). */
  lookupSlow(dst: u32): Route | null {
    const l = this.local.lookup(dst);
    const m = this.main.lookup(dst);
    if (l == null) return m;
    if (m == null) return l;
    return m.len > l.len ? m : l;
  }

  /** The source address for packets along rt: its prefsrc, else an address of its device
   * (inet_select_addr), else any global address of the namespace. */
  routeSrc(rt: Route): u32 {
    if (rt.prefsrc != 0) return rt.prefsrc;
    const d = rt.dev;
    let any: u32 = 0;
    for (let i = 0; i < this.addrs.length; i++) {
      const a = unchecked(this.addrs[i]);
      if (a.scope == 254) continue; // host scope (127.0.0.1) is never a source
      if (a.link == d) return a.local;
      if (any == 0) any = a.local;
    }
    return any;
  }

  nextId(): u32 {
    this.ipId = (this.ipId + 1) & 0xffff;
    if (this.ipId == 0) this.ipId = 1;
    return this.ipId;
  }
}

export function neighKey(ifindex: i32, ip: u32): u64 {
  return ((<u64>ifindex) << 32) | (<u64>ip);
}

export const namespaces = new Map<string, Netns>();
export const nsOrder = new Array<Netns>();
/** Every link ever made, by id (null once deleted): the backlog refers to links by id. */
export const allLinks = new Array<Link | null>();
export const sockets = new Array<Sock | null>();
export let captureCount: i32 = 0;
export function addCaptures(n: i32): void {
  captureCount += n;
}

export function isVirtualEther(kind: i32): bool {
  return kind == KIND_ETHER || kind == KIND_VETH || kind == KIND_BRIDGE || kind == KIND_VXLAN;
}
