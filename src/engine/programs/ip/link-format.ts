// Printing a link as `ip link show` and `ip addr show` do: the header line, the link/ether line,
// `-d` details, `-s` statistics, `-br` brief form and JSON members.

import { IFF, ROOT_NS } from '../../kernel/types.ts';
import type { LinkInfo, LinkStats } from '../../kernel/types.ts';
import { LINK_KINDS, hasInfoKind, type InfoLinkKind } from '../../kernel/link-kinds.ts';
import type { IpContext } from './context.ts';
import { JsonNumber } from './json.ts';
import type { Json } from './json.ts';

const IFF_RUNNING = 0x40;

/** Flag names in the order iproute2's print_link_flags walks them. */
const FLAG_NAMES: [number, string][] = [
  [IFF.LOOPBACK, 'LOOPBACK'],
  [IFF.BROADCAST, 'BROADCAST'],
  [IFF.POINTOPOINT, 'POINTOPOINT'],
  [0x1000, 'MULTICAST'],
  [IFF.NOARP, 'NOARP'],
  [IFF.ALLMULTI, 'ALLMULTI'],
  [IFF.PROMISC, 'PROMISC'],
  [0x400, 'MASTER'],
  [0x800, 'SLAVE'],
  [0x4, 'DEBUG'],
  [0x8000, 'DYNAMIC'],
  [0x4000, 'AUTOMEDIA'],
  [0x2000, 'PORTSEL'],
  [0x20, 'NOTRAILERS'],
  [IFF.UP, 'UP'],
  [IFF.LOWER_UP, 'LOWER_UP'],
  [0x20000, 'DORMANT'],
  [0x40000, 'ECHO'],
];

/** A link as seen from another: the part after '@' and whether the peer is in another netns. */
interface LinkView {
  link: LinkInfo;
  /** `@if4` or `@ve2`, or '' for a link with no lower/peer link. */
  at: string;
  /** The peer is in this namespace and down (`M-DOWN`). */
  peerDown: boolean;
  /** ` link-netns flp2` / ` link-netnsid 0`, or ''. */
  netnsSuffix: string;
}

function peerInOtherNs(ctx: IpContext, link: LinkInfo): boolean {
  return link.peer?.netns !== undefined && link.peer.netns !== ctx.ns;
}

export function viewLink(ctx: IpContext, link: LinkInfo, all: LinkInfo[]): LinkView {
  const peer = link.peer;
  if (peer === undefined) return { link, at: '', peerDown: false, netnsSuffix: '' };
  if (peerInOtherNs(ctx, link)) {
    const other = peer.netns ?? ROOT_NS;
    const netnsSuffix =
      other === ROOT_NS ? ` link-netnsid ${ctx.netnsId(other) ?? 0}` : ` link-netns ${other}`;
    return { link, at: `@if${peer.ifindex}`, peerDown: false, netnsSuffix };
  }
  const local = all.find((l) => l.ifindex === peer.ifindex);
  return {
    link,
    at: local ? `@${local.name}` : `@if${peer.ifindex}`,
    peerDown: local !== undefined && (local.flags & IFF.UP) === 0,
    netnsSuffix: '',
  };
}

export function flagNames(flags: number, peerDown: boolean): string[] {
  const names: string[] = [];
  if (flags & IFF.UP && !(flags & (IFF.LOWER_UP | IFF_RUNNING))) names.push('NO-CARRIER');
  for (const [bit, name] of FLAG_NAMES) if (flags & bit) names.push(name);
  if (peerDown) names.push('M-DOWN');
  return names;
}

/** `2: eth0@if4: <...> mtu 1500 qdisc noqueue master cni0 state UP [mode DEFAULT] group default qlen 1000` */
export function headerLine(ctx: IpContext, view: LinkView, all: LinkInfo[], withMode: boolean) {
  const l = view.link;
  const master = l.master !== undefined ? ` master ${ctx.linkName(l.master, all)}` : '';
  const mode = withMode ? ' mode DEFAULT' : '';
  const flags = flagNames(l.flags, view.peerDown).join(',');
  return (
    `${l.ifindex}: ${l.name}${view.at}: <${flags}> mtu ${l.mtu} qdisc ${l.qdisc}${master}` +
    // print_queuelen: a queue length of 0 is not printed.
    ` state ${l.operstate}${mode} group default ${l.txqlen !== 0 ? `qlen ${l.txqlen}` : ''}`
  );
}

/** `    link/ether MAC brd MAC link-netns X`, no trailing newline. */
export function linkLayerLine(view: LinkView): string {
  const l = view.link;
  const type = LINK_KINDS[l.kind].linkLayer;
  if (l.address === null) return `    link/${type} `;
  return `    link/${type} ${l.address} brd ${l.broadcast ?? ''}${view.netnsSuffix}`;
}

/** What `-d` adds after the link-layer line, starting on the same line. */
export function detailsText(
  ctx: IpContext,
  l: LinkInfo,
  all: LinkInfo[],
  withAddrgenmode = true,
): string {
  let text = ` promiscuity ${l.promiscuity}  allmulti ${l.allmulti} minmtu ${l.minMtu} maxmtu ${l.maxMtu} `;
  const kindLine = kindDetails(ctx, l, all);
  if (kindLine !== null) text += `\n    ${kindLine}`;
  if (l.master !== undefined && l.bridgePort !== undefined) {
    const master = all.find((b) => b.ifindex === l.master);
    text += `\n    bridge_slave ${bridgeSlaveDetails(l, master)}`;
  }
  const queues = LINK_KINDS[l.kind].queues;
  // The IPv6 address generation mode comes with the link's AF_INET6 data, which `ip addr` omits.
  if (withAddrgenmode) text += 'addrgenmode eui64 ';
  text +=
    `numtxqueues ${queues} numrxqueues ${queues} gso_max_size 65536 ` +
    `gso_max_segs 65535 tso_max_size ${tsoMaxSize(l, all)} tso_max_segs 65535 gro_max_size 65536 `;
  return text;
}

/** A device's TSO limit, its kind's; a vxlan's is its lower device's. */
function tsoMaxSize(l: LinkInfo, all: LinkInfo[], depth = 0): number {
  const size = LINK_KINDS[l.kind].tsoMaxSize;
  if (size !== 'lower') return size;
  if (l.vxlan?.dev !== undefined && depth < 8) {
    const lower = all.find((x) => x.ifindex === l.vxlan?.dev);
    if (lower) return tsoMaxSize(lower, all, depth + 1);
  }
  return 65536;
}

type KindData = (ctx: IpContext, l: LinkInfo, all: LinkInfo[]) => string;
type KindJson = (ctx: IpContext, l: LinkInfo, all: LinkInfo[]) => Json | undefined;

/** What each kind prints after its info_kind: the `-d` text and the JSON info_data. */
const KIND_DATA: { [K in InfoLinkKind]: { text: KindData; json: KindJson } } = {
  veth: { text: () => '', json: () => undefined },
  bridge: { text: (_ctx, l) => bridgeDetails(l), json: (_ctx, l) => bridgeJson(l) },
  vxlan: { text: vxlanDetails, json: vxlanJson },
  tun: {
    text: () => 'type tun pi off vnet_hdr off persist off ',
    json: () => ({ type: 'tun', pi: false, vnet_hdr: false, multi_queue: false, persist: false }),
  },
};

function kindDetails(ctx: IpContext, l: LinkInfo, all: LinkInfo[]): string | null {
  if (!hasInfoKind(l.kind)) return null;
  return `${LINK_KINDS[l.kind].infoKind} ${KIND_DATA[l.kind].text(ctx, l, all)}`;
}

// The bridge's STP, multicast and netfilter tunables and its timers are not modelled by the
// kernel; they print the defaults a fresh Linux bridge shows (timers as recorded in the goldens).
function bridgeDetails(l: LinkInfo): string {
  const id = bridgeId(l.address);
  return (
    `forward_delay 1500 hello_time 200 max_age 2000 ageing_time ${l.bridge?.ageingTime ?? 30000} ` +
    `stp_state 0 priority 32768 vlan_filtering 0 bridge_id ${id} designated_root ${id} ` +
    'root_port 0 root_path_cost 0 topology_change 0 topology_change_detected 0 ' +
    'hello_timer    0.00 tcn_timer    0.00 topology_change_timer    0.00 gc_timer  299.94 ' +
    'group_fwd_mask 0 group_address 01:80:c2:00:00:00 mcast_snooping 1 no_linklocal_learn 0 ' +
    'mcast_vlan_snooping 0 mcast_router 1 mcast_query_use_ifaddr 0 mcast_querier 0 ' +
    'mcast_hash_elasticity 16 mcast_hash_max 4096 mcast_last_member_count 2 ' +
    'mcast_startup_query_count 2 mcast_last_member_interval 100 mcast_membership_interval 26000 ' +
    'mcast_querier_interval 25500 mcast_query_interval 12500 mcast_query_response_interval 1000 ' +
    'mcast_startup_query_interval 3124 mcast_stats_enabled 0 mcast_igmp_version 2 ' +
    'mcast_mld_version 1 nf_call_iptables 0 nf_call_ip6tables 0 nf_call_arptables 0 '
  );
}

/** A bridge port's STP state: forwarding while it and its bridge are up, else disabled. */
export function portState(port: LinkInfo, master: LinkInfo | undefined): string {
  const up = (l: LinkInfo) => (l.flags & IFF.UP) !== 0 && (l.flags & IFF.LOWER_UP) !== 0;
  return up(port) && master !== undefined && (master.flags & IFF.UP) !== 0
    ? 'forwarding'
    : 'disabled';
}

/** A bridge id as iproute2 prints it: priority, then the MAC by glibc's ether_ntoa (no zero padding). */
function bridgeId(mac: string | null): string {
  const unpadded = (mac ?? '')
    .split(':')
    .map((octet) => octet.replace(/^0(?=.)/, ''))
    .join(':');
  return `8000.${unpadded}`;
}

function bridgeSlaveDetails(l: LinkInfo, master: LinkInfo | undefined): string {
  const portNo = l.bridgePort?.portNo ?? 0;
  const id = bridgeId(master?.address ?? null);
  return (
    `state ${portState(l, master)} priority 32 cost 2 ` +
    `hairpin ${l.bridgePort?.hairpin ? 'on' : 'off'} guard off root_block off ` +
    'fastleave off learning on flood on ' +
    `port_id 0x${(0x8000 + portNo).toString(16)} port_no 0x${portNo.toString(16)} ` +
    `designated_port ${0x8000 + portNo} designated_cost 0 designated_bridge ${id} ` +
    `designated_root ${id} hold_timer    0.00 message_age_timer    0.00 ` +
    'forward_delay_timer   14.85 topology_change_ack 0 config_pending 0 proxy_arp off ' +
    'proxy_arp_wifi off mcast_router 1 mcast_fast_leave off mcast_flood on bcast_flood on ' +
    'mcast_to_unicast off neigh_suppress off group_fwd_mask 0 group_fwd_mask_str 0x0 ' +
    'vlan_tunnel off isolated off locked off '
  );
}

function vxlanDetails(ctx: IpContext, l: LinkInfo, all: LinkInfo[]): string {
  const v = l.vxlan;
  if (v === undefined) return '';
  let text = `id ${v.vni} `;
  if (v.local !== undefined) text += `local ${v.local} `;
  if (v.dev !== undefined) text += `dev ${ctx.linkName(v.dev, all)} `;
  text += `srcport 0 0 dstport ${v.dstport} `;
  if (!v.learning) text += 'nolearning ';
  text += `ttl ${v.ttl || 'auto'} ageing ${v.ageing} udpcsum noudp6zerocsumtx noudp6zerocsumrx `;
  return text;
}

/** The `-s` table (and with `-s -s`, the error breakdowns), each line ending in a newline. */
export function statsText(s: LinkStats, level: number): string {
  const rx = [s.rxBytes, s.rxPackets, s.rxErrors, s.rxDropped, s.rxMissed, s.rxMcast];
  const tx = [s.txBytes, s.txPackets, s.txErrors, s.txDropped, s.txCarrier, s.txCollisions];
  // Column widths grow to fit the widest number, as iproute2's size_columns does.
  const cols = [10, 7, 6, 7, 7, 7].map((w, i) =>
    Math.max(w, String(rx[i] ?? 0).length, String(tx[i] ?? 0).length),
  );
  const row = (values: number[]) =>
    `    ${values.map((v, i) => String(v).padStart(cols[i] ?? 0)).join(' ')} \n`;
  const head = (label: string, names: string[]) =>
    `    ${label}: ${names.map((n, i) => n.padStart((cols[i] ?? 0) - (i === 0 ? 4 : 0))).join(' ')}           \n`;
  let text = head('RX', ['bytes', 'packets', 'errors', 'dropped', 'missed', 'mcast']) + row(rx);
  if (level > 1) {
    // The kernel counts no length/crc/frame/fifo/overrun errors: they stay 0.
    text += '    RX errors:  length    crc   frame    fifo overrun\n';
    text += '                     0      0       0       0       0 \n';
  }
  text += head('TX', ['bytes', 'packets', 'errors', 'dropped', 'carrier', 'collsns']) + row(tx);
  if (level > 1) {
    text += '    TX errors: aborted   fifo  window heartbt transns\n';
    text += '                     0      0       0       0       0 \n';
  }
  return text;
}

/** The JSON members that `ip -j link` and `ip -j addr` share, in iproute2's order. */
export function linkJson(
  ctx: IpContext,
  view: LinkView,
  all: LinkInfo[],
  withMode: boolean,
): { [key: string]: Json } {
  const l = view.link;
  const obj: { [key: string]: Json } = { ifindex: l.ifindex };
  if (l.peer !== undefined) {
    if (peerInOtherNs(ctx, l)) obj.link_index = l.peer.ifindex;
    else obj.link = ctx.linkName(l.peer.ifindex, all);
  }
  obj.ifname = l.name;
  obj.flags = flagNames(l.flags, view.peerDown);
  obj.mtu = l.mtu;
  obj.qdisc = l.qdisc;
  if (l.master !== undefined) obj.master = ctx.linkName(l.master, all);
  obj.operstate = l.operstate;
  if (withMode) obj.linkmode = 'DEFAULT';
  obj.group = 'default';
  if (l.txqlen !== 0) obj.txqlen = l.txqlen;
  obj.link_type = LINK_KINDS[l.kind].linkLayer;
  if (l.address !== null) {
    obj.address = l.address;
    obj.broadcast = l.broadcast ?? '';
  }
  if (l.peer !== undefined && peerInOtherNs(ctx, l)) {
    obj.link_netnsid = ctx.netnsId(l.peer.netns ?? ROOT_NS) ?? 0;
  }
  return obj;
}

/** `name@peer` padded as `ip -br` prints the first two columns. */
export function briefPrefix(view: LinkView): string {
  return `${`${view.link.name}${view.at}`.padEnd(16)} ${view.link.operstate.padEnd(14)} `;
}

/** In one-line mode (`-o`) every inner newline becomes a backslash. */
export function oneline(text: string, on: boolean): string {
  return on ? text.replace(/\n/g, '\\') : text;
}

/** The members `-d` adds to a link's JSON object. */
export function detailsJson(
  ctx: IpContext,
  l: LinkInfo,
  all: LinkInfo[],
  withAddrgenmode = true,
): { [key: string]: Json } {
  const obj: { [key: string]: Json } = {
    promiscuity: l.promiscuity,
    allmulti: l.allmulti,
    min_mtu: l.minMtu,
    max_mtu: l.maxMtu,
  };
  const linkinfo = linkinfoJson(ctx, l, all);
  if (linkinfo !== null) obj.linkinfo = linkinfo;
  if (withAddrgenmode) obj.inet6_addr_gen_mode = 'eui64';
  const queues = LINK_KINDS[l.kind].queues;
  Object.assign(obj, {
    num_tx_queues: queues,
    num_rx_queues: queues,
    gso_max_size: 65536,
    gso_max_segs: 65535,
    tso_max_size: tsoMaxSize(l, all),
    tso_max_segs: 65535,
    gro_max_size: 65536,
  });
  return obj;
}

function timer(text: string): JsonNumber {
  return new JsonNumber(text);
}

function linkinfoJson(ctx: IpContext, l: LinkInfo, all: LinkInfo[]): Json {
  const info: { [key: string]: Json } = {};
  if (hasInfoKind(l.kind)) {
    info.info_kind = LINK_KINDS[l.kind].infoKind;
    const data = KIND_DATA[l.kind].json(ctx, l, all);
    if (data !== undefined) info.info_data = data;
  }
  if (l.master !== undefined && l.bridgePort !== undefined) {
    const master = all.find((b) => b.ifindex === l.master);
    info.info_slave_kind = 'bridge';
    info.info_slave_data = bridgeSlaveJson(l, master);
  }
  return Object.keys(info).length > 0 ? info : null;
}

function vxlanJson(ctx: IpContext, l: LinkInfo, all: LinkInfo[]): Json | undefined {
  const v = l.vxlan;
  if (v === undefined) return undefined;
  const data: { [key: string]: Json } = { id: v.vni };
  if (v.local !== undefined) data.local = v.local;
  if (v.dev !== undefined) data.link = ctx.linkName(v.dev, all);
  Object.assign(data, {
    port_range: { low: 0, high: 0 },
    port: v.dstport,
    learning: v.learning,
    ttl: v.ttl,
    df: 'unset',
    ageing: v.ageing,
    udp_csum: true,
    udp_zero_csum6_tx: false,
    udp_zero_csum6_rx: false,
  });
  return data;
}

function bridgeJson(l: LinkInfo): Json {
  const id = bridgeId(l.address);
  return {
    forward_delay: 1500,
    hello_time: 200,
    max_age: 2000,
    ageing_time: l.bridge?.ageingTime ?? 30000,
    stp_state: 0,
    priority: 32768,
    vlan_filtering: 0,
    bridge_id: id,
    root_id: id,
    root_port: 0,
    root_path_cost: 0,
    topology_change: 0,
    topology_change_detected: 0,
    hello_timer: timer('0.00'),
    tcn_timer: timer('0.00'),
    topology_change_timer: timer('0.00'),
    gc_timer: timer('299.94'),
    group_fwd_mask: '0',
    group_addr: '01:80:c2:00:00:00',
    mcast_snooping: 1,
    no_linklocal_learn: 0,
    mcast_vlan_snooping: 0,
    mcast_router: 1,
    mcast_query_use_ifaddr: 0,
    mcast_querier: 0,
    mcast_hash_elasticity: 16,
    mcast_hash_max: 4096,
    mcast_last_member_cnt: 2,
    mcast_startup_query_cnt: 2,
    mcast_last_member_intvl: 100,
    mcast_membership_intvl: 26000,
    mcast_querier_intvl: 25500,
    mcast_query_intvl: 12500,
    mcast_query_response_intvl: 1000,
    mcast_startup_query_intvl: 3124,
    mcast_stats_enabled: 0,
    mcast_igmp_version: 2,
    mcast_mld_version: 1,
    nf_call_iptables: 0,
    nf_call_ip6tables: 0,
    nf_call_arptables: 0,
  };
}

function bridgeSlaveJson(l: LinkInfo, master: LinkInfo | undefined): Json {
  const portNo = l.bridgePort?.portNo ?? 0;
  const id = bridgeId(master?.address ?? null);
  return {
    state: portState(l, master),
    priority: 32,
    cost: 2,
    hairpin: l.bridgePort?.hairpin ?? false,
    guard: false,
    root_block: false,
    fastleave: false,
    learning: true,
    flood: true,
    id: `0x${(0x8000 + portNo).toString(16)}`,
    no: `0x${portNo.toString(16)}`,
    designated_port: 0x8000 + portNo,
    designated_cost: 0,
    bridge_id: id,
    root_id: id,
    hold_timer: timer('0.00'),
    message_age_timer: timer('0.00'),
    forward_delay_timer: timer('14.85'),
    topology_change_ack: 0,
    config_pending: 0,
    proxy_arp: false,
    proxy_arp_wifi: false,
    multicast_router: 1,
    mcast_flood: true,
    bcast_flood: true,
    mcast_to_unicast: false,
    neigh_suppress: false,
    group_fwd_mask: '0',
    group_fwd_mask_str: '0x0',
    vlan_tunnel: false,
    isolated: false,
    locked: false,
  };
}

/** `"stats64"` as `ip -j -s` prints it. */
export function statsJson(s: LinkStats): Json {
  return {
    rx: {
      bytes: s.rxBytes,
      packets: s.rxPackets,
      errors: s.rxErrors,
      dropped: s.rxDropped,
      over_errors: s.rxMissed,
      multicast: s.rxMcast,
    },
    tx: {
      bytes: s.txBytes,
      packets: s.txPackets,
      errors: s.txErrors,
      dropped: s.txDropped,
      carrier_errors: s.txCarrier,
      collisions: s.txCollisions,
    },
  };
}
