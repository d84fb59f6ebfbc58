// brctl show [BRIDGE] (bridge-utils 1.7.1): each bridge with its id (priority 8000 and its
// MAC), STP state and ports, ports sorted by name as brctl reads /sys/class/net/BR/brif.

import type { Program } from '../types.ts';

export const brctl: Program = async (argv, io, host) => {
  const [verb, ...names] = argv.slice(1);
  if (verb !== 'show') {
    io.stderr(
      verb === undefined
        ? 'Usage: brctl [commands]\n'
        : `never heard of command [${verb}]\nUsage: brctl [commands]\n`,
    );
    return 1;
  }
  const links = host.kernel.linkDump(host.netns);
  const bridges = links
    .filter((l) => l.kind === 'bridge')
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  // 1.7.1 checks a named bridge before it prints anything: no header for one that is missing.
  let out = '';
  let status = 0;
  const shown = names.length ? names : bridges.map((b) => b.name);
  for (const name of shown) {
    const br = bridges.find((b) => b.name === name);
    if (!br) {
      io.stderr(`bridge ${name} does not exist!\n`);
      status = 1;
      continue;
    }
    const ports = links
      .filter((l) => l.master === br.ifindex)
      .map((l) => l.name)
      .sort();
    const id = `8000.${(br.address ?? '00:00:00:00:00:00').replace(/:/g, '')}`;
    out += `${br.name}\t\t${id}\tno\t\t${ports[0] ?? ''}\n`;
    for (const p of ports.slice(1)) out += `\t\t\t\t\t\t\t${p}\n`;
  }
  if (out || names.length === 0)
    io.stdout(`bridge name\tbridge id\t\tSTP enabled\tinterfaces\n${out}`);
  return status;
};
