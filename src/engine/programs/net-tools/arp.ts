// arp -n [-i IF] (net-tools 2.10): the IPv4 neighbours of ARP-speaking links; C is a complete
// entry, M a permanent one, an unresolved one shows (incomplete).

import type { Program } from '../types.ts';

export const arp: Program = async (argv, io, host) => {
  const args = argv.slice(1);
  let only: string | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-i') only = args[++i];
    else if (!/^-[na]+$/.test(args[i])) {
      io.stderr(`arp: changing the cache is not supported here; use ip neigh\n`);
      return 1;
    }
  }
  const { kernel, netns } = host;
  const links = new Map(kernel.linkDump(netns).map((l) => [l.ifindex, l]));
  const lines: string[] = [];
  for (const n of kernel.neighDump(netns)) {
    const link = links.get(n.ifindex);
    if (!link || (only !== undefined && link.name !== only)) continue;
    if (n.state === 'FAILED' || n.state === 'NOARP') continue;
    const complete = n.lladdr !== undefined && n.state !== 'INCOMPLETE';
    const flags = complete ? (n.state === 'PERMANENT' ? 'CM' : 'C') : '';
    const hw = complete ? n.lladdr! : '(incomplete)';
    lines.push(
      `${n.dst.padEnd(25)}${(complete ? 'ether' : '').padEnd(8)}${hw.padEnd(20)}${flags.padEnd(6)}${''.padEnd(16)}${link.name}\n`,
    );
  }
  if (lines.length === 0 && only !== undefined) {
    io.stdout(`arp: in 0 entries no match found.\n`);
    return 0;
  }
  io.stdout(
    'Address                  HWtype  HWaddress           Flags Mask            Iface\n' +
      lines.join(''),
  );
  return 0;
};
