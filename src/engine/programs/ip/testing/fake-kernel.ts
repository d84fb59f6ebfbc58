// A small in-memory KernelApi for testing the programs before the wasm kernel exists.
//
// It stores links, addresses, routes, neighbours and FDB entries as plain records per
// namespace and answers dumps with copies of them. Writes do the few checks whose errors the
// programs must print (EEXIST, ENOENT, ESRCH, ENODEV, the extack messages), nothing more: no
// automatic prefix routes, no packets. Tests fill it through `tables()` with the goldens' state.

import { Errno, IFF, NetlinkError, ROOT_NS } from '../../../kernel/types.ts';
import type {
  AddrInfo,
  AddrRequest,
  FdbInfo,
  FdbRequest,
  FdbWriteFlags,
  KernelApi,
  LinkAddRequest,
  LinkChange,
  LinkInfo,
  LinkStats,
  NeighInfo,
  NeighRequest,
  NsId,
  RouteInfo,
  RouteLookup,
  RouteRequest,
  RouteWriteFlags,
} from '../../../kernel/types.ts';

export interface NsTables {
  links: LinkInfo[];
  addrs: AddrInfo[];
  routes: RouteInfo[];
  neighs: NeighInfo[];
  fdb: FdbInfo[];
  sysctl: Map<string, string>;
  nextIfindex: number;
}

export function zeroStats(): LinkStats {
  return {
    rxBytes: 0,
    rxPackets: 0,
    rxErrors: 0,
    rxDropped: 0,
    rxMissed: 0,
    rxMcast: 0,
    txBytes: 0,
    txPackets: 0,
    txErrors: 0,
    txDropped: 0,
    txCarrier: 0,
    txCollisions: 0,
  };
}

export function loopback(): LinkInfo {
  return {
    ifindex: 1,
    name: 'lo',
    kind: 'loopback',
    flags: IFF.LOOPBACK,
    mtu: 65536,
    minMtu: 0,
    maxMtu: 0,
    operstate: 'DOWN',
    qdisc: 'noop',
    txqlen: 1000,
    address: '00:00:00:00:00:00',
    broadcast: '00:00:00:00:00:00',
    promiscuity: 0,
    allmulti: 0,
    stats: zeroStats(),
  };
}

function ipInt(addr: string): number {
  return addr.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

function covers(dst: string, len: number, addr: string): boolean {
  const size = 2 ** (32 - len);
  return Math.floor(ipInt(dst) / size) === Math.floor(ipInt(addr) / size);
}

function fail(errno: number, extack?: string): never {
  throw new NetlinkError(errno, extack);
}

export class FakeKernel implements KernelApi {
  private readonly namespaces = new Map<NsId, NsTables>();
  private macCounter = 0;

  constructor() {
    this.namespaces.set(ROOT_NS, this.emptyTables());
  }

  private emptyTables(): NsTables {
    return {
      links: [loopback()],
      addrs: [],
      routes: [],
      neighs: [],
      fdb: [],
      sysctl: new Map([['net.ipv4.ip_forward', '0']]),
      nextIfindex: 2,
    };
  }

  /** The raw records of a namespace, for tests to fill and inspect. */
  tables(ns: NsId): NsTables {
    const t = this.namespaces.get(ns);
    if (t === undefined) fail(Errno.ENOENT);
    return t;
  }

  private link(ns: NsId, ifindex: number): LinkInfo {
    const found = this.tables(ns).links.find((l) => l.ifindex === ifindex);
    if (found === undefined) fail(Errno.ENODEV);
    return found;
  }

  private newMac(): string {
    this.macCounter++;
    return `02:00:00:00:${(this.macCounter >> 8).toString(16).padStart(2, '0')}:${(this.macCounter & 0xff).toString(16).padStart(2, '0')}`;
  }

  // --- namespaces ---
  netnsAdd(name: NsId): void {
    if (this.namespaces.has(name)) fail(Errno.EEXIST);
    this.namespaces.set(name, this.emptyTables());
  }
  netnsDel(name: NsId): void {
    if (name === ROOT_NS || !this.namespaces.delete(name)) fail(Errno.ENOENT);
  }
  netnsList(): NsId[] {
    return [...this.namespaces.keys()].filter((name) => name !== ROOT_NS);
  }

  // --- links ---
  linkAdd(ns: NsId, req: LinkAddRequest): number {
    const t = this.tables(ns);
    if (t.links.some((l) => l.name === req.name)) fail(Errno.EEXIST);
    // Linux registers a veth's peer first, so the peer gets the lower ifindex.
    const peerIndexFirst =
      req.kind === 'veth' && (req.peer?.netns ?? ns) === ns ? t.nextIfindex++ : 0;
    const link = this.makeLink(t, req.name, req.kind, req.mtu, req.address);
    if (req.kind === 'bridge') link.bridge = { ageingTime: 30000 };
    if (req.kind === 'vxlan' && req.vxlan !== undefined) {
      // Linux's default port is 8472, not the IANA 4789.
      const vxlan = { dstport: 8472, learning: true, ageing: 300, ...req.vxlan };
      link.vxlan = vxlan;
      if (req.mtu === undefined && vxlan.dev !== undefined) {
        link.mtu = this.link(ns, vxlan.dev).mtu - 50;
      }
    }
    if (req.kind === 'veth' && req.peer !== undefined) {
      const peerNs = req.peer.netns ?? ns;
      const pt = this.tables(peerNs);
      if (pt.links.some((l) => l.name === req.peer?.name)) fail(Errno.EEXIST);
      const peer = this.makeLink(pt, req.peer.name, 'veth');
      if (peerIndexFirst !== 0) {
        peer.ifindex = peerIndexFirst;
        t.nextIfindex--;
      }
      peer.peer = { ifindex: link.ifindex, ...(peerNs !== ns ? { netns: ns } : {}) };
      link.peer = { ifindex: peer.ifindex, ...(peerNs !== ns ? { netns: peerNs } : {}) };
      pt.links.push(peer);
    }
    t.links.push(link);
    return link.ifindex;
  }

  private makeLink(
    t: NsTables,
    name: string,
    kind: LinkInfo['kind'],
    mtu?: number,
    address?: string,
  ): LinkInfo {
    const ifindex = t.nextIfindex++;
    return {
      ifindex,
      name,
      kind,
      flags: IFF.BROADCAST | IFF.MULTICAST,
      mtu: mtu ?? 1500,
      minMtu: 68,
      maxMtu: 65535,
      operstate: 'DOWN',
      qdisc: 'noop',
      txqlen: 1000,
      address: address ?? this.newMac(),
      broadcast: 'ff:ff:ff:ff:ff:ff',
      promiscuity: 0,
      allmulti: 0,
      stats: zeroStats(),
    };
  }

  linkDel(ns: NsId, ifindex: number): void {
    const t = this.tables(ns);
    const link = this.link(ns, ifindex);
    t.links = t.links.filter((l) => l !== link);
    t.addrs = t.addrs.filter((a) => a.ifindex !== ifindex);
    t.routes = t.routes.filter((r) => r.oif !== ifindex);
    t.neighs = t.neighs.filter((n) => n.ifindex !== ifindex);
    t.fdb = t.fdb.filter((f) => f.ifindex !== ifindex);
    if (link.peer !== undefined) {
      const pt = this.tables(link.peer.netns ?? ns);
      pt.links = pt.links.filter((l) => l.ifindex !== link.peer?.ifindex);
    }
  }

  linkSet(ns: NsId, ifindex: number, change: LinkChange): void {
    const t = this.tables(ns);
    const link = this.link(ns, ifindex);
    if (change.mtu !== undefined) {
      if (change.mtu > link.maxMtu) fail(Errno.EINVAL, 'mtu greater than device maximum');
      if (change.mtu < link.minMtu) fail(Errno.EINVAL, 'mtu less than device minimum');
    }
    if (change.name !== undefined && t.links.some((l) => l.name === change.name && l !== link)) {
      fail(Errno.EEXIST);
    }
    if (change.master !== undefined && change.master !== 0) {
      const master = this.link(ns, change.master);
      if (master.kind !== 'bridge') fail(Errno.EOPNOTSUPP);
    }
    if (change.mtu !== undefined) link.mtu = change.mtu;
    if (change.address !== undefined) link.address = change.address;
    if (change.name !== undefined) link.name = change.name;
    if (change.up === true) {
      link.flags |= IFF.UP | IFF.LOWER_UP;
      link.qdisc = 'noqueue';
      link.operstate = link.kind === 'veth' || link.kind === 'ether' ? 'UP' : 'UNKNOWN';
    } else if (change.up === false) {
      link.flags &= ~(IFF.UP | IFF.LOWER_UP);
      link.operstate = 'DOWN';
    }
    if (change.master === 0) {
      delete link.master;
      delete link.bridgePort;
      link.promiscuity = 0;
    } else if (change.master !== undefined) {
      const used = t.links.filter((l) => l.master === change.master).length;
      link.master = change.master;
      link.bridgePort = { portNo: used + 1 };
      link.promiscuity = 1;
    }
    if (change.netns !== undefined && change.netns !== ns) this.moveLink(ns, link, change.netns);
  }

  private moveLink(from: NsId, link: LinkInfo, to: NsId): void {
    const src = this.tables(from);
    const dst = this.tables(to);
    if (dst.links.some((l) => l.name === link.name)) fail(Errno.EEXIST);
    src.links = src.links.filter((l) => l !== link);
    src.addrs = src.addrs.filter((a) => a.ifindex !== link.ifindex);
    src.routes = src.routes.filter((r) => r.oif !== link.ifindex);
    if (dst.links.some((l) => l.ifindex === link.ifindex)) link.ifindex = dst.nextIfindex++;
    else dst.nextIfindex = Math.max(dst.nextIfindex, link.ifindex + 1);
    link.flags &= ~(IFF.UP | IFF.LOWER_UP);
    link.operstate = 'DOWN';
    delete link.master;
    dst.links.push(link);
    if (link.peer !== undefined) {
      const peerNs = link.peer.netns ?? from;
      const peer = this.tables(peerNs).links.find((l) => l.ifindex === link.peer?.ifindex);
      if (peer !== undefined) {
        peer.peer = { ifindex: link.ifindex, ...(peerNs !== to ? { netns: to } : {}) };
      }
      link.peer = { ifindex: link.peer.ifindex, ...(peerNs !== to ? { netns: peerNs } : {}) };
    }
  }

  linkDump(ns: NsId): LinkInfo[] {
    return structuredClone(this.tables(ns).links);
  }

  linkGet(ns: NsId, nameOrIndex: string | number): LinkInfo {
    const found = this.tables(ns).links.find((l) =>
      typeof nameOrIndex === 'number' ? l.ifindex === nameOrIndex : l.name === nameOrIndex,
    );
    if (found === undefined) fail(Errno.ENODEV);
    return structuredClone(found);
  }

  // --- addresses ---
  addrAdd(ns: NsId, req: AddrRequest): void {
    const t = this.tables(ns);
    const link = this.link(ns, req.ifindex);
    if (
      t.addrs.some(
        (a) => a.ifindex === req.ifindex && a.local === req.local && a.prefixlen === req.prefixlen,
      )
    ) {
      fail(Errno.EEXIST, 'ipv4: Address already assigned');
    }
    t.addrs.push({
      ifindex: req.ifindex,
      family: 'inet',
      local: req.local,
      prefixlen: req.prefixlen,
      ...(req.broadcast !== undefined ? { broadcast: req.broadcast } : {}),
      scope: req.scope ?? 'global',
      label: link.name,
    });
  }

  addrDel(ns: NsId, req: AddrRequest): void {
    const t = this.tables(ns);
    const index = t.addrs.findIndex(
      (a) => a.ifindex === req.ifindex && a.local === req.local && a.prefixlen === req.prefixlen,
    );
    if (index < 0) fail(Errno.EADDRNOTAVAIL, 'ipv4: Address not found');
    t.addrs.splice(index, 1);
  }

  addrDump(ns: NsId): AddrInfo[] {
    return structuredClone(this.tables(ns).addrs);
  }

  // --- routes ---
  routeAdd(ns: NsId, req: RouteRequest, flags: RouteWriteFlags = {}): void {
    const t = this.tables(ns);
    let oif = req.oif;
    if (oif !== undefined) this.link(ns, oif);
    if (req.gateway !== undefined && !req.onlink) {
      const via = t.routes.find(
        (r) =>
          r.table === 'main' &&
          r.scope === 'link' &&
          r.gateway === undefined &&
          (oif === undefined || r.oif === oif) &&
          covers(r.dst, r.dstLen, req.gateway ?? ''),
      );
      if (via === undefined) fail(Errno.EINVAL, 'Nexthop has invalid gateway');
      oif = via.oif;
    }
    const route: RouteInfo = {
      table: req.table ?? 'main',
      type: req.type ?? 'unicast',
      dst: req.dst,
      dstLen: req.dstLen,
      onlink: req.onlink ?? false,
      scope: req.scope ?? 'global',
      protocol: req.protocol ?? 'boot',
      ...(req.gateway !== undefined ? { gateway: req.gateway } : {}),
      ...(oif !== undefined ? { oif } : {}),
      ...(req.prefsrc !== undefined ? { prefsrc: req.prefsrc } : {}),
      ...(req.metric !== undefined ? { metric: req.metric } : {}),
    };
    const same = (r: RouteInfo) =>
      r.table === route.table &&
      r.dst === route.dst &&
      r.dstLen === route.dstLen &&
      (r.metric ?? 0) === (route.metric ?? 0);
    const existing = t.routes.findIndex(same);
    if (existing >= 0 && flags.replace) {
      t.routes[existing] = route;
      return;
    }
    if (
      existing >= 0 &&
      (!flags.append ||
        t.routes.some((r) => same(r) && r.gateway === route.gateway && r.oif === route.oif))
    ) {
      fail(Errno.EEXIST);
    }
    t.routes.push(route);
    t.routes.sort((a, b) => ipInt(a.dst) - ipInt(b.dst) || a.dstLen - b.dstLen);
  }

  routeDel(ns: NsId, req: Partial<RouteRequest> & { dst: string; dstLen: number }): void {
    const t = this.tables(ns);
    const index = t.routes.findIndex(
      (r) =>
        r.table === (req.table ?? 'main') &&
        r.dst === req.dst &&
        r.dstLen === req.dstLen &&
        (req.gateway === undefined || r.gateway === req.gateway) &&
        (req.oif === undefined || r.oif === req.oif) &&
        (req.type === undefined || r.type === req.type) &&
        (req.metric === undefined || r.metric === req.metric),
    );
    if (index < 0) fail(Errno.ESRCH);
    t.routes.splice(index, 1);
  }

  routeDump(ns: NsId, table: 'main' | 'local' | 'all' = 'main'): RouteInfo[] {
    return structuredClone(
      this.tables(ns).routes.filter((r) => table === 'all' || r.table === table),
    );
  }

  routeGet(ns: NsId, dst: string, opts: { src?: string; oif?: number } = {}): RouteLookup {
    const t = this.tables(ns);
    // The local table is consulted first: own addresses and directed broadcasts.
    const mine = t.addrs.find((a) => a.local === dst);
    if (mine !== undefined) {
      return { type: 'local', dst, oif: 1, prefsrc: opts.src ?? dst };
    }
    const brd = t.routes.find(
      (r) => r.table === 'local' && r.type === 'broadcast' && r.dst === dst,
    );
    if (brd !== undefined) {
      return {
        type: 'broadcast',
        dst,
        oif: brd.oif ?? 0,
        prefsrc: opts.src ?? brd.prefsrc ?? '0.0.0.0',
      };
    }
    let best: RouteInfo | undefined;
    for (const r of t.routes) {
      if (r.table !== 'main' || !covers(r.dst, r.dstLen, dst)) continue;
      if (opts.oif !== undefined && r.oif !== opts.oif) continue;
      if (best === undefined || r.dstLen > best.dstLen) best = r;
    }
    if (best === undefined) fail(Errno.ENETUNREACH);
    if (best.type === 'unreachable') fail(Errno.EHOSTUNREACH);
    if (best.type === 'blackhole' || best.type === 'prohibit') fail(Errno.EINVAL);
    const oif = best.oif ?? 0;
    const prefsrc =
      opts.src ?? best.prefsrc ?? t.addrs.find((a) => a.ifindex === oif)?.local ?? '0.0.0.0';
    return {
      type: best.type,
      dst,
      oif,
      prefsrc,
      ...(best.gateway !== undefined ? { gateway: best.gateway } : {}),
    };
  }

  // --- neighbours ---
  neighAdd(ns: NsId, req: NeighRequest, flags: { replace?: boolean } = {}): void {
    const t = this.tables(ns);
    this.link(ns, req.ifindex);
    const state = req.state ?? 'PERMANENT';
    if (req.lladdr === undefined && state !== 'INCOMPLETE' && state !== 'FAILED') {
      fail(Errno.EINVAL, 'No link layer address given');
    }
    const entry: NeighInfo = {
      ifindex: req.ifindex,
      dst: req.dst,
      state,
      ...(req.lladdr !== undefined ? { lladdr: req.lladdr } : {}),
    };
    const index = t.neighs.findIndex((n) => n.ifindex === req.ifindex && n.dst === req.dst);
    if (index >= 0 && !flags.replace) fail(Errno.EEXIST);
    // The kernel dumps its hash table; newest first stands in for that order.
    if (index >= 0) t.neighs[index] = entry;
    else t.neighs.unshift(entry);
  }

  neighDel(ns: NsId, req: { ifindex: number; dst: string }): void {
    const t = this.tables(ns);
    const index = t.neighs.findIndex((n) => n.ifindex === req.ifindex && n.dst === req.dst);
    if (index < 0) fail(Errno.ENOENT);
    t.neighs.splice(index, 1);
  }

  neighDump(ns: NsId): NeighInfo[] {
    return structuredClone(this.tables(ns).neighs);
  }

  // --- forwarding database ---
  fdbAdd(ns: NsId, req: FdbRequest, flags: FdbWriteFlags = {}): void {
    const t = this.tables(ns);
    const link = this.link(ns, req.ifindex);
    const master = req.master === true;
    if (master && link.master === undefined) fail(Errno.EINVAL);
    const entry: FdbInfo = {
      ifindex: req.ifindex,
      mac: req.mac,
      self: !master,
      state: req.state ?? 'permanent',
      ...(req.dst !== undefined ? { dst: req.dst } : {}),
      ...(master && link.master !== undefined ? { master: link.master } : {}),
    };
    const sameKey = (f: FdbInfo) =>
      f.ifindex === req.ifindex && f.mac === req.mac && f.self === !master;
    const index = t.fdb.findIndex((f) => sameKey(f) && (!flags.append || f.dst === req.dst));
    if (index >= 0 && !flags.replace) fail(Errno.EEXIST);
    if (index >= 0) t.fdb[index] = entry;
    else t.fdb.unshift(entry);
  }

  fdbDel(ns: NsId, req: FdbRequest): void {
    const t = this.tables(ns);
    const master = req.master === true;
    const index = t.fdb.findIndex(
      (f) =>
        f.ifindex === req.ifindex &&
        f.mac === req.mac &&
        f.self === !master &&
        (req.dst === undefined || f.dst === req.dst),
    );
    if (index < 0) fail(Errno.ENOENT);
    t.fdb.splice(index, 1);
  }

  fdbDump(ns: NsId): FdbInfo[] {
    return structuredClone(this.tables(ns).fdb);
  }

  // --- sysctl ---
  sysctlGet(ns: NsId, key: string): string {
    const value = this.tables(ns).sysctl.get(key);
    if (value === undefined) fail(Errno.ENOENT);
    return value;
  }
  sysctlSet(ns: NsId, key: string, value: string): void {
    this.tables(ns).sysctl.set(key, value);
  }

  // --- sockets: not part of what ip and bridge need ---
  icmpOpen(): number {
    return fail(Errno.EOPNOTSUPP);
  }
  icmpSend(): void {
    fail(Errno.EOPNOTSUPP);
  }
  udpOpen(): number {
    return fail(Errno.EOPNOTSUPP);
  }
  udpBind(): void {
    fail(Errno.EOPNOTSUPP);
  }
  udpSend(): void {
    fail(Errno.EOPNOTSUPP);
  }
  tunOpen(): { fd: number; ifindex: number } {
    return fail(Errno.EOPNOTSUPP);
  }
  tunWrite(): void {
    fail(Errno.EOPNOTSUPP);
  }
  captureOpen(): number {
    return fail(Errno.EOPNOTSUPP);
  }
  close(): void {}

  onWireTransmit: ((ifindex: number, frame: Uint8Array) => void) | null = null;
  wireReceive(): void {}
  poll(): void {}
  nextTimer(): number {
    return Infinity;
  }
  dropCounters(): Record<string, number> {
    return {};
  }
}
