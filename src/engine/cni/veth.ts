// A network namespace's link to a bridge, as the CNI bridge plugin and Docker's bridge driver
// both make it: a veth pair (both netlink users leave its queue length at 0), the host end
// enslaved to the bridge, the other end in the namespace, both ends up with the same MTU, then
// the address (with its broadcast). What differs is asked for: the CNI plugin's hairpin mode
// and arp_notify, Docker's own MAC and its sandbox's lo.

import { Errno, NetlinkError, ROOT_NS } from '../kernel/types.ts';
import type { KernelApi, LinkInfo, NsId } from '../kernel/types.ts';
import { formatIp4 } from '../flannel/ip4.ts';

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
  /** The bridge port in hairpin mode (the CNI conflist's hairpinMode). */
  hairpin?: boolean;
  /** arp_notify on the namespace end (the CNI plugin's ipam.ConfigureIface sets it). */
  arpNotify?: boolean;
  /** Bring the namespace's lo up too (Docker's sandbox does; for a pod, the runtime has). */
  loopback?: boolean;
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
    txqlen: 0,
    peer: { name: a.ifName, netns: a.netns, txqlen: 0 },
  });
  kernel.linkSet(ROOT_NS, hostIndex, { master: a.bridge });
  if (a.hairpin) kernel.linkSet(ROOT_NS, hostIndex, { hairpin: true });
  kernel.linkSet(ROOT_NS, hostIndex, { up: true });
  const inner = kernel.linkGet(a.netns, a.ifName);
  // Both ends get the MTU (netlink's PeerMTU; the kernel API names one); the namespace's end
  // comes up before it has an address, as the plugin's SetupVeth does.
  kernel.linkSet(a.netns, inner.ifindex, a.mac ? { mtu: a.mtu, address: a.mac } : { mtu: a.mtu });
  kernel.linkSet(a.netns, inner.ifindex, { up: true });
  if (a.arpNotify) kernel.sysctlSet(a.netns, `net.ipv4.conf.${a.ifName}.arp_notify`, '1');
  const lo = a.loopback ? findLink(kernel, a.netns, 'lo') : undefined;
  if (lo) kernel.linkSet(a.netns, lo.ifindex, { up: true });
  kernel.addrAdd(a.netns, {
    ifindex: inner.ifindex,
    local: a.ip,
    prefixlen: a.prefixLen,
    ...(a.broadcast ? { broadcast: a.broadcast } : {}),
  });
  return kernel.linkGet(a.netns, inner.ifindex);
}

/** An IPv4 address's broadcast in its subnet, as the netlink library fills it in (none for /31 and /32). */
export function broadcastOf(ip: number, prefixLen: number): string | undefined {
  if (prefixLen >= 31) return undefined;
  return formatIp4((ip | (2 ** (32 - prefixLen) - 1)) >>> 0);
}
