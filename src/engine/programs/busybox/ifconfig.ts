// busybox ifconfig (1.36's networking/interface.c): the old net-tools layout, `Link encap:`,
// `inet addr:`, MACs in capitals, byte counts in powers of 1024 with one truncated decimal.
// The lab's kernel has no IPv6, so the inet6 lines are absent.

import { IFF } from '../../kernel/types.ts';
import { IFCONFIG_FLAGS, readInterfaces, type Interface } from '../net-tools/interfaces.ts';
import type { Program } from '../types.ts';

function scaled(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let int = bytes;
  let frac = 0;
  let i = 0;
  while (int >= 1024 && i < units.length - 1) {
    frac = Math.floor(((int % 1024) * 10) / 1024);
    int = Math.floor(int / 1024);
    i++;
  }
  return `${int}.${frac} ${units[i]}`;
}

function encap(i: Interface): string {
  const { link } = i;
  if (link.kind === 'loopback') return 'Link encap:Local Loopback  ';
  if (link.address === null) return `Link encap:UNSPEC  HWaddr ${Array(16).fill('00').join('-')}  `;
  return `Link encap:Ethernet  HWaddr ${link.address.toUpperCase()}  `;
}

export function formatBusyboxInterface(i: Interface): string {
  const pad = '          ';
  const s = i.link.stats;
  let out = `${i.link.name.padEnd(9)} ${encap(i)}\n`;
  if (i.inet) {
    out += `${pad}inet addr:${i.inet.addr}`;
    if (i.inet.peer) out += `  P-t-P:${i.inet.peer}`;
    else if (i.inet.broadcast) out += `  Bcast:${i.inet.broadcast}`;
    out += `  Mask:${i.inet.mask}\n`;
  }
  const flags = IFCONFIG_FLAGS.filter(([bit]) => (i.flags & bit) !== 0).map(([, n]) => `${n} `);
  out += `${pad}${flags.join('')} MTU:${i.link.mtu}  Metric:1\n`;
  out += `${pad}RX packets:${s.rxPackets} errors:${s.rxErrors} dropped:${s.rxDropped} overruns:0 frame:0\n`;
  out += `${pad}TX packets:${s.txPackets} errors:${s.txErrors} dropped:${s.txDropped} overruns:0 carrier:${s.txCarrier}\n`;
  out += `${pad}collisions:${s.txCollisions} txqueuelen:${i.link.txqlen} \n`;
  out += `${pad}RX bytes:${s.rxBytes} (${scaled(s.rxBytes)})  TX bytes:${s.txBytes} (${scaled(s.txBytes)})\n\n`;
  return out;
}

export const busyboxIfconfig: Program = async (argv, io, host) => {
  const args = argv.slice(1);
  const all = args[0] === '-a';
  const rest = all ? args.slice(1) : args;
  const list = readInterfaces(host.kernel, host.netns);
  if (rest.length >= 1) {
    const one = list.find((i) => i.link.name === rest[0]);
    if (!one) {
      io.stderr(`ifconfig: ${rest[0]}: error fetching interface information: Device not found\n`);
      return 1;
    }
    io.stdout(formatBusyboxInterface(one));
    return 0;
  }
  for (const i of list) if (all || (i.flags & IFF.UP) !== 0) io.stdout(formatBusyboxInterface(i));
  return 0;
};
