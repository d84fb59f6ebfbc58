// iptables (iptables-nft 1.8.9): -S / -L [-n] [-v] [-x] [--line-numbers] listings, -Z, and
// -N -A -I -D -C -F -X -P edits on the kernel's netfilter tables, with the matches and targets
// flannel, Docker and kube-proxy use, printing what the real tool prints.

import { Netfilter, NetfilterError } from '../../kernel/netfilter.ts';
import { ADDR_TYPES, CT_STATES, REJECT_CODES } from '../../kernel/netfilter-compile.ts';
import { formatIpv4, parseIpv4, prefixMask } from '../../packet/ipaddr.ts';
import type {
  AddrMatch,
  ChainInfo,
  MatchExt,
  PortRange,
  Rule,
  RuleEntry,
  TableName,
} from '../../kernel/netfilter.ts';
import { ROOT_NS, type KernelApi, type NsId } from '../../kernel/types.ts';
import type { HostContext, Program, ProgramIO } from '../types.ts';

const PROG = 'iptables v1.8.9 (nf_tables)';
const TRY_HELP = "Try `iptables -h' or 'iptables --help' for more information.";

/** The namespace's tables: the kernel's `netfilterFor(ns)` (the host's are `netfilter`). */
export function netfilterOf(kernel: KernelApi, ns: NsId = ROOT_NS): Netfilter | undefined {
  const k = kernel as KernelApi & { netfilter?: unknown; netfilterFor?: (ns: NsId) => unknown };
  const nf = k.netfilterFor ? k.netfilterFor(ns) : ns === ROOT_NS ? k.netfilter : undefined;
  return nf instanceof Netfilter ? nf : undefined;
}

class UsageError extends Error {}
/** The kernel refused the rule (exit 4). */
class RuleError extends Error {}

type Command =
  | { op: 'S' | 'L' | 'F' | 'X' | 'Z'; chain?: string }
  | { op: 'N'; chain: string }
  | { op: 'A' | 'C'; chain: string }
  | { op: 'I'; chain: string; position: number }
  | { op: 'D'; chain: string; number?: number }
  | { op: 'P'; chain: string; policy: string };

interface Parsed {
  table: string;
  numeric: boolean;
  verbose: boolean;
  exact: boolean;
  lineNumbers: boolean;
  command?: Command;
  rule: Rule;
  hasRuleSpec: boolean;
}

/** Well-known ports by protocol, as /etc/services names them (-L without -n). */
const SERVICES: Record<string, Record<number, string>> = {
  tcp: { 22: 'ssh', 53: 'domain', 80: 'http', 443: 'https', 8080: 'http-alt' },
  udp: { 53: 'domain', 443: 'https' },
};

/** ICMP type names, and type/code names, as iptables' --icmp-type knows them. */
const ICMP_NAMES: [string, number, number, number][] = [
  ['any', 255, 0, 255],
  ['echo-reply', 0, 0, 255],
  ['destination-unreachable', 3, 0, 255],
  ['network-unreachable', 3, 0, 0],
  ['host-unreachable', 3, 1, 1],
  ['protocol-unreachable', 3, 2, 2],
  ['port-unreachable', 3, 3, 3],
  ['fragmentation-needed', 3, 4, 4],
  ['source-route-failed', 3, 5, 5],
  ['network-unknown', 3, 6, 6],
  ['host-unknown', 3, 7, 7],
  ['network-prohibited', 3, 9, 9],
  ['host-prohibited', 3, 10, 10],
  ['TOS-network-unreachable', 3, 11, 11],
  ['TOS-host-unreachable', 3, 12, 12],
  ['communication-prohibited', 3, 13, 13],
  ['host-precedence-violation', 3, 14, 14],
  ['precedence-cutoff', 3, 15, 15],
  ['source-quench', 4, 0, 255],
  ['redirect', 5, 0, 255],
  ['echo-request', 8, 0, 255],
  ['router-advertisement', 9, 0, 255],
  ['router-solicitation', 10, 0, 255],
  ['time-exceeded', 11, 0, 255],
  ['ttl-zero-during-transit', 11, 0, 0],
  ['ttl-zero-during-reassembly', 11, 1, 1],
  ['parameter-problem', 12, 0, 255],
  ['timestamp-request', 13, 0, 255],
  ['timestamp-reply', 14, 0, 255],
  ['address-mask-request', 17, 0, 255],
  ['address-mask-reply', 18, 0, 255],
];

const NAT_TARGETS = new Set(['MASQUERADE', 'SNAT', 'DNAT']);
/** The built-in chains each NAT target may sit in (user chains take any). */
const NAT_CHAINS: Record<string, string[]> = {
  MASQUERADE: ['POSTROUTING'],
  SNAT: ['POSTROUTING', 'INPUT'],
  DNAT: ['PREROUTING', 'OUTPUT'],
};
const BUILTIN_CHAINS = new Set(['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING']);

function parseAddr(text: string, invert: boolean): AddrMatch {
  const [ipText, lenText, extra] = text.split('/');
  const ip = parseIpv4(ipText);
  const prefixLen = lenText === undefined ? 32 : /^\d{1,2}$/.test(lenText) ? Number(lenText) : NaN;
  if (ip === null || extra !== undefined || !(prefixLen >= 0 && prefixLen <= 32))
    throw new UsageError(`host/network \`${text}' not found`);
  const addr = formatIpv4((ip & prefixMask(prefixLen)) >>> 0);
  return { addr, prefixLen, invert };
}

const num = (s: string) => (/^(0x[0-9a-f]+|\d+)$/i.test(s) ? Number(s) : NaN);

function parseMark(text: string, invert: boolean): MatchExt {
  const [v, m] = text.split('/');
  const value = num(v);
  const mask = m === undefined ? 0xffffffff : num(m);
  if (Number.isNaN(value) || Number.isNaN(mask)) throw new UsageError(`Bad MARK value "${text}"`);
  return { kind: 'mark', value, mask, invert };
}

/** A port number (kept to 16 bits, as the real tool's parser does) or a service name, which
 * resolves whatever protocol /etc/services lists it for. */
function parsePort(text: string): number {
  if (/^\d+$/.test(text)) return Number(text) % 65536;
  for (const names of Object.values(SERVICES)) {
    const named = Object.entries(names).find(([, n]) => n === text);
    if (named) return Number(named[0]);
  }
  throw new UsageError(`invalid port/service \`${text}' specified`);
}

/** `port`, `lo:hi`, `:hi` or `lo:`. */
function parsePortRange(text: string): PortRange {
  const at = text.indexOf(':');
  if (at < 0) {
    const p = parsePort(text);
    return { lo: p, hi: p };
  }
  const lo = at === 0 ? 0 : parsePort(text.slice(0, at));
  const rest = text.slice(at + 1);
  const hi = rest === '' ? 65535 : parsePort(rest);
  return { lo, hi };
}

function parseIcmpType(text: string): MatchExt {
  const named = ICMP_NAMES.find(([n]) => n === text);
  if (named)
    return { kind: 'icmp', type: named[1], codeLo: named[2], codeHi: named[3], invert: false };
  const m = /^(\d+)(?:\/(\d+))?$/.exec(text);
  if (!m || Number(m[1]) > 255 || (m[2] !== undefined && Number(m[2]) > 255))
    throw new UsageError(`Unknown ICMP type \`${text}'`);
  const code = m[2] === undefined ? undefined : Number(m[2]);
  return {
    kind: 'icmp',
    type: Number(m[1]),
    codeLo: code ?? 0,
    codeHi: code ?? 255,
    invert: false,
  };
}

/** `--to-source` / `--to-destination`: addr[-addr][:port[-port]]. */
function parseNatTo(text: string): { toAddr?: string; toPorts?: PortRange } {
  const [addrPart, portPart] = text.split(':');
  const out: { toAddr?: string; toPorts?: PortRange } = {};
  if (addrPart) {
    const first = addrPart.split('-')[0];
    if (parseIpv4(first) === null || !/^\d+\.\d+\.\d+\.\d+$/.test(first))
      throw new UsageError(`Bad IP address "${first}"`);
    out.toAddr = formatIpv4(parseIpv4(first)!);
  }
  if (portPart !== undefined) out.toPorts = parseDashPorts(portPart);
  return out;
}

function parseDashPorts(text: string): PortRange {
  const [a, b] = text.split('-');
  const lo = num(a);
  const hi = b === undefined ? lo : num(b);
  if (!(lo >= 0 && lo <= 65535 && hi >= lo && hi <= 65535))
    throw new UsageError(`Port "${text}" not valid`);
  return { lo, hi };
}

/** Options taking an argument: in a bundle (`-tnat`, `-nvxL`) the rest of it is theirs. */
const WITH_ARGUMENT = new Set('tACDINPsdpiojmg');

/** getopt's bundling: `-nvx` is `-n -v -x`. */
function expandShort(argv: string[]): string[] {
  const out: string[] = [];
  for (const arg of argv) {
    if (!/^-[A-Za-z]{2,}/.test(arg)) {
      out.push(arg);
      continue;
    }
    for (let i = 1; i < arg.length; i++) {
      out.push('-' + arg[i]);
      if (WITH_ARGUMENT.has(arg[i]) && i + 1 < arg.length) {
        out.push(arg.slice(i + 1));
        break;
      }
    }
  }
  return out;
}

function parseArgs(raw: string[]): Parsed {
  const argv = expandShort(raw);
  const p: Parsed = {
    table: 'filter',
    numeric: false,
    verbose: false,
    exact: false,
    lineNumbers: false,
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
  const rule = p.rule;
  const opts = () => (rule.options ??= {});
  /** The udp/tcp match of the rule (loaded by -p or -m), made on first use. */
  const l4 = (opt: string) => {
    const proto = ['udp', 'tcp'].find((x) => modules.has(x));
    if (!proto) throw new UsageError(`unknown option "${opt}"`);
    let m = rule.matches.find((x) => x.kind === proto);
    if (!m) rule.matches.push((m = { kind: proto as 'udp' | 'tcp' }));
    return { m: m as Extract<MatchExt, { kind: 'udp' | 'tcp' }>, proto };
  };
  const lastOf = <K extends MatchExt['kind']>(kind: K, opt: string) => {
    if (!modules.has(kind)) throw new UsageError(`unknown option "${opt}"`);
    const m = [...rule.matches].reverse().find((x) => x.kind === kind);
    if (!m) throw new UsageError(`unknown option "${opt}"`);
    return m as Extract<MatchExt, { kind: K }>;
  };
  const target = (opt: string, ...names: string[]) => {
    if (!names.includes(rule.target)) throw new UsageError(`unknown option "${opt}"`);
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
      case '-x':
      case '--exact':
        p.exact = true;
        break;
      case '--line-numbers':
        p.lineNumbers = true;
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
      case '-Z':
      case '--zero':
        setCommand({ op: 'Z', chain: optional() });
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
        const n = optional();
        if (n !== undefined && !/^\d+$/.test(n))
          throw new UsageError(`Invalid rule number \`${n}'`);
        setCommand({ op: 'D', chain, number: n === undefined ? undefined : Number(n) });
        break;
      }
      case '-P':
      case '--policy':
        setCommand({ op: 'P', chain: next(arg), policy: next(arg) });
        break;
      case '-s':
      case '--source':
        rule.source = parseAddr(next(arg), neg);
        p.hasRuleSpec = true;
        break;
      case '-d':
      case '--destination':
        rule.destination = parseAddr(next(arg), neg);
        p.hasRuleSpec = true;
        break;
      case '-p':
      case '--protocol': {
        const text = next(arg).toLowerCase();
        const proto = { '6': 'tcp', '17': 'udp', '1': 'icmp', '0': 'all' }[text] ?? text;
        if (!['tcp', 'udp', 'icmp', 'all'].includes(proto))
          throw new UsageError(`unknown protocol "${text}" specified`);
        if (proto !== 'all') {
          rule.protocol = proto as 'tcp' | 'udp' | 'icmp';
          modules.add(proto);
        }
        if (neg) rule.protocolInvert = true;
        p.hasRuleSpec = true;
        break;
      }
      case '-i':
      case '--in-interface':
        rule.inInterface = next(arg);
        if (neg) rule.inInvert = true;
        p.hasRuleSpec = true;
        break;
      case '-o':
      case '--out-interface':
        rule.outInterface = next(arg);
        if (neg) rule.outInvert = true;
        p.hasRuleSpec = true;
        break;
      case '-m':
      case '--match': {
        const name = next(arg);
        const known = [
          'comment',
          'mark',
          'udp',
          'tcp',
          'icmp',
          'conntrack',
          'addrtype',
          'multiport',
        ];
        if (!known.includes(name))
          throw new UsageError(`Couldn't load match \`${name}':No such file or directory`);
        modules.add(name);
        if (name === 'conntrack' || name === 'addrtype' || name === 'multiport')
          rule.matches.push(
            name === 'conntrack'
              ? { kind: 'conntrack', states: [], invert: false }
              : name === 'addrtype'
                ? { kind: 'addrtype' }
                : { kind: 'multiport', dir: 'ports', ports: [], invert: false },
          );
        if ((name === 'udp' || name === 'tcp') && !rule.matches.some((m) => m.kind === name))
          rule.matches.push({ kind: name });
        break;
      }
      case '--comment':
        if (!modules.has('comment')) throw new UsageError(`unknown option "${arg}"`);
        rule.matches.push({ kind: 'comment', comment: next(arg) });
        p.hasRuleSpec = true;
        break;
      case '--mark':
        if (!modules.has('mark')) throw new UsageError(`unknown option "${arg}"`);
        rule.matches.push(parseMark(next(arg), neg));
        p.hasRuleSpec = true;
        break;
      case '--sport':
      case '--source-port':
      case '--dport':
      case '--destination-port': {
        const { m, proto } = l4(arg);
        const src = arg === '--sport' || arg === '--source-port';
        const long = src ? 'source-port' : 'destination-port';
        if ((src ? m.sport : m.dport) !== undefined)
          throw new UsageError(`${proto}: option "--${long}" can only be used once.\n`);
        const range = parsePortRange(next(arg));
        if (src) {
          m.sport = range;
          if (neg) m.sportInvert = true;
        } else {
          m.dport = range;
          if (neg) m.dportInvert = true;
        }
        p.hasRuleSpec = true;
        break;
      }
      case '--icmp-type': {
        if (!modules.has('icmp')) throw new UsageError(`unknown option "${arg}"`);
        const m = parseIcmpType(next(arg));
        if (m.kind === 'icmp') m.invert = neg;
        rule.matches.push(m);
        p.hasRuleSpec = true;
        break;
      }
      case '--ctstate': {
        const m = lastOf('conntrack', arg);
        const states = next(arg).split(',');
        for (const s of states)
          if (!CT_STATES.some(([n]) => n === s)) throw new UsageError(`Bad ctstate "${s}"`);
        m.states = states;
        m.invert = neg;
        p.hasRuleSpec = true;
        break;
      }
      case '--src-type':
      case '--dst-type': {
        const m = lastOf('addrtype', arg);
        const types = next(arg);
        for (const t of types.split(','))
          if (!ADDR_TYPES.includes(t)) throw new UsageError(`addrtype: bad type "${t}"`);
        if (arg === '--src-type') {
          m.src = types;
          if (neg) m.srcInvert = true;
        } else {
          m.dst = types;
          if (neg) m.dstInvert = true;
        }
        p.hasRuleSpec = true;
        break;
      }
      case '--sports':
      case '--dports':
      case '--ports':
      case '--source-ports':
      case '--destination-ports': {
        const m = lastOf('multiport', arg);
        const proto = rule.protocol ?? '';
        if (proto !== 'tcp' && proto !== 'udp')
          throw new UsageError(
            "multiport needs `-p tcp', `-p udp', `-p udplite', `-p sctp' or `-p dccp'",
          );
        const list = next(arg).split(',');
        const ports = list.map((x) => parsePortRange(x));
        if (ports.reduce((n, r) => n + (r.lo === r.hi ? 1 : 2), 0) > 15)
          throw new UsageError('too many ports specified');
        m.dir = arg.startsWith('--s') ? 'sports' : arg.startsWith('--d') ? 'dports' : 'ports';
        m.ports = ports;
        m.invert = neg;
        p.hasRuleSpec = true;
        break;
      }
      case '-j':
      case '--jump':
        rule.target = next(arg);
        p.hasRuleSpec = true;
        break;
      case '--reject-with': {
        target(arg, 'REJECT');
        const t = next(arg);
        if (!(t in REJECT_CODES)) throw new UsageError(`unknown reject type "${t}"`);
        opts().rejectWith = t;
        break;
      }
      case '--log-prefix':
        target(arg, 'LOG');
        opts().logPrefix = next(arg);
        break;
      case '--set-mark':
      case '--set-xmark':
      case '--or-mark':
      case '--and-mark':
      case '--xor-mark': {
        target(arg, 'MARK');
        const [v, m] = next(arg).split('/').map(num);
        if (Number.isNaN(v) || Number.isNaN(m)) throw new UsageError(`Bad MARK value`);
        const full = 0xffffffff;
        opts().setMark =
          arg === '--set-xmark'
            ? { value: v, mask: m ?? full }
            : arg === '--set-mark'
              ? { value: v, mask: m === undefined ? full : (m | v) >>> 0 }
              : arg === '--or-mark'
                ? { value: v, mask: v }
                : arg === '--and-mark'
                  ? { value: 0, mask: ~v >>> 0 }
                  : { value: v, mask: 0 };
        break;
      }
      case '--to-source':
      case '--to-destination':
        target(arg, arg === '--to-source' ? 'SNAT' : 'DNAT');
        Object.assign(opts(), parseNatTo(next(arg)));
        break;
      case '--to-ports':
        target(arg, 'MASQUERADE');
        opts().toPorts = parseDashPorts(next(arg));
        break;
      case '--random-fully':
        target(arg, 'MASQUERADE', 'SNAT');
        rule.randomFully = true;
        break;
      default:
        if (arg.startsWith('-')) throw new UsageError(`unknown option "${arg}"`);
        throw new UsageError(`Bad argument \`${arg}'`);
    }
  }
  if (rule.target === 'MARK' && !rule.options?.setMark)
    throw new UsageError(
      'MARK: One of the --set-xmark, --{and,or,xor,set}-mark options is required',
    );
  if (rule.target === 'DNAT' && !rule.options?.toAddr && !rule.options?.toPorts)
    throw new UsageError('DNAT: option "--to-destination" must be specified\n');
  if (rule.target === 'SNAT' && !rule.options?.toAddr && !rule.options?.toPorts)
    throw new UsageError('SNAT: option "--to-source" must be specified\n');
  return p;
}

// --- listings -------------------------------------------------------------------------------

function quoteIfNeeded(text: string): string {
  return /^[A-Za-z0-9_.:/-]+$/.test(text) ? text : `"${text.replace(/(["\\])/g, '\\$1')}"`;
}

const hex = (n: number) => '0x' + (n >>> 0).toString(16);
const rangeText = (r: PortRange, sep: string) =>
  r.lo === r.hi ? `${r.lo}` : `${r.lo}${sep}${r.hi}`;

function icmpSpec(m: Extract<MatchExt, { kind: 'icmp' }>): string {
  if (m.type === 255) return 'any';
  return m.codeLo === 0 && m.codeHi === 255 ? `${m.type}` : `${m.type}/${m.codeLo}`;
}

function statesText(states: readonly string[]): string {
  return CT_STATES.filter(([n]) => states.includes(n))
    .map(([n]) => n)
    .join(',');
}

function matchSpec(r: Rule, m: MatchExt): string {
  switch (m.kind) {
    case 'comment':
      return `-m comment --comment ${quoteIfNeeded(m.comment)}`;
    case 'mark':
      return `-m mark ${m.invert ? '! ' : ''}--mark ${hex(m.value)}${m.mask === 0xffffffff ? '' : '/' + hex(m.mask)}`;
    case 'udp':
    case 'tcp': {
      const parts = [`-m ${m.kind}`];
      if (m.sport) parts.push(`${m.sportInvert ? '! ' : ''}--sport ${rangeText(m.sport, ':')}`);
      if (m.dport) parts.push(`${m.dportInvert ? '! ' : ''}--dport ${rangeText(m.dport, ':')}`);
      return parts.join(' ');
    }
    case 'icmp':
      return `-m icmp ${m.invert ? '! ' : ''}--icmp-type ${icmpSpec(m)}`;
    case 'conntrack':
      return `-m conntrack ${m.invert ? '! ' : ''}--ctstate ${statesText(m.states)}`;
    case 'addrtype': {
      const parts = ['-m addrtype'];
      if (m.src) parts.push(`${m.srcInvert ? '! ' : ''}--src-type ${m.src}`);
      if (m.dst) parts.push(`${m.dstInvert ? '! ' : ''}--dst-type ${m.dst}`);
      return parts.join(' ');
    }
    case 'multiport':
      return `-m multiport ${m.invert ? '! ' : ''}--${m.dir} ${m.ports.map((p) => rangeText(p, ':')).join(',')}`;
  }
  void r;
}

function targetSpec(r: Rule): string[] {
  const o = r.options ?? {};
  const out: string[] = [];
  switch (r.target) {
    case 'REJECT':
      out.push(`--reject-with ${o.rejectWith ?? 'icmp-port-unreachable'}`);
      break;
    case 'LOG':
      if (o.logPrefix !== undefined) out.push(`--log-prefix ${quoteIfNeeded(o.logPrefix)}`);
      break;
    case 'MARK':
      out.push(`--set-xmark ${hex(o.setMark!.value)}/${hex(o.setMark!.mask)}`);
      break;
    case 'SNAT':
    case 'DNAT':
      out.push(`--to-${r.target === 'SNAT' ? 'source' : 'destination'} ${natTo(r)}`);
      break;
    case 'MASQUERADE':
      if (o.toPorts) out.push(`--to-ports ${rangeText(o.toPorts, '-')}`);
      break;
  }
  if (r.randomFully) out.push('--random-fully');
  return out;
}

function natTo(r: Rule): string {
  const o = r.options ?? {};
  return `${o.toAddr ?? ''}${o.toPorts ? ':' + rangeText(o.toPorts, '-') : ''}`;
}

function ruleSpec(chain: string, r: Rule): string {
  const parts = [`-A ${chain}`];
  const addr = (flag: string, a?: AddrMatch) => {
    if (a) parts.push(`${a.invert ? '! ' : ''}${flag} ${a.addr}/${a.prefixLen}`);
  };
  addr('-s', r.source);
  addr('-d', r.destination);
  if (r.inInterface) parts.push(`${r.inInvert ? '! ' : ''}-i ${r.inInterface}`);
  if (r.outInterface) parts.push(`${r.outInvert ? '! ' : ''}-o ${r.outInterface}`);
  if (r.protocol) parts.push(`${r.protocolInvert ? '! ' : ''}-p ${r.protocol}`);
  for (const m of r.matches) {
    // `-m udp` alone (no port) prints nothing, as in iptables-nft.
    if ((m.kind === 'udp' || m.kind === 'tcp') && !m.sport && !m.dport) continue;
    parts.push(matchSpec(r, m));
  }
  if (r.target) parts.push(`-j ${r.target}`, ...targetSpec(r));
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

function portName(port: number, proto: string, numeric: boolean): string {
  return (!numeric && SERVICES[proto]?.[port]) || `${port}`;
}

function portsText(
  name: string,
  r: PortRange,
  inv: boolean,
  proto: string,
  numeric: boolean,
): string {
  const n = (p: number) => portName(p, proto, numeric);
  const i = inv ? '!' : '';
  return r.lo === r.hi ? `${name}:${i}${n(r.lo)}` : `${name}s:${i}${n(r.lo)}:${n(r.hi)}`;
}

function icmpText(m: Extract<MatchExt, { kind: 'icmp' }>, numeric: boolean): string {
  const inv = m.invert ? '!' : '';
  if (!numeric) {
    const named = ICMP_NAMES.find(
      ([, t, lo, hi]) => t === m.type && lo === m.codeLo && hi === m.codeHi,
    );
    if (named) return `icmp ${inv}${named[0]}`;
  }
  if (m.type === 255) return `icmp ${inv}any`;
  const code = m.codeLo === 0 && m.codeHi === 255 ? '' : ` code ${m.codeLo}`;
  return `icmptype ${inv}${m.type}${code}`;
}

const LOG_LEVELS = ['emerg', 'alert', 'crit', 'error', 'warn', 'notice', 'info', 'debug'];

function extras(r: Rule, numeric: boolean): string[] {
  const out: string[] = [];
  for (const m of r.matches) {
    switch (m.kind) {
      case 'comment':
        out.push(`/* ${m.comment} */`);
        break;
      case 'mark':
        out.push(
          `mark match ${m.invert ? '! ' : ''}${hex(m.value)}${m.mask === 0xffffffff ? '' : '/' + hex(m.mask)}`,
        );
        break;
      case 'udp':
      case 'tcp': {
        if (!m.sport && !m.dport) break;
        const parts: string[] = [m.kind];
        if (m.sport) parts.push(portsText('spt', m.sport, !!m.sportInvert, m.kind, numeric));
        if (m.dport) parts.push(portsText('dpt', m.dport, !!m.dportInvert, m.kind, numeric));
        out.push(parts.join(' '));
        break;
      }
      case 'icmp':
        out.push(icmpText(m, numeric));
        break;
      case 'conntrack':
        out.push(`${m.invert ? '! ' : ''}ctstate ${statesText(m.states)}`);
        break;
      case 'addrtype': {
        const parts = ['ADDRTYPE match'];
        if (m.src) parts.push(`src-type ${m.srcInvert ? '!' : ''}${m.src}`);
        if (m.dst) parts.push(`dst-type ${m.dstInvert ? '!' : ''}${m.dst}`);
        out.push(parts.join(' '));
        break;
      }
      case 'multiport': {
        const proto = r.protocol ?? '';
        const list = m.ports
          .map((p) =>
            p.lo === p.hi
              ? portName(p.lo, proto, numeric)
              : `${portName(p.lo, proto, numeric)}:${portName(p.hi, proto, numeric)}`,
          )
          .join(',');
        out.push(`multiport ${m.dir} ${m.invert ? '! ' : ''}${list}`);
        break;
      }
    }
  }
  const o = r.options ?? {};
  switch (r.target) {
    case 'REJECT':
      out.push(`reject-with ${o.rejectWith ?? 'icmp-port-unreachable'}`);
      break;
    case 'LOG': {
      const level = numeric ? 'flags 0 level 4' : `level ${LOG_LEVELS[4]}`;
      out.push(`LOG ${level}${o.logPrefix !== undefined ? ` prefix "${o.logPrefix}"` : ''}`);
      break;
    }
    case 'MARK': {
      const { value, mask } = o.setMark!;
      if (mask === 0xffffffff) out.push(`MARK set ${hex(value)}`);
      else if (value === mask) out.push(`MARK or ${hex(value)}`);
      else if (value === 0) out.push(`MARK and ${hex(~mask)}`);
      else if (mask === 0) out.push(`MARK xor ${hex(value)}`);
      else out.push(`MARK xset ${hex(value)}/${hex(mask)}`);
      break;
    }
    case 'SNAT':
    case 'DNAT':
      out.push(`to:${natTo(r)}`);
      break;
    case 'MASQUERADE':
      if (o.toPorts) out.push(`masq ports: ${rangeText(o.toPorts, '-')}`);
      break;
  }
  if (r.randomFully) out.push('random-fully');
  return out;
}

const PROTO_NUM: Record<string, string> = { tcp: '6', udp: '17', icmp: '1' };

/** A counter as iptables prints it: exact, or in K/M/G/T units above 99999. */
function counter(n: number, width: number, exact: boolean): string {
  if (exact) return width ? String(n).padStart(width) : String(n);
  let v = n;
  let unit = '';
  for (const u of ['K', 'M', 'G', 'T']) {
    if (v <= 99999) break;
    v = Math.floor((v + 500) / 1000);
    unit = u;
  }
  const text = `${v}${unit}`;
  return width ? text.padStart(width) : text;
}

interface ListFormat {
  numeric: boolean;
  verbose: boolean;
  exact: boolean;
  lineNumbers: boolean;
}

function ruleRow(r: RuleEntry, n: number, f: ListFormat): string {
  let line = f.lineNumbers ? String(n).padEnd(4) + ' ' : '';
  const w = f.exact ? 8 : 5;
  if (f.verbose) line += `${counter(r.packets, w, f.exact)} ${counter(r.bytes, w, f.exact)} `;
  line += r.target.padEnd(9) + ' ';
  const proto = r.protocol
    ? f.numeric
      ? PROTO_NUM[r.protocol]
      : r.protocol
    : f.numeric
      ? '0'
      : 'all';
  line += (r.protocolInvert ? '!' : ' ') + proto.padEnd(4) + ' ';
  line += '-- ';
  if (f.verbose) {
    const any = f.numeric ? '*' : 'any';
    const iface = (name: string | undefined, inv: boolean | undefined) =>
      ((inv ? '!' : '') + (name ?? any)).padEnd(6) + ' ';
    line += ' ' + iface(r.inInterface, r.inInvert) + iface(r.outInterface, r.outInvert);
  }
  line += addrColumn(r.source, f.numeric) + addrColumn(r.destination, f.numeric);
  const more = extras(r, f.numeric);
  return more.length > 0 ? line + ' ' + more.join(' ') : line;
}

export function formatRulesL(chains: ChainInfo[], f: ListFormat): string {
  const blocks = chains.map((c) => {
    const head = c.policy
      ? f.verbose
        ? `Chain ${c.name} (policy ${c.policy} ${counter(c.packets, 0, f.exact)} packets, ${counter(c.bytes, 0, f.exact)} bytes)`
        : `Chain ${c.name} (policy ${c.policy})`
      : `Chain ${c.name} (${c.references} references)`;
    const counters = f.exact ? '    pkts      bytes ' : ' pkts bytes ';
    const columns =
      (f.lineNumbers ? 'num  ' : '') +
      (f.verbose
        ? counters + 'target     prot opt in     out     source               destination         '
        : 'target     prot opt source               destination         ');
    return [head, columns, ...c.rules.map((r, i) => ruleRow(r, i + 1, f))]
      .map((l) => l + '\n')
      .join('');
  });
  return blocks.join('\n');
}

// --- running --------------------------------------------------------------------------------

/** What the kernel (not the parser) refuses: a NAT target where its table or hook has none,
 * an interface the hook cannot know. */
function checkPlacement(table: TableName, chain: string, rule: Rule, op: string): void {
  if (BUILTIN_CHAINS.has(chain)) {
    if (rule.inInterface !== undefined && (chain === 'OUTPUT' || chain === 'POSTROUTING'))
      throw new UsageError(`Can't use -i with ${chain}\n`);
    if (rule.outInterface !== undefined && (chain === 'INPUT' || chain === 'PREROUTING'))
      throw new UsageError(`Can't use -o with ${chain}\n`);
  }
  const t = rule.target;
  const misplaced =
    (NAT_TARGETS.has(t) &&
      (table !== 'nat' || (BUILTIN_CHAINS.has(chain) && !NAT_CHAINS[t].includes(chain)))) ||
    (t === 'REJECT' && table !== 'filter');
  if (misplaced)
    throw new RuleError(
      `${PROG}:  RULE_${op === 'I' ? 'INSERT' : 'APPEND'} failed (Invalid argument): rule in chain ${chain}`,
    );
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
  const chains = (chain?: string) =>
    chain === undefined ? nf.list(table) : [nf.chainInfo(table, chain)];
  switch (cmd.op) {
    case 'S':
      io.stdout(formatRulesS(chains(cmd.chain)));
      return 0;
    case 'L':
      io.stdout(formatRulesL(chains(cmd.chain), p));
      return 0;
    case 'Z':
      nf.zero(table, cmd.chain);
      return 0;
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
      checkPlacement(table, cmd.chain, p.rule, 'A');
      nf.append(table, cmd.chain, p.rule);
      return 0;
    case 'I':
      checkPlacement(table, cmd.chain, p.rule, 'I');
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
  const nf = netfilterOf(host.kernel, host.netns);
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
    if (err instanceof RuleError) {
      io.stderr(`${err.message}\n`);
      return 4;
    }
    if (err instanceof NetfilterError) {
      io.stderr(`iptables: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
};
