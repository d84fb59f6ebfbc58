// iptables (iptables-nft 1.8.9): -S / -L [-n] [-v] listings and -N -A -I -D -C -F -X -P edits
// on the kernel's netfilter tables, printing what the real tool prints.

import { Netfilter, NetfilterError } from '../../kernel/netfilter.ts';
import { formatIpv4, parseIpv4, prefixMask } from '../../packet/ipaddr.ts';
import type {
  AddrMatch,
  ChainInfo,
  MatchExt,
  Rule,
  RuleEntry,
  TableName,
} from '../../kernel/netfilter.ts';
import type { KernelApi } from '../../kernel/types.ts';
import type { HostContext, Program, ProgramIO } from '../types.ts';

const PROG = 'iptables v1.8.9 (nf_tables)';
const TRY_HELP = "Try `iptables -h' or 'iptables --help' for more information.";

/** The kernel exposes its netfilter state as `kernel.netfilter`. */
export function netfilterOf(kernel: KernelApi): Netfilter | undefined {
  const nf = (kernel as KernelApi & { netfilter?: unknown }).netfilter;
  return nf instanceof Netfilter ? nf : undefined;
}

class UsageError extends Error {}

type Command =
  | { op: 'S' | 'L' | 'F' | 'X'; chain?: string }
  | { op: 'N'; chain: string }
  | { op: 'A' | 'C'; chain: string }
  | { op: 'I'; chain: string; position: number }
  | { op: 'D'; chain: string; number?: number }
  | { op: 'P'; chain: string; policy: string };

interface Parsed {
  table: string;
  numeric: boolean;
  verbose: boolean;
  command?: Command;
  rule: Rule;
  hasRuleSpec: boolean;
}

function parseAddr(text: string, invert: boolean): AddrMatch {
  const [ipText, lenText, extra] = text.split('/');
  const ip = parseIpv4(ipText);
  const prefixLen = lenText === undefined ? 32 : /^\d{1,2}$/.test(lenText) ? Number(lenText) : NaN;
  if (ip === null || extra !== undefined || !(prefixLen >= 0 && prefixLen <= 32))
    throw new UsageError(`host/network \`${text}' not found`);
  const addr = formatIpv4((ip & prefixMask(prefixLen)) >>> 0);
  return { addr, prefixLen, invert };
}

function parseMark(text: string, invert: boolean): MatchExt {
  const [v, m] = text.split('/');
  const num = (s: string) => (/^(0x[0-9a-f]+|\d+)$/i.test(s) ? Number(s) : NaN);
  const value = num(v);
  const mask = m === undefined ? 0xffffffff : num(m);
  if (Number.isNaN(value) || Number.isNaN(mask)) throw new UsageError(`Bad MARK value "${text}"`);
  return { kind: 'mark', value, mask, invert };
}

function parseArgs(argv: string[]): Parsed {
  const p: Parsed = {
    table: 'filter',
    numeric: false,
    verbose: false,
    rule: { matches: [], target: '' },
    hasRuleSpec: false,
  };
  let invert = false;
  const modules = new Set<string>();
  let i = 0;
  const next = (opt: string): string => {
    if (i >= argv.length) throw new UsageError(`option "${opt}" requires an argument`);
    return argv[i++];
  };
  const optional = (): string | undefined =>
    i < argv.length && !argv[i].startsWith('-') && argv[i] !== '!' ? argv[i++] : undefined;
  const setCommand = (cmd: Command) => {
    if (p.command) throw new UsageError('Cannot use -' + cmd.op + ' with -' + p.command.op);
    p.command = cmd;
  };
  while (i < argv.length) {
    const arg = argv[i++];
    if (arg === '!') {
      invert = true;
      continue;
    }
    const neg = invert;
    invert = false;
    switch (arg) {
      case '-t':
      case '--table':
        p.table = next(arg);
        break;
      case '-n':
      case '--numeric':
        p.numeric = true;
        break;
      case '-v':
      case '--verbose':
        p.verbose = true;
        break;
      case '-L':
      case '--list':
        setCommand({ op: 'L', chain: optional() });
        break;
      case '-S':
      case '--list-rules':
        setCommand({ op: 'S', chain: optional() });
        break;
      case '-F':
      case '--flush':
        setCommand({ op: 'F', chain: optional() });
        break;
      case '-X':
      case '--delete-chain':
        setCommand({ op: 'X', chain: optional() });
        break;
      case '-N':
      case '--new-chain':
        setCommand({ op: 'N', chain: next(arg) });
        break;
      case '-A':
      case '--append':
        setCommand({ op: 'A', chain: next(arg) });
        break;
      case '-C':
      case '--check':
        setCommand({ op: 'C', chain: next(arg) });
        break;
      case '-I':
      case '--insert': {
        const chain = next(arg);
        const pos = optional();
        if (pos !== undefined && !/^\d+$/.test(pos))
          throw new UsageError(`Invalid rule number \`${pos}'`);
        setCommand({ op: 'I', chain, position: pos === undefined ? 1 : Number(pos) });
        break;
      }
      case '-D':
      case '--delete': {
        const chain = next(arg);
        const num = optional();
        if (num !== undefined && !/^\d+$/.test(num))
          throw new UsageError(`Invalid rule number \`${num}'`);
        setCommand({ op: 'D', chain, number: num === undefined ? undefined : Number(num) });
        break;
      }
      case '-P':
      case '--policy':
        setCommand({ op: 'P', chain: next(arg), policy: next(arg) });
        break;
      case '-s':
      case '--source':
        p.rule.source = parseAddr(next(arg), neg);
        p.hasRuleSpec = true;
        break;
      case '-d':
      case '--destination':
        p.rule.destination = parseAddr(next(arg), neg);
        p.hasRuleSpec = true;
        break;
      case '-p':
      case '--protocol': {
        const proto = next(arg).toLowerCase();
        if (proto !== 'tcp' && proto !== 'udp' && proto !== 'icmp')
          throw new UsageError(`unknown protocol "${proto}" specified`);
        p.rule.protocol = proto;
        p.hasRuleSpec = true;
        break;
      }
      case '-i':
      case '--in-interface':
        p.rule.inInterface = next(arg);
        p.hasRuleSpec = true;
        break;
      case '-o':
      case '--out-interface':
        p.rule.outInterface = next(arg);
        p.hasRuleSpec = true;
        break;
      case '-m':
      case '--match': {
        const name = next(arg);
        if (name !== 'comment' && name !== 'mark')
          throw new UsageError(`Couldn't load match \`${name}':No such file or directory`);
        modules.add(name);
        break;
      }
      case '--comment':
        if (!modules.has('comment')) throw new UsageError(`unknown option "${arg}"`);
        p.rule.matches.push({ kind: 'comment', comment: next(arg) });
        p.hasRuleSpec = true;
        break;
      case '--mark':
        if (!modules.has('mark')) throw new UsageError(`unknown option "${arg}"`);
        p.rule.matches.push(parseMark(next(arg), neg));
        p.hasRuleSpec = true;
        break;
      case '-j':
      case '--jump':
        p.rule.target = next(arg);
        p.hasRuleSpec = true;
        break;
      case '--random-fully':
        if (p.rule.target !== 'MASQUERADE') throw new UsageError(`unknown option "${arg}"`);
        p.rule.randomFully = true;
        break;
      default:
        if (arg.startsWith('-')) throw new UsageError(`unknown option "${arg}"`);
        throw new UsageError(`Bad argument \`${arg}'`);
    }
  }
  return p;
}

function quoteIfNeeded(text: string): string {
  return /^[A-Za-z0-9_.:/-]+$/.test(text) ? text : `"${text.replace(/(["\\])/g, '\\$1')}"`;
}

const hex = (n: number) => '0x' + n.toString(16);

function ruleSpec(chain: string, r: Rule): string {
  const parts = [`-A ${chain}`];
  const addr = (flag: string, a?: AddrMatch) => {
    if (a) parts.push(`${a.invert ? '! ' : ''}${flag} ${a.addr}/${a.prefixLen}`);
  };
  addr('-s', r.source);
  addr('-d', r.destination);
  if (r.inInterface) parts.push(`-i ${r.inInterface}`);
  if (r.outInterface) parts.push(`-o ${r.outInterface}`);
  if (r.protocol) parts.push(`-p ${r.protocol}`);
  for (const m of r.matches) {
    if (m.kind === 'comment') parts.push(`-m comment --comment ${quoteIfNeeded(m.comment)}`);
    else
      parts.push(
        `-m mark ${m.invert ? '! ' : ''}--mark ${hex(m.value)}${m.mask === 0xffffffff ? '' : '/' + hex(m.mask)}`,
      );
  }
  if (r.target) parts.push(`-j ${r.target}`);
  if (r.randomFully) parts.push('--random-fully');
  return parts.join(' ');
}

export function formatRulesS(chains: ChainInfo[]): string {
  const lines: string[] = [];
  for (const c of chains) lines.push(c.policy ? `-P ${c.name} ${c.policy}` : `-N ${c.name}`);
  for (const c of chains) for (const r of c.rules) lines.push(ruleSpec(c.name, r));
  return lines.map((l) => l + '\n').join('');
}

function addrColumn(a: AddrMatch | undefined, numeric: boolean): string {
  let text: string;
  if (!a) text = numeric ? '0.0.0.0/0' : 'anywhere';
  else if (a.prefixLen === 32) text = a.addr;
  else text = `${a.addr}/${a.prefixLen}`;
  return (a?.invert ? '!' : ' ') + text.padEnd(19) + ' ';
}

function extras(r: Rule): string[] {
  const out: string[] = [];
  if (r.protocol === 'tcp' || r.protocol === 'udp') out.push(r.protocol);
  for (const m of r.matches) {
    if (m.kind === 'comment') out.push(`/* ${m.comment} */`);
    else
      out.push(
        `mark match ${m.invert ? '! ' : ''}${hex(m.value)}${m.mask === 0xffffffff ? '' : '/' + hex(m.mask)}`,
      );
  }
  if (r.randomFully) out.push('random-fully');
  return out;
}

const PROTO_NUM: Record<string, string> = { tcp: '6', udp: '17', icmp: '1' };

function ruleRow(r: RuleEntry, numeric: boolean, verbose: boolean): string {
  let line = '';
  if (verbose) line += `${String(r.packets).padStart(5)} ${String(r.bytes).padStart(5)} `;
  line += r.target.padEnd(9) + ' ';
  line += ' ' + (r.protocol ? PROTO_NUM[r.protocol] : '0').padEnd(4) + ' ';
  line += '-- ';
  if (verbose)
    line += ' ' + (r.inInterface ?? '*').padEnd(6) + ' ' + (r.outInterface ?? '*').padEnd(6) + ' ';
  line += addrColumn(r.source, numeric) + addrColumn(r.destination, numeric);
  const more = extras(r);
  return more.length > 0 ? line + ' ' + more.join(' ') : line;
}

export function formatRulesL(chains: ChainInfo[], numeric: boolean, verbose: boolean): string {
  const blocks = chains.map((c) => {
    const head = c.policy
      ? verbose
        ? `Chain ${c.name} (policy ${c.policy} ${c.packets} packets, ${c.bytes} bytes)`
        : `Chain ${c.name} (policy ${c.policy})`
      : `Chain ${c.name} (${c.references} references)`;
    const columns = verbose
      ? ' pkts bytes target     prot opt in     out     source               destination         '
      : 'target     prot opt source               destination         ';
    return [head, columns, ...c.rules.map((r) => ruleRow(r, numeric, verbose))]
      .map((l) => l + '\n')
      .join('');
  });
  return blocks.join('\n');
}

function run(p: Parsed, nf: Netfilter, io: ProgramIO): number {
  if (!Netfilter.isTable(p.table)) {
    io.stderr(
      `${PROG}: table '${p.table}' does not exist\nPerhaps iptables or your kernel needs to be upgraded.\n`,
    );
    return 3;
  }
  const table: TableName = p.table;
  const cmd = p.command;
  if (!cmd) throw new UsageError('no command specified');
  switch (cmd.op) {
    case 'S': {
      const chains = cmd.chain === undefined ? nf.list(table) : [nf.chainInfo(table, cmd.chain)];
      io.stdout(formatRulesS(chains));
      return 0;
    }
    case 'L': {
      const chains = cmd.chain === undefined ? nf.list(table) : [nf.chainInfo(table, cmd.chain)];
      io.stdout(formatRulesL(chains, p.numeric, p.verbose));
      return 0;
    }
    case 'N':
      nf.newChain(table, cmd.chain);
      return 0;
    case 'X':
      nf.deleteChain(table, cmd.chain);
      return 0;
    case 'F':
      nf.flush(table, cmd.chain);
      return 0;
    case 'P':
      if (cmd.policy !== 'ACCEPT' && cmd.policy !== 'DROP')
        throw new NetfilterError(ERR_BAD_POLICY);
      nf.setPolicy(table, cmd.chain, cmd.policy);
      return 0;
    case 'A':
      nf.append(table, cmd.chain, p.rule);
      return 0;
    case 'I':
      nf.insert(table, cmd.chain, p.rule, cmd.position);
      return 0;
    case 'D':
      nf.delete(table, cmd.chain, cmd.number ?? p.rule);
      return 0;
    case 'C':
      if (!nf.check(table, cmd.chain, p.rule))
        throw new NetfilterError('Bad rule (does a matching rule exist in that chain?).');
      return 0;
  }
}

const ERR_BAD_POLICY = "Bad policy name. Run `dmesg' for more information.";

export const iptables: Program = async (argv, io, host: HostContext) => {
  const nf = netfilterOf(host.kernel);
  if (!nf) {
    io.stderr(`${PROG}: Failed to initialize nft: Protocol not supported\n`);
    return 1;
  }
  try {
    const parsed = parseArgs(argv.slice(1));
    return run(parsed, nf, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`${PROG}: ${err.message}\n${TRY_HELP}\n`);
      return 2;
    }
    if (err instanceof NetfilterError) {
      io.stderr(`iptables: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
};
