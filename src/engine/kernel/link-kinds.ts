// The one list of link kinds. The kernel's AssemblyScript numbers them in ./assembly/abi.ts
// (KIND_NAMES, held equal to this table by link-kinds.test.ts); everything else here and in the
// programs reads a kind's facts from this table, and a per-kind table typed by `LinkKind` makes
// the compiler list what a new kind must add.
//
// The facts are the device's, as Linux reports them over netlink: its rtnl_link_ops kind
// (IFLA_INFO_KIND), its queues, its TSO limit, the qdisc it gets when brought up.

import * as A from './assembly/abi.ts';

export interface LinkKindFacts {
  /** Its KIND_* number in the kernel's ABI. */
  abi: number;
  /** IFLA_INFO_KIND: what `ip -d` prints and `ip link show type X` filters on; none for lo/NIC. */
  infoKind: string | null;
  /** `ip link add type X` creates it (tun comes from `ip tuntap`, lo and the NIC exist already). */
  linkAdd: boolean;
  /** numtxqueues and numrxqueues. */
  queues: number;
  /** tso_max_size; `lower` takes the lower device's (a vxlan's `dev`), 65536 without one. */
  tsoMaxSize: number | 'lower';
  /** The qdisc attached when the link first goes up. */
  qdisc: string;
  /** Its ARPHRD type, as `link/X` names it: a TUN device has no link layer. */
  linkLayer: 'loopback' | 'ether' | 'none';
}

export const LINK_KINDS = {
  loopback: {
    abi: A.KIND_LOOPBACK,
    infoKind: null,
    linkAdd: false,
    queues: 1,
    tsoMaxSize: 524280,
    qdisc: 'noqueue',
    linkLayer: 'loopback',
  },
  /** A host's NIC attached to the lab wire (the seeds' ens33). */
  ether: {
    abi: A.KIND_ETHER,
    infoKind: null,
    linkAdd: false,
    queues: 1,
    tsoMaxSize: 65536,
    qdisc: 'noqueue',
    linkLayer: 'ether',
  },
  veth: {
    abi: A.KIND_VETH,
    infoKind: 'veth',
    linkAdd: true,
    queues: 2,
    tsoMaxSize: 524280,
    qdisc: 'noqueue',
    linkLayer: 'ether',
  },
  bridge: {
    abi: A.KIND_BRIDGE,
    infoKind: 'bridge',
    linkAdd: true,
    queues: 1,
    tsoMaxSize: 524280,
    qdisc: 'noqueue',
    linkLayer: 'ether',
  },
  vxlan: {
    abi: A.KIND_VXLAN,
    infoKind: 'vxlan',
    linkAdd: true,
    queues: 1,
    tsoMaxSize: 'lower',
    qdisc: 'noqueue',
    linkLayer: 'ether',
  },
  tun: {
    abi: A.KIND_TUN,
    infoKind: 'tun',
    linkAdd: false,
    queues: 1,
    tsoMaxSize: 65536,
    qdisc: 'pfifo_fast',
    linkLayer: 'none',
  },
} as const satisfies Record<string, LinkKindFacts>;

export type LinkKind = keyof typeof LINK_KINDS;

/** The kinds `ip link add type X` creates. */
export type AddableLinkKind = {
  [K in LinkKind]: (typeof LINK_KINDS)[K]['linkAdd'] extends true ? K : never;
}[LinkKind];

export function isAddable(kind: LinkKind): kind is AddableLinkKind {
  return LINK_KINDS[kind].linkAdd;
}

/** The kinds with an IFLA_INFO_KIND, whose `ip -d` line and JSON linkinfo say more. */
export type InfoLinkKind = {
  [K in LinkKind]: (typeof LINK_KINDS)[K]['infoKind'] extends string ? K : never;
}[LinkKind];

export function hasInfoKind(kind: LinkKind): kind is InfoLinkKind {
  return LINK_KINDS[kind].infoKind !== null;
}

/** The kind named `name`, if there is one. */
export function linkKind(name: string): LinkKind | undefined {
  return Object.hasOwn(LINK_KINDS, name) ? (name as LinkKind) : undefined;
}
