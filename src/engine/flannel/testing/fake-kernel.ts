// A recording stand-in for the wasm kernel, for unit tests of flanneld and the CNI plugin.
// It keeps links, addresses, routes, neighbours and FDB entries per namespace, enforces the
// errno contract the real kernel has (EEXIST, ESRCH, ENODEV, ENETUNREACH for an off-link
// gateway) and logs every mutating call in `calls`.

import { Netfilter } from '../../kernel/netfilter.ts';
import { Errno, IFF, NetlinkError, ROOT_NS } from '../../kernel/types.ts';
import type {
  AddrInfo,
  AddrRequest,
  FdbInfo,
  FdbRequest,
  KernelApi,
  LinkAddRequest,
  LinkChange,
  LinkInfo,
  NeighInfo,
  NeighRequest,
  NsId,
  RouteInfo,
  RouteLookup,
  RouteRequest,
} from '../../kernel/types.ts';
import { formatIp4, maskOf, parseIp4 } from '../ip4.ts';

interface Ns {
  links: LinkInfo[];
  addrs: AddrInfo[];
  routes: RouteInfo[];
  neigh: NeighInfo[];
  fdb: FdbInfo[];
  sysctl: Map<string, string>;
}

const ZERO_STATS = {
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

const err = (errno: number, extack?: string) => new NetlinkError(errno, extack);

function masked(ip: string, len: number): string {
  return formatIp4(((parseIp4(ip) ?? 0) & maskOf(len)) >>> 0);
}

function inNet(ip: string, net: string, len: number): boolean {
  return masked(ip, len) === masked(net, len);
}

export class FakeKernel implements KernelApi {
  readonly calls: string[] = [];
  readonly netfilter = new Netfilter();
  readonly namespaces = new Map<NsId, Ns>();
  readonly udpSent: { fd: number; dst: string; port: number; payload: Uint8Array }[] = [];
  readonly tunWritten: { fd: number; packet: Uint8Array }[] = [];
  readonly udpSockets = new Map<
    number,
    {
      ns: NsId;
      handler: (d: Uint8Array, m: { srcAddr: string; srcPort: number; time: number }) => void;
      bound?: string;
    }
  >();
  readonly tuns = new Map<
    number,
    { ns: NsId; ifindex: number; handler: (d: Uint8Array, m: { time: number }) => void }
  >();
  onWireTransmit = null;
  private nextIfindex = 1;
  private nextFd = 3;
  private macSeq = 1;

  constructor() {
    this.netnsAdd(ROOT_NS);
    const ns = this.ns(ROOT_NS);
    ns.sysctl.set('net.bridge.bridge-nf-call-iptables', '1');
    this.addLink(ROOT_NS, {
      name: 'lo',
      kind: 'loopback',
      mtu: 65536,
      address: '00:00:00:00:00:00',
    });
  }

  /** A host NIC 'eth0' with an address, its connected route and (optionally) a default route. */
  addUplink(name: string, addr: string, prefixlen: number, gateway?: string): number {
    const ifindex = this.addLink(ROOT_NS, { name, kind: 'ether', mtu: 1500 });
    this.linkSet(ROOT_NS, ifindex, { up: true });
    this.addrAdd(ROOT_NS, { ifindex, local: addr, prefixlen });
    if (gateway) this.routeAdd(ROOT_NS, { dst: '0.0.0.0', dstLen: 0, gateway, oif: ifindex });
    this.calls.length = 0;
    return ifindex;
  }

  private ns(name: NsId): Ns {
    const ns = this.namespaces.get(name);
    if (!ns) throw err(Errno.ENOENT);
    return ns;
  }

  private addLink(
    nsName: NsId,
    spec: { name: string; kind: LinkInfo['kind']; mtu: number; address?: string | null },
  ): number {
    const ns = this.ns(nsName);
    if (ns.links.some((l) => l.name === spec.name)) throw err(Errno.EEXIST);
    const ifindex = this.nextIfindex++;
    const address =
      spec.address === undefined
        ? `02:00:00:00:00:${(this.macSeq++).toString(16).padStart(2, '0')}`
        : spec.address;
    ns.links.push({
      ifindex,
      name: spec.name,
      kind: spec.kind,
      flags:
        spec.kind === 'loopback'
          ? IFF.LOOPBACK | IFF.UP | IFF.LOWER_UP
          : spec.kind === 'tun'
            ? IFF.POINTOPOINT | IFF.NOARP | IFF.MULTICAST
            : IFF.BROADCAST | IFF.MULTICAST,
      mtu: spec.mtu,
      minMtu: 68,
      maxMtu: 65535,
      operstate: 'DOWN',
      qdisc: 'noqueue',
      txqlen: 1000,
      address,
      broadcast: address === null ? null : 'ff:ff:ff:ff:ff:ff',
      promiscuity: 0,
      allmulti: 0,
      stats: { ...ZERO_STATS },
    });
    return ifindex;
  }

  netnsAdd(name: NsId): void {
    if (this.namespaces.has(name)) throw err(Errno.EEXIST);
    this.namespaces.set(name, {
      links: [],
      addrs: [],
      routes: [],
      neigh: [],
      fdb: [],
      sysctl: new Map(),
    });
    if (name !== ROOT_NS) {
      this.calls.push(`netnsAdd ${name}`);
      this.addLink(name, {
        name: 'lo',
        kind: 'loopback',
        mtu: 65536,
        address: '00:00:00:00:00:00',
      });
    }
  }

  netnsDel(name: NsId): void {
    const ns = this.ns(name);
    for (const l of [...ns.links]) if (l.kind === 'veth') this.linkDel(name, l.ifindex);
    this.namespaces.delete(name);
    this.calls.push(`netnsDel ${name}`);
  }

  netnsList(): NsId[] {
    return [...this.namespaces.keys()].filter((n) => n !== ROOT_NS);
  }

  linkAdd(nsName: NsId, req: LinkAddRequest): number {
    const mtu = req.mtu ?? 1500;
    const ifindex = this.addLink(nsName, {
      name: req.name,
      kind: req.kind,
      mtu,
      address: req.address,
    });
    const link = this.linkGet(nsName, ifindex);
    if (req.kind === 'vxlan' && req.vxlan)
      link.vxlan = { dstport: 8472, learning: true, ageing: 300, ...req.vxlan };
    if (req.kind === 'veth' && req.peer) {
      const peerNs = req.peer.netns ?? nsName;
      const peerIndex = this.addLink(peerNs, { name: req.peer.name, kind: 'veth', mtu });
      link.peer = { ifindex: peerIndex, netns: peerNs === nsName ? undefined : peerNs };
      this.linkGet(peerNs, peerIndex).peer = {
        ifindex,
        netns: peerNs === nsName ? undefined : nsName,
      };
    }
    this.calls.push(
      `linkAdd ${nsName || 'root'} ${req.kind} ${req.name}${req.peer ? ` peer ${req.peer.name}@${req.peer.netns ?? ''}` : ''} mtu ${mtu}`,
    );
    return ifindex;
  }

  linkDel(nsName: NsId, ifindex: number): void {
    const ns = this.ns(nsName);
    const link = this.linkGet(nsName, ifindex);
    ns.links = ns.links.filter((l) => l !== link);
    ns.addrs = ns.addrs.filter((a) => a.ifindex !== ifindex);
    ns.routes = ns.routes.filter((r) => r.oif !== ifindex);
    ns.neigh = ns.neigh.filter((n) => n.ifindex !== ifindex);
    ns.fdb = ns.fdb.filter((f) => f.ifindex !== ifindex);
    this.calls.push(`linkDel ${nsName || 'root'} ${link.name}`);
    if (link.peer) {
      const peerNs = link.peer.netns ?? nsName;
      const peer = this.namespaces.get(peerNs)?.links.find((l) => l.ifindex === link.peer!.ifindex);
      if (peer) {
        peer.peer = undefined;
        this.linkDel(peerNs, peer.ifindex);
      }
    }
  }

  linkSet(nsName: NsId, ifindex: number, change: LinkChange): void {
    const link = this.linkGet(nsName, ifindex);
    if (change.mtu !== undefined) link.mtu = change.mtu;
    if (change.address !== undefined) link.address = change.address;
    if (change.name !== undefined) link.name = change.name;
    if (change.master !== undefined) link.master = change.master || undefined;
    if (change.up !== undefined) {
      link.flags = change.up
        ? link.flags | IFF.UP | IFF.LOWER_UP
        : link.flags & ~(IFF.UP | IFF.LOWER_UP);
      link.operstate = change.up
        ? link.kind === 'ether' || link.kind === 'veth'
          ? 'UP'
          : 'UNKNOWN'
        : 'DOWN';
    }
    if (change.netns !== undefined) {
      const from = this.ns(nsName);
      from.links = from.links.filter((l) => l !== link);
      this.ns(change.netns).links.push(link);
    }
    this.calls.push(`linkSet ${nsName || 'root'} ${link.name} ${JSON.stringify(change)}`);
  }

  linkDump(nsName: NsId): LinkInfo[] {
    return this.ns(nsName).links.map((l) => ({ ...l }));
  }

  linkGet(nsName: NsId, nameOrIndex: string | number): LinkInfo {
    const link = this.ns(nsName).links.find((l) =>
      typeof nameOrIndex === 'number' ? l.ifindex === nameOrIndex : l.name === nameOrIndex,
    );
    if (!link) throw err(Errno.ENODEV);
    return link;
  }

  addrAdd(nsName: NsId, req: AddrRequest): void {
    const ns = this.ns(nsName);
    const link = this.linkGet(nsName, req.ifindex);
    if (ns.addrs.some((a) => a.ifindex === req.ifindex && a.local === req.local))
      throw err(Errno.EEXIST);
    ns.addrs.push({
      ifindex: req.ifindex,
      family: 'inet',
      local: req.local,
      prefixlen: req.prefixlen,
      scope: req.scope ?? 'global',
      label: link.name,
    });
    if (req.prefixlen < 32)
      ns.routes.push({
        table: 'main',
        type: 'unicast',
        dst: masked(req.local, req.prefixlen),
        dstLen: req.prefixlen,
        oif: req.ifindex,
        onlink: false,
        scope: 'link',
        protocol: 'kernel',
        prefsrc: req.local,
      });
    this.calls.push(`addrAdd ${nsName || 'root'} ${link.name} ${req.local}/${req.prefixlen}`);
  }

  addrDel(nsName: NsId, req: AddrRequest): void {
    const ns = this.ns(nsName);
    const i = ns.addrs.findIndex((a) => a.ifindex === req.ifindex && a.local === req.local);
    if (i < 0) throw err(Errno.EADDRNOTAVAIL);
    ns.addrs.splice(i, 1);
    ns.routes = ns.routes.filter((r) => !(r.protocol === 'kernel' && r.prefsrc === req.local));
    this.calls.push(`addrDel ${nsName || 'root'} ${req.local}/${req.prefixlen}`);
  }

  addrDump(nsName: NsId): AddrInfo[] {
    return this.ns(nsName).addrs.map((a) => ({ ...a }));
  }

  routeAdd(nsName: NsId, req: RouteRequest, flags?: { replace?: boolean; append?: boolean }): void {
    const ns = this.ns(nsName);
    if (req.oif !== undefined) this.linkGet(nsName, req.oif);
    let oif = req.oif;
    if (req.gateway && !req.onlink) {
      const via = ns.routes.find(
        (r) =>
          r.gateway === undefined &&
          r.dstLen > 0 &&
          (oif === undefined || r.oif === oif) &&
          inNet(req.gateway!, r.dst, r.dstLen),
      );
      if (!via) throw err(Errno.ENETUNREACH, 'Nexthop has invalid gateway');
      oif ??= via.oif;
    }
    const dst = masked(req.dst, req.dstLen);
    const i = ns.routes.findIndex(
      (r) => r.dst === dst && r.dstLen === req.dstLen && r.table === (req.table ?? 'main'),
    );
    if (i >= 0 && !flags?.replace) throw err(Errno.EEXIST);
    const route: RouteInfo = {
      table: req.table ?? 'main',
      type: req.type ?? 'unicast',
      dst,
      dstLen: req.dstLen,
      gateway: req.gateway,
      oif,
      onlink: req.onlink ?? false,
      scope: req.scope ?? (req.gateway ? 'global' : 'link'),
      protocol: req.protocol ?? 'boot',
      prefsrc: req.prefsrc,
    };
    if (i >= 0) ns.routes[i] = route;
    else ns.routes.push(route);
    this.calls.push(
      `route${flags?.replace ? 'Replace' : 'Add'} ${nsName || 'root'} ${dst}/${req.dstLen}${req.gateway ? ` via ${req.gateway}` : ''} dev ${oif === undefined ? '?' : this.linkGet(nsName, oif).name}${req.onlink ? ' onlink' : ''}`,
    );
  }

  routeDel(nsName: NsId, req: Partial<RouteRequest> & { dst: string; dstLen: number }): void {
    const ns = this.ns(nsName);
    const i = ns.routes.findIndex(
      (r) =>
        r.dst === masked(req.dst, req.dstLen) &&
        r.dstLen === req.dstLen &&
        (req.gateway === undefined || r.gateway === req.gateway),
    );
    if (i < 0) throw err(Errno.ESRCH);
    ns.routes.splice(i, 1);
    this.calls.push(`routeDel ${nsName || 'root'} ${req.dst}/${req.dstLen}`);
  }

  routeDump(nsName: NsId): RouteInfo[] {
    return this.ns(nsName).routes.map((r) => ({ ...r }));
  }

  routeGet(nsName: NsId, dst: string): RouteLookup {
    const best = this.ns(nsName)
      .routes.filter((r) => inNet(dst, r.dst, r.dstLen))
      .sort((a, b) => b.dstLen - a.dstLen)[0];
    if (!best || best.oif === undefined) throw err(Errno.ENETUNREACH);
    const src = this.ns(nsName).addrs.find((a) => a.ifindex === best.oif)?.local ?? '0.0.0.0';
    return {
      type: best.type,
      dst,
      gateway: best.gateway,
      oif: best.oif,
      prefsrc: best.prefsrc ?? src,
    };
  }

  neighAdd(nsName: NsId, req: NeighRequest, flags?: { replace?: boolean }): void {
    const ns = this.ns(nsName);
    const link = this.linkGet(nsName, req.ifindex);
    const i = ns.neigh.findIndex((n) => n.ifindex === req.ifindex && n.dst === req.dst);
    if (i >= 0 && !flags?.replace) throw err(Errno.EEXIST);
    const entry: NeighInfo = {
      ifindex: req.ifindex,
      dst: req.dst,
      lladdr: req.lladdr,
      state: req.state ?? 'PERMANENT',
    };
    if (i >= 0) ns.neigh[i] = entry;
    else ns.neigh.push(entry);
    this.calls.push(
      `neigh${flags?.replace ? 'Replace' : 'Add'} ${req.dst} dev ${link.name} lladdr ${req.lladdr} ${entry.state}`,
    );
  }

  neighDel(nsName: NsId, req: { ifindex: number; dst: string }): void {
    const ns = this.ns(nsName);
    const i = ns.neigh.findIndex((n) => n.ifindex === req.ifindex && n.dst === req.dst);
    if (i < 0) throw err(Errno.ENOENT);
    ns.neigh.splice(i, 1);
    this.calls.push(`neighDel ${req.dst}`);
  }

  neighDump(nsName: NsId): NeighInfo[] {
    return this.ns(nsName).neigh.map((n) => ({ ...n }));
  }

  fdbAdd(nsName: NsId, req: FdbRequest, flags?: { replace?: boolean; append?: boolean }): void {
    const ns = this.ns(nsName);
    const link = this.linkGet(nsName, req.ifindex);
    const i = ns.fdb.findIndex((f) => f.ifindex === req.ifindex && f.mac === req.mac);
    if (i >= 0 && !flags?.replace && !flags?.append) throw err(Errno.EEXIST);
    const entry: FdbInfo = {
      ifindex: req.ifindex,
      mac: req.mac,
      dst: req.dst,
      self: !req.master,
      state: req.state ?? 'permanent',
    };
    if (i >= 0 && flags?.replace) ns.fdb[i] = entry;
    else ns.fdb.push(entry);
    this.calls.push(
      `fdb${flags?.replace ? 'Replace' : 'Add'} ${req.mac} dev ${link.name} dst ${req.dst}`,
    );
  }

  fdbDel(nsName: NsId, req: FdbRequest): void {
    const ns = this.ns(nsName);
    const i = ns.fdb.findIndex(
      (f) =>
        f.ifindex === req.ifindex &&
        f.mac === req.mac &&
        (req.dst === undefined || f.dst === req.dst),
    );
    if (i < 0) throw err(Errno.ENOENT);
    ns.fdb.splice(i, 1);
    this.calls.push(`fdbDel ${req.mac}`);
  }

  fdbDump(nsName: NsId): FdbInfo[] {
    return this.ns(nsName).fdb.map((f) => ({ ...f }));
  }

  sysctlGet(nsName: NsId, key: string): string {
    const v = this.ns(nsName).sysctl.get(key);
    if (v === undefined) throw err(Errno.ENOENT);
    return v;
  }

  sysctlSet(nsName: NsId, key: string, value: string): void {
    this.ns(nsName).sysctl.set(key, value);
    this.calls.push(`sysctl ${nsName || 'root'} ${key}=${value}`);
  }

  icmpOpen(): number {
    throw err(Errno.EOPNOTSUPP);
  }

  icmpSend(): void {
    throw err(Errno.EOPNOTSUPP);
  }

  udpOpen(
    ns: NsId,
    handler: (d: Uint8Array, m: { srcAddr: string; srcPort: number; time: number }) => void,
  ): number {
    const fd = this.nextFd++;
    this.udpSockets.set(fd, { ns, handler });
    return fd;
  }

  udpBind(fd: number, addr: string, port: number): void {
    const sock = this.udpSockets.get(fd);
    if (!sock) throw err(Errno.EBADF);
    sock.bound = `${addr}:${port}`;
    this.calls.push(`udpBind ${addr}:${port}`);
  }

  udpSend(fd: number, dst: string, port: number, payload: Uint8Array): void {
    if (!this.udpSockets.has(fd)) throw err(Errno.EBADF);
    this.udpSent.push({ fd, dst, port, payload: payload.slice() });
  }

  tunOpen(nsName: NsId, name: string, handler: (d: Uint8Array, m: { time: number }) => void) {
    const ifindex = this.addLink(nsName, { name, kind: 'tun', mtu: 1500, address: null });
    const link = this.linkGet(nsName, ifindex);
    link.qdisc = 'pfifo_fast';
    link.txqlen = 500;
    const fd = this.nextFd++;
    this.tuns.set(fd, { ns: nsName, ifindex, handler });
    this.calls.push(`tunOpen ${name}`);
    return { fd, ifindex };
  }

  tunWrite(fd: number, packet: Uint8Array): void {
    if (!this.tuns.has(fd)) throw err(Errno.EBADF);
    this.tunWritten.push({ fd, packet: packet.slice() });
  }

  captureOpen(): number {
    throw err(Errno.EOPNOTSUPP);
  }

  close(fd: number): void {
    const tun = this.tuns.get(fd);
    if (tun) {
      this.tuns.delete(fd);
      this.linkDel(tun.ns, tun.ifindex);
      return;
    }
    if (!this.udpSockets.delete(fd)) throw err(Errno.EBADF);
  }

  wireReceive(): void {}

  poll(): void {}

  nextTimer(): number {
    return Infinity;
  }

  dropCounters(): Record<string, number> {
    return {};
  }
}
