// The userspace side of the kernel's packet journey recorder (assembly/journey.ts): the
// records the module hands over while it records, turned into frames, each with the decisions
// the kernel took on its way there. A decision is recorded before the frame it explains (the
// route that sent a packet to flannel.1 comes before flannel.1's tap sees it), so it waits for
// the next frame of its packet buffer; a drop or a delivery ends the story, so it goes to the
// frame before it.

import * as A from './assembly/abi.ts';
import { formatIpv4 } from '../packet/ipaddr.ts';
import type {
  FdbInfo,
  FdbState,
  LinkInfo,
  NeighInfo,
  NeighState,
  NsId,
  RouteInfo,
  RouteScope,
  RouteType,
} from './types.ts';

// Record kinds, as assembly/journey.ts numbers them.
const J_FRAME = 1;
const J_ROUTE = 2;
const J_NEIGH = 3;
const J_BRIDGE = 4;
const J_VXFDB = 5;
const J_ENCAP = 6;
const J_DECAP = 7;
const J_DROP = 8;
const J_DELIVER = 9;

export type JourneyDecision =
  /** The route that matched `lookup` (as `ip route get` would find it). */
  | { kind: 'route'; ns: NsId; lookup: string; route: RouteInfo }
  /** The neighbour entry the packet was sent to (or queued on, while INCOMPLETE). */
  | { kind: 'neigh'; ns: NsId; neigh: NeighInfo }
  /** The bridge sent the frame on: to a port by its FDB entry, up to itself, or flooded. */
  | {
      kind: 'bridge';
      ns: NsId;
      how: 'forward' | 'local' | 'flood';
      bridge: number;
      /** The port it went out of (absent: the bridge device itself). */
      port?: number;
      /** The FDB entry that decided (absent for a flood). */
      fdb?: FdbInfo;
    }
  /** The vxlan device's FDB entry that named the remote VTEP. */
  | { kind: 'vxfdb'; ns: NsId; fdb: FdbInfo }
  | {
      kind: 'encap';
      ns: NsId;
      ifindex: number;
      vni: number;
      local: string;
      remote: string;
      srcPort: number;
      dstPort: number;
    }
  | { kind: 'decap'; ns: NsId; ifindex: number; vni: number; outerSrc: string }
  /** Dropped: the kernel's drop counter's name (`ip: ttl exceeded`). */
  | { kind: 'drop'; reason: string }
  /** Handed to a socket of this host: ICMP (its type), UDP (its port), or a TUN reader. */
  | { kind: 'deliver'; ns: NsId; to: 'icmp' | 'udp' | 'tun'; detail: number };

export interface JourneyFrame {
  /** Order of the record on this host. */
  seq: number;
  /** Lab time, ms. */
  time: number;
  ns: NsId;
  ifindex: number;
  ifname: string;
  direction: 'in' | 'out';
  /** pcap LINKTYPE: 1 Ethernet, 101 raw IP (a TUN device). */
  linktype: 1 | 101;
  data: Uint8Array;
  decisions: JourneyDecision[];
}

/** One host's recording: its frames, and its links (to name the decisions' devices). */
export interface HostJourney {
  frames: JourneyFrame[];
  links: Record<NsId, LinkInfo[]>;
  /** Frames seen after the recording was full, and not kept. */
  missed: number;
}

/** A recording keeps at most this many frames (a flood ping left tracing must not eat the
 * worker's memory): about a minute of a busy lab. */
export const JOURNEY_MAX_FRAMES = 20_000;

const SCOPE_NAMES: Record<number, RouteScope> = { 0: 'global', 253: 'link', 254: 'host' };
const TYPE_NAMES: Record<number, RouteType> = {
  1: 'unicast',
  2: 'local',
  3: 'broadcast',
  6: 'blackhole',
  7: 'unreachable',
  8: 'prohibit',
};
const NUD_NAMES: Record<number, NeighState> = {
  0x01: 'INCOMPLETE',
  0x02: 'REACHABLE',
  0x04: 'STALE',
  0x08: 'DELAY',
  0x10: 'PROBE',
  0x20: 'FAILED',
  0x40: 'NOARP',
  0x80: 'PERMANENT',
};
const FDB_NAMES: Record<number, FdbState> = { 1: 'permanent', 2: 'static', 3: 'reachable' };
const DELIVER_NAMES: Record<number, 'icmp' | 'udp' | 'tun'> = {
  [A.DELIVER_ICMP]: 'icmp',
  [A.DELIVER_UDP]: 'udp',
  [A.DELIVER_TUN]: 'tun',
};

function macText(hi: number, lo: number): string {
  const b = [
    (hi >>> 8) & 0xff,
    hi & 0xff,
    lo >>> 24,
    (lo >>> 16) & 0xff,
    (lo >>> 8) & 0xff,
    lo & 0xff,
  ];
  return b.map((x) => x.toString(16).padStart(2, '0')).join(':');
}

function routeInfo(w: Uint32Array): RouteInfo {
  const proto = w[9];
  const r: RouteInfo = {
    table: w[1] === A.TABLE_LOCAL ? 'local' : 'main',
    type: TYPE_NAMES[w[2]] ?? 'unicast',
    dst: formatIpv4(w[3]),
    dstLen: w[4],
    onlink: w[7] !== 0,
    scope: SCOPE_NAMES[w[8]] ?? 'global',
    protocol: proto === 2 ? 'kernel' : proto === 3 ? 'boot' : proto === 4 ? 'static' : proto,
  };
  if (w[5] !== 0) r.gateway = formatIpv4(w[5]);
  if (w[6] !== 0) r.oif = w[6];
  if (w[10] !== 0) r.prefsrc = formatIpv4(w[10]);
  if (w[11] !== 0) r.metric = w[11];
  return r;
}

function decision(kind: number, ns: NsId, w: Uint32Array): JourneyDecision | null {
  switch (kind) {
    case J_ROUTE:
      return { kind: 'route', ns, lookup: formatIpv4(w[0]), route: routeInfo(w) };
    case J_NEIGH: {
      const state = NUD_NAMES[w[2]] ?? 'INCOMPLETE';
      const neigh: NeighInfo = { ifindex: w[0], dst: formatIpv4(w[1]), state };
      if (state !== 'INCOMPLETE' && state !== 'FAILED') neigh.lladdr = macText(w[3], w[4]);
      return { kind: 'neigh', ns, neigh };
    }
    case J_BRIDGE: {
      const how = w[2] === 0 ? 'forward' : w[2] === 1 ? 'local' : 'flood';
      const d: JourneyDecision = { kind: 'bridge', ns, how, bridge: w[0] };
      if (w[1] !== 0) d.port = w[1];
      if (how !== 'flood') {
        d.fdb = {
          ifindex: how === 'local' ? w[0] : w[1],
          mac: macText(w[3], w[4]),
          master: w[0],
          self: false,
          state: w[5] ? 'permanent' : w[6] ? 'static' : 'reachable',
        };
      }
      return d;
    }
    case J_VXFDB:
      return {
        kind: 'vxfdb',
        ns,
        fdb: {
          ifindex: w[0],
          mac: macText(w[1], w[2]),
          dst: formatIpv4(w[3]),
          self: true,
          state: FDB_NAMES[w[4]] ?? 'permanent',
        },
      };
    case J_ENCAP:
      return {
        kind: 'encap',
        ns,
        ifindex: w[0],
        vni: w[1],
        local: formatIpv4(w[2]),
        remote: formatIpv4(w[3]),
        srcPort: w[4],
        dstPort: w[5],
      };
    case J_DECAP:
      return { kind: 'decap', ns, ifindex: w[0], vni: w[1], outerSrc: formatIpv4(w[2]) };
    case J_DROP:
      return { kind: 'drop', reason: A.DROP_NAMES[w[0]] ?? `drop ${w[0]}` };
    case J_DELIVER:
      return { kind: 'deliver', ns, to: DELIVER_NAMES[w[0]] ?? 'icmp', detail: w[1] };
  }
  return null;
}

/** Collects one kernel's journey records while it records. */
export class JourneyRecorder {
  private readonly frames: JourneyFrame[] = [];
  /** Decisions waiting for the next frame of their packet buffer. */
  private readonly pending = new Map<number, JourneyDecision[]>();
  /** The last frame each packet buffer was seen as. */
  private readonly last = new Map<number, JourneyFrame>();
  private seq = 0;
  private missed = 0;

  record(
    kind: number,
    slot: number,
    ns: NsId,
    words: Uint32Array,
    data: Uint8Array | null,
    time: number,
  ): void {
    if (kind === J_FRAME) {
      if (this.frames.length >= JOURNEY_MAX_FRAMES) {
        this.missed++;
        this.last.delete(slot);
        this.pending.delete(slot);
        return;
      }
      const frame: JourneyFrame = {
        seq: this.seq++,
        time,
        ns,
        ifindex: words[0],
        ifname: '',
        direction: words[1] === A.DIR_OUT ? 'out' : 'in',
        linktype: words[2] === 101 ? 101 : 1,
        data: data ?? new Uint8Array(0),
        decisions: this.pending.get(slot) ?? [],
      };
      this.pending.delete(slot);
      this.last.set(slot, frame);
      this.frames.push(frame);
      return;
    }
    const d = decision(kind, ns, words);
    if (!d) return;
    const waiting = this.pending.get(slot) ?? [];
    waiting.push(d);
    const prev = this.last.get(slot);
    if ((d.kind === 'drop' || d.kind === 'deliver') && prev) {
      prev.decisions.push(...waiting);
      this.pending.delete(slot);
    } else {
      this.pending.set(slot, waiting);
    }
  }

  /** The recording: decisions still waiting go to their buffer's last frame; interfaces are
   * named by `links` (a namespace's links now). */
  finish(links: (ns: NsId) => LinkInfo[]): HostJourney {
    for (const [slot, waiting] of this.pending) this.last.get(slot)?.decisions.push(...waiting);
    this.pending.clear();
    const byNs: Record<NsId, LinkInfo[]> = {};
    for (const f of this.frames) {
      for (const d of f.decisions) if ('ns' in d) byNs[d.ns] ??= links(d.ns);
      byNs[f.ns] ??= links(f.ns);
      f.ifname = byNs[f.ns].find((l) => l.ifindex === f.ifindex)?.name ?? `if${f.ifindex}`;
    }
    return { frames: this.frames, links: byNs, missed: this.missed };
  }
}
