// ifconfig (net-tools 2.10, as Debian 12 ships it): every up interface, or `-a` all of them,
// or one by name, in its 2.10 layout (the `flags=4163<UP,...>  mtu 1500` form).
// The lab's kernel has no IPv6, so the inet6 lines real hosts show are absent.

import { IFF } from '../../kernel/types.ts';
import type { Program } from '../types.ts';
import { IFCONFIG_FLAGS, readInterfaces, type Interface } from './interfaces.ts';

/** print_bytes_scaled: powers of 1000, one decimal. */
function scaled(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let i = 0;
  while (value >= 1000 && i < units.length - 1) {
    value /= 1000;
    i++;
  }
  return `${value.toFixed(1)} ${units[i]}`;
}

function hardware(i: Interface): string {
  const { link } = i;
  if (link.kind === 'loopback')
    return `        loop  txqueuelen ${link.txqlen}  (Local Loopback)\n`;
  if (link.address === null)
    return `        unspec ${Array(16).fill('00').join('-')}  txqueuelen ${link.txqlen}  (UNSPEC)\n`;
  return `        ether ${link.address}  txqueuelen ${link.txqlen}  (Ethernet)\n`;
}

export function formatInterface(i: Interface): string {
  const names = IFCONFIG_FLAGS.filter(([bit]) => (i.flags & bit) !== 0).map(([, n]) => n);
  const s = i.link.stats;
  let out = `${i.link.name}: flags=${i.flags}<${names.join(',')}>  mtu ${i.link.mtu}\n`;
  if (i.inet) {
    out += `        inet ${i.inet.addr}  netmask ${i.inet.mask}`;
    if (i.inet.peer) out += `  destination ${i.inet.peer}`;
    else if (i.inet.broadcast) out += `  broadcast ${i.inet.broadcast}`;
    out += '\n';
  }
  out += hardware(i);
  out += `        RX packets ${s.rxPackets}  bytes ${s.rxBytes} (${scaled(s.rxBytes)})\n`;
  out += `        RX errors ${s.rxErrors}  dropped ${s.rxDropped}  overruns 0  frame 0\n`;
  out += `        TX packets ${s.txPackets}  bytes ${s.txBytes} (${scaled(s.txBytes)})\n`;
  out += `        TX errors ${s.txErrors}  dropped ${s.txDropped} overruns 0  carrier ${s.txCarrier}  collisions ${s.txCollisions}\n\n`;
  return out;
}

export const ifconfig: Program = async (argv, io, host) => {
  const args = argv.slice(1);
  const all = args[0] === '-a';
  const rest = all ? args.slice(1) : args;
  const list = readInterfaces(host.kernel, host.netns);
  if (rest.length > 1) {
    io.stderr('ifconfig: changing interfaces is not supported here; use ip link / ip addr\n');
    return 1;
  }
  if (rest.length === 1) {
    const one = list.find((i) => i.link.name === rest[0]);
    if (!one) {
      io.stderr(`${rest[0]}: error fetching interface information: Device not found\n`);
      return 1;
    }
    io.stdout(formatInterface(one));
    return 0;
  }
  for (const i of list) if (all || (i.flags & IFF.UP) !== 0) io.stdout(formatInterface(i));
  return 0;
};
