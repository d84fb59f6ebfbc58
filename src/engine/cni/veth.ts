// A network namespace's link to a bridge, as the CNI bridge plugin and Docker's bridge driver
// both make it: a veth pair, the host end enslaved to the bridge, the other end renamed into
// the namespace with the address, both ends up with the same MTU, lo up.

import { Errno, NetlinkError, ROOT_NS } from '../kernel/types.ts';
import type { KernelApi, LinkInfo, NsId } from '../kernel/types.ts';

export interface VethAttach {
  bridge: number;
  hostVeth: string;
  netns: NsId;
  ifName: string;
  mtu: number;
  ip: string;
  prefixLen: number;
  broadcast?: string;
  /** The namespace end's MAC (Docker derives it from the IP); random when absent. */
  mac?: string;
}

export function findLink(kernel: KernelApi, ns: NsId, name: string): LinkInfo | undefined {
  try {
    return kernel.linkGet(ns, name);
  } catch (err) {
    if (err instanceof NetlinkError && err.errno === Errno.ENODEV) return undefined;
    throw err;
  }
}

export function randomHex(random: () => number, digits: number): string {
  let hex = '';
  for (let i = 0; i < digits; i++) hex += Math.floor(random() * 16).toString(16);
  return hex;
}

/** Makes the pair and configures both ends; returns the namespace end. */
export function attachVeth(kernel: KernelApi, a: VethAttach): LinkInfo {
  const hostIndex = kernel.linkAdd(ROOT_NS, {
    name: a.hostVeth,
    kind: 'veth',
    mtu: a.mtu,
    peer: { name: a.ifName, netns: a.netns },
  });
  kernel.linkSet(ROOT_NS, hostIndex, { master: a.bridge });
  kernel.linkSet(ROOT_NS, hostIndex, { up: true });
  const inner = kernel.linkGet(a.netns, a.ifName);
  // The plugin sets both ends' MTU (netlink's PeerMTU); the kernel API names only one.
  kernel.linkSet(a.netns, inner.ifindex, a.mac ? { mtu: a.mtu, address: a.mac } : { mtu: a.mtu });
  const lo = findLink(kernel, a.netns, 'lo');
  if (lo) kernel.linkSet(a.netns, lo.ifindex, { up: true });
  kernel.addrAdd(a.netns, {
    ifindex: inner.ifindex,
    local: a.ip,
    prefixlen: a.prefixLen,
    ...(a.broadcast ? { broadcast: a.broadcast } : {}),
  });
  kernel.linkSet(a.netns, inner.ifindex, { up: true });
  return kernel.linkGet(a.netns, inner.ifindex);
}
