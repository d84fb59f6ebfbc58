// `Kernel`: the userspace side of one host's kernel.wasm instance.
//
// Every call is encoded as one netlink-like request in the module's linear memory (see
// ./assembly/abi.ts); the reply is decoded from memory. Nothing here keeps kernel state: the
// socket table below only maps the kernel's fds to userspace callbacks.
// Data for sockets is queued while the module runs and handed to the callbacks (as copies)
// after the call returns, so a callback may call back into the kernel. `onWireTransmit` is the
// exception: it runs during the call with a view into linear memory (copy it if you keep it) and
// must not call back into the same kernel.
//
// Construction: `await Kernel.create({ module, clock, random?, hostname? })`, where `module` comes
// from `loadKernelModule()` (./load-node.ts) in Node or `WebAssembly.compileStreaming(fetch(url))`
// with Vite's `?url` in a worker.

import * as A from './assembly/abi.ts';
import { LINK_KINDS } from './link-kinds.ts';
import type { LabClock } from '../os/clock.ts';
import {
  NetlinkError,
  Errno,
  ROOT_NS,
  type AddrInfo,
  type AddrRequest,
  type AddrScope,
  type CaptureMeta,
  type DatagramMeta,
  type FdbInfo,
  type FdbRequest,
  type FdbState,
  type FdbWriteFlags,
  type IcmpSendOptions,
  type KernelApi,
  type LinkAddRequest,
  type LinkChange,
  type LinkInfo,
  type LinkKind,
  type NeighInfo,
  type NeighRequest,
  type NeighState,
  type NsId,
  type OperState,
  type RouteInfo,
  type RouteLookup,
  type RouteProtocol,
  type RouteRequest,
  type RouteScope,
  type RouteType,
  type RouteWriteFlags,
  type SocketHandler,
  type ConntrackEntry,
  type QdiscInfo,
  type QdiscKind,
  type QdiscOptions,
  type QdiscRequest,
  type QdiscStats,
  type QdiscWriteFlags,
} from './types.ts';
import { Netfilter } from './netfilter.ts';
import { compileRules } from './netfilter-compile.ts';
import { JourneyRecorder, type HostJourney } from './journey.ts';
import { RequestWriter, decodeRecords, type Record as Reply } from './message.ts';
import { formatIpv4, parseIpv4 } from '../packet/ipaddr.ts';
import { parseMac } from '../packet/mac.ts';

export interface KernelOptions {
  /** The compiled kernel (`loadKernelModule()` in Node; `WebAssembly.compileStreaming` in a browser). */
  module: WebAssembly.Module;
  clock: LabClock;
  /** Seeds MACs, IP ids and ports; defaults to Math.random. */
  random?: () => number;
  hostname?: string;
}

interface KernelExports {
  memory: WebAssembly.Memory;
  init(lo: number, hi: number): void;
  setNow(t: number): void;
  reqPtr(): number;
  reqSize(): number;
  outPtr(): number;
  outSize(): number;
  nl(len: number): number;
  rxBegin(): number;
  rxMax(): number;
  rxCommit(ifindex: number, len: number): number;
  rxDropped(ifindex: number, n: number): void;
  poll(): void;
  nextTimer(): number;
  freeBuffers(): number;
  benchInject(nsLen: number, ifindex: number, frameLen: number, count: number): number;
  setJourney(on: number): void;
  __collect(): void;
}

/** The module's `journeyEvent` import (assembly/host.ts): a record, its words and bytes, the
 * netns's name in UTF-16. */
type JourneyEventImport = (
  kind: number,
  slot: number,
  words: number,
  nwords: number,
  data: number,
  dataLen: number,
  ns: number,
  nsLen: number,
) => void;

/** The module uses AssemblyScript's minimal runtime (no shadow stack, so a fast packet path):
 * garbage from configuration calls is collected from here, between calls. */
const COLLECT_EVERY = 512;

const NO_RECORDS: readonly Reply[] = Object.freeze([]);

type SocketKind = 'icmp' | 'udp' | 'tun' | 'capture';

interface Socket {
  kind: SocketKind;
  ns: NsId;
  handler: SocketHandler<never>;
}

interface Delivery {
  kind: number;
  fd: number;
  data: Uint8Array;
  a: number;
  b: number;
  time: number;
}

const SCOPES: Record<AddrScope, number> = { global: 0, site: 200, link: 253, host: 254 };
const ROUTE_TYPES: Record<RouteType, number> = {
  unicast: 1,
  local: 2,
  broadcast: 3,
  blackhole: 6,
  unreachable: 7,
  prohibit: 8,
};
const PROTOCOLS: Record<string, number> = { kernel: 2, boot: 3, static: 4 };
const NEIGH_STATES: Record<NeighState, number> = {
  INCOMPLETE: 0x01,
  REACHABLE: 0x02,
  STALE: 0x04,
  DELAY: 0x08,
  PROBE: 0x10,
  FAILED: 0x20,
  NOARP: 0x40,
  PERMANENT: 0x80,
};
const FDB_STATES: Record<FdbState, number> = { permanent: 1, static: 2, reachable: 3 };
const OPERSTATES: Record<number, OperState> = {
  0: 'UNKNOWN',
  2: 'DOWN',
  3: 'LOWERLAYERDOWN',
  6: 'UP',
};

/** TC_OPTIONS' f64s, in assembly/qdisc.ts's order; the probabilities cross scaled to 2^32 - 1. */
const QDISC_OPTION_ORDER = [
  'limit',
  'latency',
  'jitter',
  'loss',
  'duplicate',
  'corrupt',
  'reorder',
  'gap',
  'rate',
] as const satisfies readonly (keyof QdiscOptions)[];
const PROBABILITIES = ['loss', 'duplicate', 'corrupt', 'reorder'] as const;

function invert<K extends string>(m: Record<K, number>): Map<number, K> {
  return new Map(Object.entries(m).map(([k, v]) => [v as number, k as K]));
}
const SCOPE_NAMES = invert(SCOPES);
const ROUTE_TYPE_NAMES = invert(ROUTE_TYPES);
const NEIGH_STATE_NAMES = invert(NEIGH_STATES);
const FDB_STATE_NAMES = invert(FDB_STATES);

function ip(s: string | undefined, what = 'address'): number {
  const v = s === undefined ? null : parseIpv4(s);
  if (v === null) throw new NetlinkError(Errno.EINVAL, `Invalid ${what} "${s}"`);
  return v;
}

function mac(s: string): Uint8Array {
  const m = parseMac(s);
  if (!m) throw new NetlinkError(Errno.EINVAL, `Invalid MAC address "${s}"`);
  return m;
}

function routeScope(s: RouteScope | undefined): number | undefined {
  return s === undefined ? undefined : SCOPES[s];
}

function protocolNumber(p: RouteProtocol | undefined): number {
  if (p === undefined) return 3;
  return typeof p === 'number' ? p : PROTOCOLS[p];
}

function protocolName(n: number): RouteProtocol {
  return n === 2 ? 'kernel' : n === 3 ? 'boot' : n === 4 ? 'static' : n;
}

export class Kernel implements KernelApi {
  /** Hands a frame to the wire; `false` means the NIC's queue is full and it was dropped. */
  onWireTransmit: ((ifindex: number, frame: Uint8Array) => boolean | void) | null = null;
  readonly hostname: string;

  private readonly x: KernelExports;
  private readonly clock: LabClock;
  private readonly sockets = new Map<number, Socket>();
  private pending: Delivery[] = [];
  /** Each namespace's iptables tables: every change is compiled into the module, which
   * evaluates them on the packet path and keeps their counters. */
  private readonly tables = new Map<NsId, Netfilter>();

  /** The host's (root namespace's) tables. */
  get netfilter(): Netfilter {
    return this.netfilterFor(ROOT_NS);
  }

  netfilterFor(ns: NsId): Netfilter {
    let nf = this.tables.get(ns);
    if (!nf) {
      nf = new Netfilter({
        load: (tables) => {
          const { rules, counters } = compileRules(tables);
          this.nsRequest(A.MSG_NF_LOAD, 0, ns, (w) => {
            w.bytesAttr(A.A_DATA, rules);
            w.bytesAttr(A.A_NF_COUNTERS, new Uint8Array(counters.buffer));
          });
        },
        counters: () => {
          const [r] = this.nsRequest(A.MSG_NF_COUNTERS, 0, ns);
          return new Float64Array(r ? r.f64s(A.A_NF_COUNTERS) : []);
        },
      });
      this.tables.set(ns, nf);
    }
    return nf;
  }
  /** The lab-clock timer that will run `poll`, and when. */
  private timerAt = Infinity;
  private cancelTimer: (() => void) | null = null;
  private depth = 0;
  /** The lab time the current call runs at (what the kernel was told), for its deliveries. */
  private callTime = 0;
  private calls = 0;
  private wireError: unknown = null;
  private journey: JourneyRecorder | null = null;

  /** Instantiates a fresh kernel: the root namespace with `lo` up (127.0.0.1/8). */
  static async create(opts: KernelOptions): Promise<Kernel> {
    let self: Kernel | null = null;
    const imports = {
      env: {
        abort(_msg: number, _file: number, line: number, col: number): void {
          throw new Error(`kernel.wasm: abort at ${line}:${col}`);
        },
      },
      host: {
        wireTx(ifindex: number, ptr: number, len: number): number {
          return self?.transmit(ifindex, ptr, len) === false ? 0 : 1;
        },
        deliver(kind: number, fd: number, ptr: number, len: number, a: number, b: number): void {
          self?.queue(kind, fd, ptr, len, a, b);
        },
        journeyEvent(...args: Parameters<JourneyEventImport>): void {
          self?.journeyEvent(...args);
        },
      },
    };
    const instance = await WebAssembly.instantiate(opts.module, imports);
    self = new Kernel(instance.exports as unknown as KernelExports, opts);
    return self;
  }

  private constructor(x: KernelExports, opts: KernelOptions) {
    this.x = x;
    this.clock = opts.clock;
    this.hostname = opts.hostname ?? 'localhost';
    const random = opts.random ?? Math.random;
    x.setNow(this.clock.now());
    x.init((random() * 2 ** 32) >>> 0, (random() * 2 ** 32) >>> 0);
  }

  // --- plumbing ------------------------------------------------------------------------------

  private transmit(ifindex: number, ptr: number, len: number): boolean | void {
    const fn = this.onWireTransmit;
    if (!fn) return;
    try {
      return fn(ifindex, new Uint8Array(this.x.memory.buffer, ptr, len));
    } catch (err) {
      // Never unwind through the module mid-packet: report after the call instead.
      this.wireError ??= err;
    }
  }

  private queue(kind: number, fd: number, ptr: number, len: number, a: number, b: number): void {
    const data = new Uint8Array(this.x.memory.buffer, ptr, len).slice();
    this.pending.push({ kind, fd, data, a: a >>> 0, b: b >>> 0, time: this.callTime });
  }

  private journeyEvent(
    ...[kind, slot, words, nwords, data, dataLen, ns, nsLen]: Parameters<JourneyEventImport>
  ): void {
    const mem = this.x.memory.buffer;
    const name = String.fromCharCode(...new Uint16Array(mem, ns, nsLen >> 1));
    this.journey?.record(
      kind,
      slot,
      name,
      new Uint32Array(mem, words, nwords).slice(),
      dataLen > 0 ? new Uint8Array(mem, data, dataLen).slice() : null,
      this.callTime,
    );
  }

  /** Starts the packet journey recorder (see ./journey.ts); a running one starts over. */
  journeyStart(): void {
    this.journey = new JourneyRecorder();
    this.x.setJourney(1);
  }

  /** Stops the recorder; returns what it saw (nothing when it was not running). */
  journeyStop(): HostJourney {
    const rec = this.journey;
    this.journey = null;
    this.x.setJourney(0);
    if (!rec) return { frames: [], links: {}, missed: 0 };
    return rec.finish((ns) => {
      try {
        return this.linkDump(ns);
      } catch {
        return []; // the namespace is gone
      }
    });
  }

  private enter(): void {
    if (this.depth > 0) throw new Error('kernel: re-entrant call from inside a kernel call');
    this.depth++;
    this.callTime = this.clock.now();
    this.x.setNow(this.callTime);
  }

  private leave(): void {
    this.depth--;
    if (++this.calls % COLLECT_EVERY === 0) this.x.__collect();
    const err = this.wireError;
    this.wireError = null;
    this.dispatch();
    this.armTimer();
    if (err) throw err;
  }

  /**
   * The kernel keeps its own timers (ARP retries, neighbour and FDB ageing): after each call,
   * make sure a lab-clock timer runs `poll` when the earliest of them is due.
   */
  private armTimer(): void {
    if (this.depth > 0) return;
    const next = this.x.nextTimer();
    if (next >= this.timerAt) return;
    this.cancelTimer?.();
    this.timerAt = next;
    this.cancelTimer = null;
    if (!Number.isFinite(next)) return;
    this.cancelTimer = this.clock.setTimer(Math.max(0, next - this.clock.now()), () => {
      this.timerAt = Infinity;
      this.cancelTimer = null;
      this.poll();
    });
  }

  private dispatch(): void {
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      const names = new Map<string, string>();
      for (const d of batch) {
        const sock = this.sockets.get(d.fd);
        if (!sock) continue;
        if (d.kind === A.DELIVER_UDP) {
          const meta: DatagramMeta = { srcAddr: formatIpv4(d.a), srcPort: d.b, time: d.time };
          (sock.handler as SocketHandler<DatagramMeta>)(d.data, meta);
        } else if (d.kind === A.DELIVER_CAPTURE) {
          const key = `${sock.ns}\u0000${d.a}`;
          let name = names.get(key);
          if (name === undefined) {
            try {
              name = this.linkGet(sock.ns, d.a).name;
            } catch {
              name = `if${d.a}`;
            }
            names.set(key, name);
          }
          const meta: CaptureMeta = {
            ifindex: d.a,
            ifname: name,
            direction: (d.b & 0xff) === A.DIR_OUT ? 'out' : 'in',
            linktype: d.b >> 8 === 101 ? 101 : 1,
            time: d.time,
          };
          (sock.handler as SocketHandler<CaptureMeta>)(d.data, meta);
        } else {
          (sock.handler as SocketHandler<{ time: number }>)(d.data, { time: d.time });
        }
      }
    }
  }

  private request(type: number, flags: number, fill: (w: RequestWriter) => void): readonly Reply[] {
    this.enter();
    try {
      const w = new RequestWriter(
        this.x.memory.buffer,
        this.x.reqPtr(),
        this.x.reqSize(),
        type,
        flags,
      );
      fill(w);
      const r = this.x.nl(w.length);
      const size = this.x.outSize();
      // Most requests (a send, an add) answer nothing: no copy, no decoding.
      const out =
        size === 0
          ? NO_RECORDS
          : decodeRecords(new Uint8Array(this.x.memory.buffer, this.x.outPtr(), size).slice());
      if (r < 0) {
        const rec = out[0];
        const extack = rec?.has(A.A_EXTACK) ? rec.str(A.A_EXTACK) : undefined;
        const mtu = rec?.has(A.A_ERR_MTU) ? rec.u32(A.A_ERR_MTU) : undefined;
        throw new NetlinkError(-r, extack, mtu);
      }
      return out;
    } finally {
      this.leave();
    }
  }

  private nsRequest(
    type: number,
    flags: number,
    ns: NsId,
    fill?: (w: RequestWriter) => void,
  ): readonly Reply[] {
    return this.request(type, flags, (w) => {
      w.str(A.A_NS, ns);
      fill?.(w);
    });
  }

  // --- namespaces ----------------------------------------------------------------------------

  netnsAdd(name: NsId): void {
    if (name === ROOT_NS) throw new NetlinkError(Errno.EEXIST);
    this.nsRequest(A.MSG_NETNS_ADD, 0, name);
  }

  netnsDel(name: NsId): void {
    this.nsRequest(A.MSG_NETNS_DEL, 0, name);
    this.tables.delete(name);
    for (const [fd, s] of this.sockets) if (s.ns === name) this.sockets.delete(fd);
  }

  netnsList(): NsId[] {
    return this.request(A.MSG_NETNS_LIST, 0, () => {}).map((r) => r.str(A.A_NS));
  }

  // --- links ---------------------------------------------------------------------------------

  linkAdd(ns: NsId, req: LinkAddRequest): number {
    const [rec] = this.nsRequest(A.RTM_NEWLINK, A.NLM_F_CREATE | A.NLM_F_EXCL, ns, (w) => {
      w.str(A.A_NAME, req.name).str(A.A_KIND, req.kind);
      if (req.mtu !== undefined) w.u32(A.A_MTU, req.mtu);
      if (req.address !== undefined) w.bytesAttr(A.A_ADDRESS, mac(req.address));
      if (req.txqlen !== undefined) w.u32(A.A_TXQLEN, req.txqlen >>> 0);
      if (req.peer) {
        w.str(A.A_PEER_NAME, req.peer.name);
        if (req.peer.netns !== undefined) w.str(A.A_PEER_NS, req.peer.netns);
        if (req.peer.txqlen !== undefined) w.u32(A.A_PEER_TXQLEN, req.peer.txqlen >>> 0);
      }
      const vx = req.vxlan;
      if (vx) {
        w.u32(A.A_VNI, vx.vni);
        if (vx.local !== undefined) w.u32(A.A_VX_LOCAL, ip(vx.local));
        if (vx.dev !== undefined) w.u32(A.A_VX_DEV, vx.dev);
        if (vx.dstport !== undefined) w.u32(A.A_DSTPORT, vx.dstport);
        if (vx.learning !== undefined) w.u32(A.A_LEARNING, vx.learning ? 1 : 0);
        if (vx.ageing !== undefined) w.u32(A.A_AGEING, vx.ageing);
        if (vx.ttl !== undefined) w.u32(A.A_VX_TTL, vx.ttl);
      } else if (req.kind === 'vxlan') {
        throw new NetlinkError(Errno.EINVAL, 'Missing VXLAN ID');
      }
    });
    return rec.u32(A.A_IFINDEX);
  }

  linkDel(ns: NsId, ifindex: number): void {
    this.nsRequest(A.RTM_DELLINK, 0, ns, (w) => w.u32(A.A_IFINDEX, ifindex));
  }

  linkSet(ns: NsId, ifindex: number, change: LinkChange): void {
    this.nsRequest(A.RTM_SETLINK, 0, ns, (w) => {
      w.u32(A.A_IFINDEX, ifindex);
      if (change.name !== undefined) w.str(A.A_NAME, change.name);
      if (change.mtu !== undefined) w.u32(A.A_MTU, change.mtu);
      if (change.address !== undefined) w.bytesAttr(A.A_ADDRESS, mac(change.address));
      if (change.master !== undefined) w.u32(A.A_MASTER, change.master);
      if (change.netns !== undefined) w.str(A.A_NETNS, change.netns);
      if (change.txqlen !== undefined) w.u32(A.A_TXQLEN, change.txqlen >>> 0);
      if (change.hairpin !== undefined) w.u32(A.A_HAIRPIN, change.hairpin ? 1 : 0);
      if (change.up !== undefined) w.u32(A.A_UP, change.up ? 1 : 0);
    });
  }

  linkDump(ns: NsId): LinkInfo[] {
    return this.nsRequest(A.RTM_GETLINK, A.NLM_F_DUMP, ns).map((r) => this.decodeLink(r));
  }

  linkGet(ns: NsId, nameOrIndex: string | number): LinkInfo {
    const [rec] = this.nsRequest(A.RTM_GETLINK, 0, ns, (w) => {
      if (typeof nameOrIndex === 'string') w.str(A.A_NAME, nameOrIndex);
      else w.u32(A.A_IFINDEX, nameOrIndex);
    });
    return this.decodeLink(rec);
  }

  private decodeLink(r: Reply): LinkInfo {
    const kind = r.str(A.A_KIND) as LinkKind;
    const s = r.f64s(A.A_STATS);
    const info: LinkInfo = {
      ifindex: r.u32(A.A_IFINDEX),
      name: r.str(A.A_NAME),
      kind,
      flags: r.u32(A.A_FLAGS),
      mtu: r.u32(A.A_MTU),
      minMtu: r.u32(A.A_MINMTU),
      maxMtu: r.u32(A.A_MAXMTU),
      operstate: OPERSTATES[r.u32(A.A_OPERSTATE)] ?? 'UNKNOWN',
      qdisc: r.has(A.A_QDISC) ? LINK_KINDS[kind].qdisc : 'noop',
      // The kernel keeps it as an unsigned int; ip prints it with %d (qlen -1).
      txqlen: r.u32(A.A_TXQLEN) | 0,
      address: r.has(A.A_ADDRESS) ? r.mac(A.A_ADDRESS) : null,
      broadcast: r.has(A.A_BROADCAST) ? r.mac(A.A_BROADCAST) : null,
      promiscuity: r.u32(A.A_PROMISC),
      allmulti: r.u32(A.A_ALLMULTI),
      stats: {
        rxBytes: s[0],
        rxPackets: s[1],
        rxErrors: s[2],
        rxDropped: s[3],
        rxMissed: s[4],
        rxMcast: s[5],
        txBytes: s[6],
        txPackets: s[7],
        txErrors: s[8],
        txDropped: s[9],
        txCarrier: s[10],
        txCollisions: s[11],
      },
    };
    if (r.has(A.A_MASTER)) {
      info.master = r.u32(A.A_MASTER);
      info.bridgePort = { portNo: r.u32(A.A_PORTNO), hairpin: r.has(A.A_HAIRPIN) };
    }
    if (r.has(A.A_PEER_IFINDEX)) {
      info.peer = { ifindex: r.u32(A.A_PEER_IFINDEX) };
      if (r.has(A.A_PEER_NS)) info.peer.netns = r.str(A.A_PEER_NS);
    }
    if (kind === 'vxlan') {
      info.vxlan = {
        vni: r.u32(A.A_VNI),
        dstport: r.u32(A.A_DSTPORT),
        learning: r.u32(A.A_LEARNING) !== 0,
        ageing: r.u32(A.A_AGEING),
        ttl: r.u32(A.A_VX_TTL),
      };
      if (r.has(A.A_VX_LOCAL)) info.vxlan.local = r.ip(A.A_VX_LOCAL);
      if (r.has(A.A_VX_DEV)) info.vxlan.dev = r.u32(A.A_VX_DEV);
    }
    if (kind === 'bridge') info.bridge = { ageingTime: r.u32(A.A_BR_AGEING) };
    return info;
  }

  // --- addresses -----------------------------------------------------------------------------

  private addrRequest(type: number, ns: NsId, req: AddrRequest): void {
    this.nsRequest(type, type === A.RTM_NEWADDR ? A.NLM_F_CREATE | A.NLM_F_EXCL : 0, ns, (w) => {
      w.u32(A.A_IFINDEX, req.ifindex).u32(A.A_LOCAL, ip(req.local));
      w.u32(A.A_PREFIXLEN, req.prefixlen);
      if (req.broadcast !== undefined) w.u32(A.A_BROADCAST, ip(req.broadcast));
      if (req.scope !== undefined) w.u32(A.A_SCOPE, SCOPES[req.scope]);
    });
  }

  addrAdd(ns: NsId, req: AddrRequest): void {
    this.addrRequest(A.RTM_NEWADDR, ns, req);
  }

  addrDel(ns: NsId, req: AddrRequest): void {
    this.addrRequest(A.RTM_DELADDR, ns, req);
  }

  addrDump(ns: NsId): AddrInfo[] {
    return this.nsRequest(A.RTM_GETADDR, A.NLM_F_DUMP, ns).map((r) => {
      const a: AddrInfo = {
        ifindex: r.u32(A.A_IFINDEX),
        family: 'inet',
        local: r.ip(A.A_LOCAL),
        prefixlen: r.u32(A.A_PREFIXLEN),
        scope: (SCOPE_NAMES.get(r.u32(A.A_SCOPE)) ?? 'global') as AddrScope,
        label: r.str(A.A_LABEL),
      };
      if (r.has(A.A_BROADCAST)) a.broadcast = r.ip(A.A_BROADCAST);
      return a;
    });
  }

  // --- routes --------------------------------------------------------------------------------

  routeAdd(ns: NsId, req: RouteRequest, flags: RouteWriteFlags = {}): void {
    let nlFlags = A.NLM_F_CREATE;
    if (flags.replace) nlFlags |= A.NLM_F_REPLACE;
    else if (flags.append) nlFlags |= A.NLM_F_APPEND;
    else nlFlags |= A.NLM_F_EXCL;
    this.nsRequest(A.RTM_NEWROUTE, nlFlags, ns, (w) => {
      w.u32(A.A_TABLE, req.table === 'local' ? A.TABLE_LOCAL : A.TABLE_MAIN);
      w.u32(A.A_TYPE, ROUTE_TYPES[req.type ?? 'unicast']);
      w.u32(A.A_DST, ip(req.dst, 'prefix')).u32(A.A_DSTLEN, req.dstLen);
      if (req.gateway !== undefined) w.u32(A.A_GATEWAY, ip(req.gateway, 'gateway'));
      if (req.oif !== undefined) w.u32(A.A_OIF, req.oif);
      if (req.onlink) w.u32(A.A_ONLINK, 1);
      const scope = routeScope(req.scope);
      if (scope !== undefined) w.u32(A.A_SCOPE, scope);
      w.u32(A.A_PROTO, protocolNumber(req.protocol));
      if (req.prefsrc !== undefined) w.u32(A.A_PREFSRC, ip(req.prefsrc));
      if (req.metric !== undefined) w.u32(A.A_METRIC, req.metric);
    });
  }

  routeDel(ns: NsId, req: Partial<RouteRequest> & { dst: string; dstLen: number }): void {
    this.nsRequest(A.RTM_DELROUTE, 0, ns, (w) => {
      w.u32(A.A_TABLE, req.table === 'local' ? A.TABLE_LOCAL : A.TABLE_MAIN);
      w.u32(A.A_DST, ip(req.dst, 'prefix')).u32(A.A_DSTLEN, req.dstLen);
      if (req.type !== undefined) w.u32(A.A_TYPE, ROUTE_TYPES[req.type]);
      if (req.gateway !== undefined) w.u32(A.A_GATEWAY, ip(req.gateway, 'gateway'));
      if (req.oif !== undefined) w.u32(A.A_OIF, req.oif);
      const scope = routeScope(req.scope);
      if (scope !== undefined) w.u32(A.A_SCOPE, scope);
      if (req.protocol !== undefined) w.u32(A.A_PROTO, protocolNumber(req.protocol));
      if (req.metric !== undefined) w.u32(A.A_METRIC, req.metric);
    });
  }

  routeDump(ns: NsId, table: 'main' | 'local' | 'all' = 'main'): RouteInfo[] {
    const filter =
      table === 'main' ? A.TABLE_MAIN : table === 'local' ? A.TABLE_LOCAL : A.TABLE_ALL;
    return this.nsRequest(A.RTM_GETROUTE, A.NLM_F_DUMP, ns, (w) =>
      w.u32(A.A_TABLE_FILTER, filter),
    ).map((r) => {
      const info: RouteInfo = {
        table: r.u32(A.A_TABLE) === A.TABLE_LOCAL ? 'local' : 'main',
        type: (ROUTE_TYPE_NAMES.get(r.u32(A.A_TYPE)) ?? 'unicast') as RouteType,
        dst: r.ip(A.A_DST),
        dstLen: r.u32(A.A_DSTLEN),
        onlink: r.u32(A.A_ONLINK) !== 0,
        scope: (SCOPE_NAMES.get(r.u32(A.A_SCOPE)) ?? 'global') as RouteScope,
        protocol: protocolName(r.u32(A.A_PROTO)),
      };
      if (r.has(A.A_GATEWAY)) info.gateway = r.ip(A.A_GATEWAY);
      if (r.has(A.A_OIF)) info.oif = r.u32(A.A_OIF);
      if (r.has(A.A_PREFSRC)) info.prefsrc = r.ip(A.A_PREFSRC);
      if (r.has(A.A_METRIC)) info.metric = r.u32(A.A_METRIC);
      return info;
    });
  }

  routeGet(ns: NsId, dst: string, opts: { src?: string; oif?: number } = {}): RouteLookup {
    const [r] = this.nsRequest(A.RTM_GETROUTE, 0, ns, (w) => {
      w.u32(A.A_DST, ip(dst));
      if (opts.src !== undefined) w.u32(A.A_SRC, ip(opts.src));
      if (opts.oif !== undefined) w.u32(A.A_OIF, opts.oif);
    });
    const out: RouteLookup = {
      type: (ROUTE_TYPE_NAMES.get(r.u32(A.A_TYPE)) ?? 'unicast') as RouteType,
      dst: r.ip(A.A_DST),
      oif: r.u32(A.A_OIF),
      prefsrc: r.ip(A.A_PREFSRC),
    };
    if (r.has(A.A_GATEWAY)) out.gateway = r.ip(A.A_GATEWAY);
    return out;
  }

  // --- neighbours ----------------------------------------------------------------------------

  neighAdd(ns: NsId, req: NeighRequest, flags: { replace?: boolean } = {}): void {
    const nl = A.NLM_F_CREATE | (flags.replace ? A.NLM_F_REPLACE : A.NLM_F_EXCL);
    this.nsRequest(A.RTM_NEWNEIGH, nl, ns, (w) => {
      w.u32(A.A_IFINDEX, req.ifindex).u32(A.A_DST, ip(req.dst));
      if (req.lladdr !== undefined) w.bytesAttr(A.A_LLADDR, mac(req.lladdr));
      w.u32(A.A_STATE, NEIGH_STATES[req.state ?? 'PERMANENT']);
    });
  }

  neighDel(ns: NsId, req: { ifindex: number; dst: string }): void {
    this.nsRequest(A.RTM_DELNEIGH, 0, ns, (w) => {
      w.u32(A.A_IFINDEX, req.ifindex).u32(A.A_DST, ip(req.dst));
    });
  }

  neighDump(ns: NsId): NeighInfo[] {
    return this.nsRequest(A.RTM_GETNEIGH, A.NLM_F_DUMP, ns).map((r) => {
      const n: NeighInfo = {
        ifindex: r.u32(A.A_IFINDEX),
        dst: r.ip(A.A_DST),
        state: (NEIGH_STATE_NAMES.get(r.u32(A.A_STATE)) ?? 'FAILED') as NeighState,
      };
      if (r.has(A.A_LLADDR)) n.lladdr = r.mac(A.A_LLADDR);
      return n;
    });
  }

  // --- forwarding database -------------------------------------------------------------------

  fdbAdd(ns: NsId, req: FdbRequest, flags: FdbWriteFlags = {}): void {
    let nl = A.NLM_F_CREATE;
    if (flags.replace) nl |= A.NLM_F_REPLACE;
    else if (flags.append) nl |= A.NLM_F_APPEND;
    else nl |= A.NLM_F_EXCL;
    this.nsRequest(A.MSG_NEWFDB, nl, ns, (w) => this.fdbFields(w, req));
  }

  fdbDel(ns: NsId, req: FdbRequest): void {
    this.nsRequest(A.MSG_DELFDB, 0, ns, (w) => this.fdbFields(w, req));
  }

  private fdbFields(w: RequestWriter, req: FdbRequest): void {
    w.u32(A.A_IFINDEX, req.ifindex).bytesAttr(A.A_LLADDR, mac(req.mac));
    if (req.dst !== undefined) w.u32(A.A_DST, ip(req.dst));
    w.u32(A.A_SELF, req.master ? 0 : 1);
    w.u32(A.A_STATE, FDB_STATES[req.state ?? 'permanent']);
  }

  fdbDump(ns: NsId): FdbInfo[] {
    return this.nsRequest(A.MSG_GETFDB, A.NLM_F_DUMP, ns).map((r) => {
      const f: FdbInfo = {
        ifindex: r.u32(A.A_IFINDEX),
        mac: r.mac(A.A_LLADDR),
        self: r.u32(A.A_SELF) !== 0,
        state: (FDB_STATE_NAMES.get(r.u32(A.A_STATE)) ?? 'permanent') as FdbState,
      };
      if (r.has(A.A_DST)) f.dst = r.ip(A.A_DST);
      if (r.has(A.A_MASTER)) f.master = r.u32(A.A_MASTER);
      if (r.has(A.A_AGEING)) f.ageing = Math.floor(r.f64(A.A_AGEING));
      return f;
    });
  }

  // --- sysctl --------------------------------------------------------------------------------

  sysctlGet(ns: NsId, key: string): string {
    const [r] = this.nsRequest(A.MSG_SYSCTL_GET, 0, ns, (w) => w.str(A.A_KEY, key));
    return r.str(A.A_VALUE);
  }

  sysctlSet(ns: NsId, key: string, value: string): void {
    this.nsRequest(A.MSG_SYSCTL_SET, 0, ns, (w) => w.str(A.A_KEY, key).str(A.A_VALUE, value));
  }

  // --- sockets -------------------------------------------------------------------------------

  private open(kind: SocketKind, ns: NsId, handler: SocketHandler<never>, rec: Reply): number {
    const fd = rec.u32(A.A_FD);
    this.sockets.set(fd, { kind, ns, handler });
    return fd;
  }

  icmpOpen(ns: NsId, onPacket: SocketHandler<{ time: number }>): number {
    const [r] = this.nsRequest(A.MSG_ICMP_OPEN, 0, ns);
    return this.open('icmp', ns, onPacket, r);
  }

  icmpSend(fd: number, dst: string, icmp: Uint8Array, opts: IcmpSendOptions = {}): void {
    this.request(A.MSG_ICMP_SEND, 0, (w) => {
      w.u32(A.A_FD, fd).u32(A.A_DST, ip(dst)).bytesAttr(A.A_DATA, icmp);
      if (opts.ttl !== undefined) w.u32(A.A_TTL, opts.ttl);
      if (opts.tos !== undefined) w.u32(A.A_TOS, opts.tos);
      if (opts.pmtudiscDo) w.u32(A.A_DF, 1);
      if (opts.src !== undefined) w.u32(A.A_SRC, ip(opts.src));
    });
  }

  udpOpen(ns: NsId, onDatagram: SocketHandler<DatagramMeta>): number {
    const [r] = this.nsRequest(A.MSG_UDP_OPEN, 0, ns);
    return this.open('udp', ns, onDatagram, r);
  }

  udpBind(fd: number, addr: string, port: number): void {
    this.request(A.MSG_UDP_BIND, 0, (w) => {
      w.u32(A.A_FD, fd).u32(A.A_LOCAL, ip(addr)).u32(A.A_PORT, port);
    });
  }

  udpSend(fd: number, dst: string, port: number, payload: Uint8Array): void {
    if (payload.length > 65507) throw new NetlinkError(Errno.EMSGSIZE);
    this.request(A.MSG_UDP_SEND, 0, (w) => {
      w.u32(A.A_FD, fd).u32(A.A_DST, ip(dst)).u32(A.A_PORT, port).bytesAttr(A.A_DATA, payload);
    });
  }

  tunOpen(
    ns: NsId,
    name: string,
    onPacket: SocketHandler<{ time: number }>,
  ): { fd: number; ifindex: number } {
    const [r] = this.nsRequest(A.MSG_TUN_OPEN, 0, ns, (w) => w.str(A.A_NAME, name));
    return { fd: this.open('tun', ns, onPacket, r), ifindex: r.u32(A.A_IFINDEX) };
  }

  tunWrite(fd: number, packet: Uint8Array): void {
    this.request(A.MSG_TUN_WRITE, 0, (w) => w.u32(A.A_FD, fd).bytesAttr(A.A_DATA, packet));
  }

  captureOpen(ns: NsId, ifindex: number, onFrame: SocketHandler<CaptureMeta>): number {
    const [r] = this.nsRequest(A.MSG_CAPTURE_OPEN, 0, ns, (w) => w.u32(A.A_IFINDEX, ifindex));
    return this.open('capture', ns, onFrame, r);
  }

  close(fd: number): void {
    this.request(A.MSG_CLOSE, 0, (w) => w.u32(A.A_FD, fd));
    this.sockets.delete(fd);
  }

  // --- the wire ------------------------------------------------------------------------------

  wireReceive(ifindex: number, frame: Uint8Array): void {
    this.wireReceiveFrames(ifindex, [frame]);
  }

  /** `wireReceive` for the frames of one message off the wire: one call, not one each. */
  wireReceiveFrames(ifindex: number, frames: readonly Uint8Array[]): void {
    this.enter();
    try {
      const max = this.x.rxMax();
      let dropped = 0;
      for (const frame of frames) {
        if (frame.length > max) continue;
        const ptr = this.x.rxBegin();
        if (ptr === 0) {
          dropped++; // no free buffer: dropped, as a NIC ring would
          continue;
        }
        new Uint8Array(this.x.memory.buffer, ptr, frame.length).set(frame);
        this.x.rxCommit(ifindex, frame.length);
      }
      this.x.rxDropped(ifindex, dropped);
    } finally {
      this.leave();
    }
  }

  /** Frames the wire dropped before they reached `ifindex` (its receiver was behind). */
  wireDropped(ifindex: number, frames: number): void {
    this.enter();
    try {
      this.x.rxDropped(ifindex, frames);
    } finally {
      this.leave();
    }
  }

  // --- time ----------------------------------------------------------------------------------

  poll(): void {
    this.enter();
    try {
      this.x.poll();
    } finally {
      this.leave();
    }
  }

  nextTimer(): number {
    return this.x.nextTimer();
  }

  dropCounters(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.request(A.MSG_DROPS, 0, () => {})) {
      out[A.DROP_NAMES[r.u32(A.A_KEY)] ?? `reason ${r.u32(A.A_KEY)}`] = r.f64(A.A_COUNT);
    }
    return out;
  }

  // --- connection tracking -------------------------------------------------------------------

  /** A namespace's live conntrack entries, as `conntrack -L` lists them. */
  conntrackDump(ns: NsId = ROOT_NS): ConntrackEntry[] {
    return this.nsRequest(A.MSG_CT_DUMP, 0, ns).map((r) => {
      const w = r.u32s(A.A_CT);
      const tuple = (o: number) => ({
        src: formatIpv4(w[o]),
        dst: formatIpv4(w[o + 1]),
        a: w[o + 2],
        b: w[o + 3],
      });
      return {
        proto: w[0],
        status: w[1],
        orig: tuple(2),
        reply: tuple(6),
        timeout: r.u32(A.A_TTL),
      };
    });
  }

  /** `conntrack -F`: empties a namespace's table. */
  conntrackFlush(ns: NsId = ROOT_NS): void {
    this.nsRequest(A.MSG_CT_FLUSH, 0, ns);
  }

  // --- diagnostics ---------------------------------------------------------------------------

  /** Free packet buffers (a leak check for tests). */
  // --- queueing disciplines ------------------------------------------------------------------

  qdiscSet(ns: NsId, ifindex: number, req: QdiscRequest, flags: QdiscWriteFlags): void {
    let f = 0;
    if (flags.create) f |= A.NLM_F_CREATE;
    if (flags.excl) f |= A.NLM_F_EXCL;
    if (flags.replace) f |= A.NLM_F_REPLACE;
    this.nsRequest(A.RTM_NEWQDISC, f, ns, (w) => {
      w.u32(A.A_IFINDEX, ifindex).str(A.A_KIND, req.kind);
      w.u32(A.A_TC_PARENT, req.root ? -1 : 0);
      const o = req.options ?? {};
      const opts = new Float64Array(
        QDISC_OPTION_ORDER.map((k) => o[k] ?? (k === 'limit' ? -1 : 0)),
      );
      for (const k of PROBABILITIES)
        opts[QDISC_OPTION_ORDER.indexOf(k)] = Math.round((o[k] ?? 0) * 0xffffffff);
      w.bytesAttr(A.A_TC_OPTIONS, new Uint8Array(opts.buffer));
    });
  }

  qdiscDel(ns: NsId, ifindex: number): void {
    this.nsRequest(A.RTM_DELQDISC, 0, ns, (w) => w.u32(A.A_IFINDEX, ifindex));
  }

  qdiscDump(ns: NsId, ifindex?: number): QdiscInfo[] {
    const fill =
      ifindex === undefined ? undefined : (w: RequestWriter) => w.u32(A.A_IFINDEX, ifindex);
    return this.nsRequest(A.RTM_GETQDISC, A.NLM_F_DUMP, ns, fill).map((r) => {
      const st = r.f64s(A.A_TC_STATS);
      const stats: QdiscStats = {
        bytes: st[0] ?? 0,
        packets: st[1] ?? 0,
        drops: st[2] ?? 0,
        overlimits: st[3] ?? 0,
        requeues: st[4] ?? 0,
        backlog: st[5] ?? 0,
        qlen: st[6] ?? 0,
      };
      if (!r.has(A.A_KIND))
        return { ifindex: r.u32(A.A_IFINDEX), kind: null, handle: 0, options: null, stats };
      const v = r.f64s(A.A_TC_OPTIONS);
      const options = Object.fromEntries(
        QDISC_OPTION_ORDER.map((k, i) => [k, v[i] ?? 0]),
      ) as unknown as QdiscOptions;
      for (const k of PROBABILITIES) options[k] = options[k] / 0xffffffff;
      return {
        ifindex: r.u32(A.A_IFINDEX),
        kind: r.str(A.A_KIND) as QdiscKind,
        handle: r.u32(A.A_TC_HANDLE),
        options,
        stats,
      };
    });
  }

  carrierSet(ifindex: number, carrier: boolean): void {
    this.nsRequest(A.MSG_CARRIER_SET, 0, ROOT_NS, (w) =>
      w.u32(A.A_IFINDEX, ifindex).u32(A.A_UP, carrier ? 1 : 0),
    );
  }

  freeBuffers(): number {
    return this.x.freeBuffers();
  }

  /** The module's linear memory, in bytes (it only grows: what the kernel ever needed). */
  memoryBytes(): number {
    return this.x.memory.buffer.byteLength;
  }

  /**
   * Benchmark hook: receives `frame` `count` times on link `ifindex` of `ns`, running the full
   * path, and returns how many frames left on `ether` links (the wire callback is not called).
   */
  benchInject(ns: NsId, ifindex: number, frame: Uint8Array, count: number): number {
    this.enter();
    try {
      const nsBytes = new TextEncoder().encode(ns);
      const base = this.x.reqPtr();
      const mem = new Uint8Array(this.x.memory.buffer);
      mem.set(nsBytes, base);
      mem.set(frame, base + ((nsBytes.length + 7) & ~7));
      return this.x.benchInject(nsBytes.length, ifindex, frame.length, count);
    } finally {
      this.leave();
    }
  }
}
