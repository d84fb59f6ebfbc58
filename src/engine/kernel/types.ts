// The kernel's userspace boundary, as TypeScript sees it.
//
// Everything a program (ip, bridge, ping, tcpdump, flanneld, the CNI plugin) may do to a host's
// network stack goes through `KernelApi`: netlink-like configuration and dumps, and sockets for
// traffic. The implementation (`./kernel.ts`) encodes each call as a message into the wasm
// module's linear memory; nothing on this side keeps a copy of kernel state, so `ip route`
// always prints what the kernel holds.
//
import type { HostJourney } from './journey.ts';

// Conventions: addresses are dotted-quad strings, MACs lower-case 'aa:bb:cc:dd:ee:ff'.
// Failures throw `NetlinkError` carrying a Linux errno (and, like the kernel's extack, an
// optional message such as 'Nexthop has invalid gateway').

/** A network namespace name. `ROOT_NS` is the host's own (unnamed) namespace. */
export type NsId = string;
export const ROOT_NS: NsId = '';

import { strerror } from '../os/errno.ts';
import type { LinkKind } from './link-kinds.ts';

export { Errno, strerror } from '../os/errno.ts';

export class NetlinkError extends Error {
  constructor(
    readonly errno: number,
    /** The kernel's extended ack message, e.g. 'Nexthop has invalid gateway'. */
    readonly extack?: string,
    /** For EMSGSIZE from a socket send: the path MTU that was exceeded. */
    readonly mtu?: number,
  ) {
    super(extack ?? strerror(errno));
    this.name = 'NetlinkError';
  }
}

/** net_device flags (include/uapi/linux/if.h). */
export const IFF = {
  UP: 0x1,
  BROADCAST: 0x2,
  LOOPBACK: 0x8,
  POINTOPOINT: 0x10,
  NOARP: 0x80,
  PROMISC: 0x100,
  ALLMULTI: 0x200,
  MULTICAST: 0x1000,
  LOWER_UP: 0x10000,
} as const;

/** The kinds are listed once, with their facts, in ./link-kinds.ts. */
export type { LinkKind };

export type OperState = 'UNKNOWN' | 'DOWN' | 'UP' | 'LOWERLAYERDOWN';

export interface LinkStats {
  rxBytes: number;
  rxPackets: number;
  rxErrors: number;
  rxDropped: number;
  rxMissed: number;
  rxMcast: number;
  txBytes: number;
  txPackets: number;
  txErrors: number;
  txDropped: number;
  txCarrier: number;
  txCollisions: number;
}

export interface VxlanInfo {
  vni: number;
  /** Source address of encapsulated packets. */
  local?: string;
  /** ifindex of the underlay device (`dev eth0`). */
  dev?: number;
  dstport: number;
  learning: boolean;
  /** FDB ageing in seconds (300 by default). */
  ageing: number;
  /** The outer packets' TTL; 0 is `ttl auto`. */
  ttl: number;
}

export interface LinkInfo {
  ifindex: number;
  name: string;
  kind: LinkKind;
  /** IFF_* bits. */
  flags: number;
  mtu: number;
  minMtu: number;
  maxMtu: number;
  operstate: OperState;
  qdisc: string;
  txqlen: number;
  /** null for a TUN device (`link/none`). */
  address: string | null;
  broadcast: string | null;
  /** ifindex of the bridge this link is enslaved to, in the same namespace. */
  master?: number;
  /** veth: the peer's ifindex and, when the peer lives in another namespace, that namespace. */
  peer?: { ifindex: number; netns?: NsId };
  promiscuity: number;
  allmulti: number;
  vxlan?: VxlanInfo;
  /** Bridge: FDB ageing time in centiseconds (30000 = 300 s), as `ip -d` prints it. */
  bridge?: { ageingTime: number };
  /** A bridge port: its port number (1, 2, ...). */
  bridgePort?: { portNo: number; hairpin: boolean };
  stats: LinkStats;
}

export interface LinkAddRequest {
  name: string;
  kind: Exclude<LinkKind, 'loopback'>;
  mtu?: number;
  address?: string;
  txqlen?: number;
  /** veth: the peer's name, and its namespace when not the caller's (and its txqueuelen). */
  peer?: { name: string; netns?: NsId; txqlen?: number };
  vxlan?: Partial<VxlanInfo> & { vni: number };
}

export interface LinkChange {
  up?: boolean;
  mtu?: number;
  address?: string;
  /** Enslave to this bridge (ifindex), or 0 for `nomaster`. */
  master?: number;
  name?: string;
  /** Move the link to another namespace (`ip link set X netns NS`). */
  netns?: NsId;
  txqlen?: number;
  /** A bridge port's hairpin mode (`bridge link set dev X hairpin on`). */
  hairpin?: boolean;
}

export type AddrScope = 'global' | 'site' | 'link' | 'host';

export interface AddrInfo {
  ifindex: number;
  family: 'inet';
  local: string;
  prefixlen: number;
  broadcast?: string;
  scope: AddrScope;
  label: string;
}

export interface AddrRequest {
  ifindex: number;
  local: string;
  prefixlen: number;
  broadcast?: string;
  scope?: AddrScope;
}

export type RouteType =
  'unicast' | 'local' | 'broadcast' | 'unreachable' | 'blackhole' | 'prohibit';
export type RouteScope = 'global' | 'link' | 'host';
export type RouteProtocol = 'kernel' | 'boot' | 'static' | number;

export interface RouteInfo {
  /** 'main' (254) or 'local' (255). */
  table: 'main' | 'local';
  type: RouteType;
  dst: string;
  dstLen: number;
  gateway?: string;
  oif?: number;
  onlink: boolean;
  scope: RouteScope;
  protocol: RouteProtocol;
  prefsrc?: string;
  metric?: number;
}

export interface RouteRequest {
  table?: 'main' | 'local';
  type?: RouteType;
  dst: string;
  dstLen: number;
  gateway?: string;
  oif?: number;
  onlink?: boolean;
  scope?: RouteScope;
  /** Defaults to 'boot', as for `ip route add`. */
  protocol?: RouteProtocol;
  prefsrc?: string;
  metric?: number;
}

export interface RouteWriteFlags {
  /** NLM_F_REPLACE (`ip route replace`). */
  replace?: boolean;
  /** NLM_F_APPEND (`ip route append`). */
  append?: boolean;
}

/** What `ip route get` prints: the route a packet to `dst` would take. */
export interface RouteLookup {
  type: RouteType;
  dst: string;
  gateway?: string;
  oif: number;
  prefsrc: string;
}

export type NeighState =
  'INCOMPLETE' | 'REACHABLE' | 'STALE' | 'DELAY' | 'PROBE' | 'FAILED' | 'NOARP' | 'PERMANENT';

export interface NeighInfo {
  ifindex: number;
  dst: string;
  lladdr?: string;
  state: NeighState;
  router?: boolean;
}

export interface NeighRequest {
  ifindex: number;
  dst: string;
  lladdr?: string;
  /** Defaults to 'PERMANENT', as `ip neigh add` does. */
  state?: NeighState;
}

export type FdbState = 'permanent' | 'static' | 'reachable';

export interface FdbInfo {
  /** The device the entry belongs to: a bridge port (with `master`) or the device itself (`self`). */
  ifindex: number;
  mac: string;
  /** vxlan: the remote VTEP's underlay address. */
  dst?: string;
  /** Set for entries in a bridge's FDB: the bridge's ifindex. */
  master?: number;
  self: boolean;
  state: FdbState;
  /** Seconds since last use, for learned entries. */
  ageing?: number;
}

export interface FdbRequest {
  ifindex: number;
  mac: string;
  dst?: string;
  /** `self` (the device's own table, e.g. vxlan) or `master` (the bridge's). Defaults to self. */
  master?: boolean;
  state?: FdbState;
}

export interface FdbWriteFlags {
  /** `bridge fdb append`: allow several dsts for one MAC (vxlan). */
  append?: boolean;
  replace?: boolean;
}

/** Where a captured frame was seen, for tcpdump. */
export interface CaptureMeta {
  ifindex: number;
  ifname: string;
  direction: 'in' | 'out';
  /** pcap LINKTYPE: 1 = Ethernet, 101 = raw IP (a TUN device). */
  linktype: 1 | 101;
  /** Lab-clock time, in milliseconds. */
  time: number;
}

export interface DatagramMeta {
  /** Source address and port of a received UDP datagram. */
  srcAddr: string;
  srcPort: number;
  time: number;
}

export type SocketHandler<M> = (data: Uint8Array, meta: M) => void;

export interface IcmpSendOptions {
  ttl?: number;
  tos?: number;
  /** IP_PMTUDISC_DO (`ping -M do`): set DF and fail with EMSGSIZE instead of fragmenting. */
  pmtudiscDo?: boolean;
  /** Bind the sending address (`ping -I addr`). */
  src?: string;
}

/**
 * The kernel as userspace sees it. One instance per host; pods are namespaces inside it.
 * Socket handlers are called after the kernel call that produced the data has returned,
 * with a copy of the bytes, so a handler may call back into the kernel.
 */
export interface KernelApi {
  // --- namespaces ---
  netnsAdd(name: NsId): void;
  netnsDel(name: NsId): void;
  netnsList(): NsId[];

  // --- links ---
  linkAdd(ns: NsId, req: LinkAddRequest): number;
  linkDel(ns: NsId, ifindex: number): void;
  linkSet(ns: NsId, ifindex: number, change: LinkChange): void;
  linkDump(ns: NsId): LinkInfo[];
  /** Throws ENODEV when there is no such link. */
  linkGet(ns: NsId, nameOrIndex: string | number): LinkInfo;

  // --- addresses ---
  addrAdd(ns: NsId, req: AddrRequest): void;
  addrDel(ns: NsId, req: AddrRequest): void;
  addrDump(ns: NsId): AddrInfo[];

  // --- routes ---
  routeAdd(ns: NsId, req: RouteRequest, flags?: RouteWriteFlags): void;
  routeDel(ns: NsId, req: Partial<RouteRequest> & { dst: string; dstLen: number }): void;
  routeDump(ns: NsId, table?: 'main' | 'local' | 'all'): RouteInfo[];
  routeGet(ns: NsId, dst: string, opts?: { src?: string; oif?: number }): RouteLookup;

  // --- neighbours (ARP) ---
  neighAdd(ns: NsId, req: NeighRequest, flags?: { replace?: boolean }): void;
  neighDel(ns: NsId, req: { ifindex: number; dst: string }): void;
  neighDump(ns: NsId): NeighInfo[];

  // --- forwarding database ---
  fdbAdd(ns: NsId, req: FdbRequest, flags?: FdbWriteFlags): void;
  fdbDel(ns: NsId, req: FdbRequest): void;
  fdbDump(ns: NsId): FdbInfo[];

  // --- sysctl (net.ipv4.ip_forward, ...) ---
  sysctlGet(ns: NsId, key: string): string;
  sysctlSet(ns: NsId, key: string, value: string): void;

  // --- sockets ---
  /** A raw ICMP socket, as ping opens: receives every ICMP packet for the namespace, IPv4 header included. */
  icmpOpen(ns: NsId, onPacket: SocketHandler<{ time: number }>): number;
  /** Sends one ICMP message (header + data); the kernel adds the IPv4 header. Throws ENETUNREACH, EMSGSIZE (with mtu). */
  icmpSend(fd: number, dst: string, icmp: Uint8Array, opts?: IcmpSendOptions): void;
  udpOpen(ns: NsId, onDatagram: SocketHandler<DatagramMeta>): number;
  udpBind(fd: number, addr: string, port: number): void;
  udpSend(fd: number, dst: string, port: number, payload: Uint8Array): void;
  /** Creates TUN device `name` in `ns` (like open /dev/net/tun + TUNSETIFF); packets routed to it reach `onPacket`. */
  tunOpen(
    ns: NsId,
    name: string,
    onPacket: SocketHandler<{ time: number }>,
  ): { fd: number; ifindex: number };
  /** A packet written by userspace to the TUN device enters the stack as if received on it. */
  tunWrite(fd: number, packet: Uint8Array): void;
  /** A packet socket: every frame on `ifindex` (0 = any link of the namespace), both directions. */
  captureOpen(ns: NsId, ifindex: number, onFrame: SocketHandler<CaptureMeta>): number;
  close(fd: number): void;

  // --- the wire (the host's NIC) ---
  /** Called with each frame an `ether` link transmits; the view is valid only during the call. */
  onWireTransmit: ((ifindex: number, frame: Uint8Array) => boolean | void) | null;
  /** A frame arriving from the wire on an `ether` link. Malformed frames are counted and dropped. */
  wireReceive(ifindex: number, frame: Uint8Array): void;

  // --- time ---
  /** Runs the kernel's timers (ARP retries, neighbour and FDB ageing) up to the lab clock's now. */
  poll(): void;
  /** Lab-clock time at which `poll` next has work, or Infinity. */
  nextTimer(): number;

  /** Starts the packet journey recorder (every tap's frames and the decisions about them). */
  journeyStart(): void;
  /** Stops it and returns what it recorded. */
  journeyStop(): HostJourney;
  /** Named drop reasons and their counts, e.g. { 'ip: bad header checksum': 3 }. */
  dropCounters(): Record<string, number>;
  /** Free packet buffers (a leak check for tests and fuzzers). */
  freeBuffers(): number;

  // --- queueing disciplines (tc qdisc), root only ---
  /** Adds, changes or replaces link `ifindex`'s root qdisc (RTM_NEWQDISC with those flags). */
  qdiscSet(ns: NsId, ifindex: number, req: QdiscRequest, flags: QdiscWriteFlags): void;
  /** Deletes the root qdisc tc added; the link goes back to its default. */
  qdiscDel(ns: NsId, ifindex: number): void;
  /** Every link's root qdisc (links never up have none), or one link's. */
  qdiscDump(ns: NsId, ifindex?: number): QdiscInfo[];

  // --- the lab's cable on a host's NIC ---
  /** Cuts (false) or restores (true) the carrier of an `ether` link of the root namespace. */
  carrierSet(ifindex: number, carrier: boolean): void;
}

/** One conntrack entry: tuples as the kernel keeps them (UDP a/b: ports; ICMP a: id, b: type
 * << 8 | code), status bits (abi.ts's IPS_*), seconds left. */
export interface ConntrackEntry {
  proto: number;
  status: number;
  orig: { src: string; dst: string; a: number; b: number };
  reply: { src: string; dst: string; a: number; b: number };
  timeout: number;
}

export type QdiscKind = 'netem' | 'pfifo';

/** A root qdisc's options in tc's units (what tc_netem_qopt and its attributes carry). */
export interface QdiscOptions {
  /** Packets; for pfifo, 0 means the link's txqueuelen. */
  limit: number;
  /** Microseconds. */
  latency: number;
  jitter: number;
  /** Probabilities 0..1. */
  loss: number;
  duplicate: number;
  corrupt: number;
  reorder: number;
  gap: number;
  /** Bytes per second (0: no rate). */
  rate: number;
}

export interface QdiscRequest {
  kind: string;
  /** `root` was given (tc qdisc ... root): the only parent this kernel has. */
  root: boolean;
  options?: Partial<QdiscOptions>;
}

export interface QdiscWriteFlags {
  create?: boolean;
  excl?: boolean;
  replace?: boolean;
}

export interface QdiscStats {
  bytes: number;
  packets: number;
  drops: number;
  overlimits: number;
  requeues: number;
  backlog: number;
  qlen: number;
}

export interface QdiscInfo {
  ifindex: number;
  /** The attached qdisc, or null for the link's default (LINK_KINDS' qdisc). */
  kind: QdiscKind | null;
  /** The major handle (0x8001 for `8001:`), 0 for the default. */
  handle: number;
  options: QdiscOptions | null;
  stats: QdiscStats;
}
