// conntrack (conntrack-tools 1.4.7): -L lists the kernel's connection tracking table as the
// real tool prints it, -C counts it, -F empties it.

import * as A from '../../kernel/assembly/abi.ts';
import type { ConntrackEntry, KernelApi, NsId } from '../../kernel/types.ts';
import type { HostContext, Program } from '../types.ts';

const PROG = 'conntrack v1.4.7 (conntrack-tools)';
const TRY_HELP = "Try `conntrack -h' or 'conntrack --help' for more information.";
const PROTOS: Record<string, number> = { icmp: 1, tcp: 6, udp: 17 };

interface ConntrackKernel {
  conntrackDump(ns: NsId): ConntrackEntry[];
  conntrackFlush(ns: NsId): void;
}

function tableOf(kernel: KernelApi): ConntrackKernel | undefined {
  const k = kernel as KernelApi & Partial<ConntrackKernel>;
  return k.conntrackDump && k.conntrackFlush ? (k as unknown as ConntrackKernel) : undefined;
}

function tuple(e: ConntrackEntry, t: ConntrackEntry['orig']): string {
  const parts = [`src=${t.src}`, `dst=${t.dst}`];
  if (e.proto === 1) parts.push(`type=${t.b >> 8}`, `code=${t.b & 0xff}`, `id=${t.a}`);
  else if (e.proto === 17 || e.proto === 6) parts.push(`sport=${t.a}`, `dport=${t.b}`);
  return parts.join(' ');
}

/** One line of `conntrack -L`. */
export function formatEntry(e: ConntrackEntry): string {
  const name = Object.keys(PROTOS).find((n) => PROTOS[n] === e.proto) ?? 'unknown';
  const parts = [`${name.padEnd(8)} ${e.proto} ${e.timeout}`, tuple(e, e.orig)];
  if (!(e.status & A.IPS_SEEN_REPLY)) parts.push('[UNREPLIED]');
  parts.push(tuple(e, e.reply));
  if (e.status & A.IPS_ASSURED) parts.push('[ASSURED]');
  parts.push('mark=0 use=1');
  return parts.join(' ');
}

export const conntrack: Program = async (argv, io, host: HostContext) => {
  const table = tableOf(host.kernel);
  const fail = (msg: string) => {
    io.stderr(`${PROG}: ${msg}\n${TRY_HELP}\n`);
    return 2;
  };
  let command = '';
  let proto: number | undefined;
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i];
    if (['-L', '--dump', '-F', '--flush', '-C', '--count'].includes(arg)) {
      command = arg.replace(/^--?/, '')[0].toUpperCase();
      if (i + 1 < argv.length && !argv[i + 1].startsWith('-')) {
        const t = argv[++i];
        if (t !== 'conntrack') return fail(`unknown type \`${t}'`);
      }
    } else if (arg === '-p' || arg === '--proto') {
      const name = argv[++i] ?? '';
      if (!(name in PROTOS)) return fail(`\`${name}' unsupported protocol`);
      proto = PROTOS[name];
    } else return fail(`unknown option \`${arg}'`);
  }
  if (!command) {
    io.stdout(USAGE);
    return 0;
  }
  const entries = (table?.conntrackDump(host.netns) ?? []).filter(
    (e) => proto === undefined || e.proto === proto,
  );
  if (command === 'F') {
    table?.conntrackFlush(host.netns);
    io.stderr(`${PROG}: connection tracking table has been emptied.\n`);
  } else if (command === 'C') io.stdout(`${entries.length}\n`);
  else {
    for (const e of entries) io.stdout(formatEntry(e) + '\n');
    io.stderr(`${PROG}: ${entries.length} flow entries have been shown.\n`);
  }
  return 0;
};

const USAGE = `Command line interface for the connection tracking system. Version 1.4.7
Usage: conntrack [commands] [options]

Commands:
  -L [table] [options]		List conntrack or expectation table
  -G [table] parameters		Get conntrack or expectation
  -D [table] parameters		Delete conntrack or expectation
  -I [table] parameters		Create a conntrack or expectation
  -U [table] parameters		Update a conntrack
  -E [table] [options]		Show events
  -F [table]			Flush table
  -C [table]			Show counter
  -S				Show statistics

Tables: conntrack, expect, dying, unconfirmed

Conntrack parameters and options:
  -n, --src-nat ip			source NAT ip
  -g, --dst-nat ip			destination NAT ip
  -j, --any-nat ip			source or destination NAT ip
  -m, --mark mark			Set mark
  -c, --secmark secmark			Set selinux secmark
  -e, --event-mask eventmask		Event mask, eg. NEW,DESTROY
  -z, --zero 				Zero counters while listing
  -o, --output type[,...]		Output format, eg. xml
  -l, --label label[,...]		conntrack labels

Expectation parameters and options:
  --tuple-src ip	Source address in expect tuple
  --tuple-dst ip	Destination address in expect tuple

Updating parameters and options:
  --label-add label	Add label
  --label-del label	Delete label

Common parameters and options:
  -s, --src, --orig-src ip		Source address from original direction
  -d, --dst, --orig-dst ip		Destination address from original direction
  -r, --reply-src ip		Source addres from reply direction
  -q, --reply-dst ip		Destination address from reply direction
  -p, --protonum proto		Layer 4 Protocol, eg. 'tcp'
  -f, --family proto		Layer 3 Protocol, eg. 'ipv6'
  -t, --timeout timeout		Set timeout
  -u, --status status		Set status, eg. ASSURED
  -w, --zone value		Set conntrack zone
  --orig-zone value		Set zone for original direction
  --reply-zone value		Set zone for reply direction
  -b, --buffer-size		Netlink socket buffer size
  --mask-src ip			Source mask address
  --mask-dst ip			Destination mask address

`;
