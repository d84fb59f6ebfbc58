// What ifconfig (net-tools' and busybox's) reads of an interface: SIOCGIFFLAGS, the first IPv4
// address with its mask and broadcast / point-to-point peer, the hardware address, the queue
// length and /proc/net/dev's counters, taken from the kernel's link and address dumps.

import { IFF, type KernelApi, type LinkInfo, type NsId } from '../../kernel/types.ts';
import { formatIpv4, prefixMask } from '../../packet/ipaddr.ts';

/** IFF_RUNNING: the kernel reports it for an up link whose carrier is on (LOWER_UP). */
export const IFF_RUNNING = 0x40;

/** The flags ifconfig names, in its order (net-tools' and busybox's agree). */
export const IFCONFIG_FLAGS: [number, string][] = [
  [IFF.UP, 'UP'],
  [IFF.BROADCAST, 'BROADCAST'],
  [IFF.LOOPBACK, 'LOOPBACK'],
  [IFF.POINTOPOINT, 'POINTOPOINT'],
  [IFF_RUNNING, 'RUNNING'],
  [IFF.NOARP, 'NOARP'],
  [IFF.PROMISC, 'PROMISC'],
  [IFF.ALLMULTI, 'ALLMULTI'],
  [IFF.MULTICAST, 'MULTICAST'],
];

export interface Interface {
  link: LinkInfo;
  /** SIOCGIFFLAGS: the link's flags with RUNNING derived as the kernel does. */
  flags: number;
  inet?: { addr: string; mask: string; broadcast?: string; peer?: string };
}

function ifFlags(link: LinkInfo): number {
  const up = (link.flags & IFF.UP) !== 0;
  const running = up && (link.flags & IFF.LOWER_UP) !== 0;
  return (link.flags & 0xffff) | (running ? IFF_RUNNING : 0);
}

/** net-tools' and busybox's list order: by name, digits compared as numbers (nstrcmp). */
export function compareNames(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

export function readInterfaces(kernel: KernelApi, ns: NsId): Interface[] {
  const addrs = kernel.addrDump(ns);
  return kernel
    .linkDump(ns)
    .map((link) => {
      const a = addrs.find((x) => x.ifindex === link.ifindex);
      const flags = ifFlags(link);
      const iface: Interface = { link, flags };
      if (a) {
        const mask = formatIpv4(prefixMask(a.prefixlen));
        const ptp = (flags & IFF.POINTOPOINT) !== 0;
        iface.inet = {
          addr: a.local,
          mask,
          broadcast: (flags & IFF.BROADCAST) !== 0 ? (a.broadcast ?? '0.0.0.0') : undefined,
          peer: ptp ? a.local : undefined,
        };
      }
      return iface;
    })
    .sort((x, y) => compareNames(x.link.name, y.link.name));
}
