// route -n and netstat -rn (net-tools 2.10): the main table as /proc/net/route lists it.
// Without -n, route names the default destination 'default'; other addresses stay numeric
// (the lab has no resolver to ask).

import type { KernelApi, NsId, RouteInfo } from '../../kernel/types.ts';
import { formatIpv4, prefixMask } from '../../packet/ipaddr.ts';
import type { Program } from '../types.ts';

function rows(kernel: KernelApi, ns: NsId): (RouteInfo & { iface: string })[] {
  const names = new Map(kernel.linkDump(ns).map((l) => [l.ifindex, l.name]));
  return kernel
    .routeDump(ns, 'main')
    .filter((r) => r.type === 'unicast')
    .map((r) => ({ ...r, iface: r.oif !== undefined ? (names.get(r.oif) ?? '*') : '*' }));
}

function flags(r: RouteInfo): string {
  return `U${r.gateway ? 'G' : ''}${r.dstLen === 32 ? 'H' : ''}`;
}

const col = (text: string, width: number) => text.padEnd(width);

export function routeTable(kernel: KernelApi, ns: NsId, numeric: boolean): string {
  let out = 'Kernel IP routing table\n';
  out += 'Destination     Gateway         Genmask         Flags Metric Ref    Use Iface\n';
  for (const r of rows(kernel, ns)) {
    const dst = !numeric && r.dstLen === 0 ? 'default' : r.dst;
    out +=
      `${col(dst, 15)} ${col(r.gateway ?? '0.0.0.0', 15)} ${col(formatIpv4(prefixMask(r.dstLen)), 15)} ` +
      `${col(flags(r), 5)} ${col(String(r.metric ?? 0), 6)} ${col('0', 2)} ${'0'.padStart(7)} ${r.iface}\n`;
  }
  return out;
}

export function netstatTable(kernel: KernelApi, ns: NsId): string {
  let out = 'Kernel IP routing table\n';
  out += 'Destination     Gateway         Genmask         Flags   MSS Window  irtt Iface\n';
  for (const r of rows(kernel, ns))
    out +=
      `${col(r.dst, 15)} ${col(r.gateway ?? '0.0.0.0', 15)} ${col(formatIpv4(prefixMask(r.dstLen)), 15)} ` +
      `${col(flags(r), 5)} ${'0'.padStart(5)} ${col('0', 6)} ${'0'.padStart(5)} ${r.iface}\n`;
  return out;
}

export const route: Program = async (argv, io, host) => {
  const args = argv.slice(1);
  if (args.some((a) => !/^-[ne]+$/.test(a))) {
    io.stderr('route: changing routes is not supported here; use ip route\n');
    return 1;
  }
  io.stdout(
    routeTable(
      host.kernel,
      host.netns,
      args.some((a) => a.includes('n')),
    ),
  );
  return 0;
};

export const netstat: Program = async (argv, io, host) => {
  const letters = argv.slice(1).join('').replace(/-/g, '');
  if (!letters.includes('r')) {
    io.stderr('netstat: only the routing table (-r) is available here\n');
    return 1;
  }
  io.stdout(netstatTable(host.kernel, host.netns));
  return 0;
};
