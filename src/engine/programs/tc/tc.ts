// tc qdisc add|change|replace|del|show, as iproute2 6.1's tc parses and prints them (tc_qdisc.c,
// q_netem.c, q_fifo.c, tc_util.c). The kernel keeps the qdiscs; tc only asks it. Root qdiscs
// only, netem without correlations or distributions, pfifo, and each link's default.

import { LINK_KINDS } from '../../kernel/link-kinds.ts';
import type { LinkInfo, QdiscInfo, QdiscOptions, QdiscWriteFlags } from '../../kernel/types.ts';
import type { Program } from '../types.ts';
import { ExitError, cannotFindDevice, unknownCommand, viaNetlink } from '../ip/errors.ts';

const NETEM_USAGE = `Usage: ... netem [ limit PACKETS ]
                 [ delay TIME [ JITTER [CORRELATION]]]
                 [ distribution {uniform|normal|pareto|paretonormal} ]
                 [ corrupt PERCENT [CORRELATION]]
                 [ duplicate PERCENT [CORRELATION]]
                 [ loss random PERCENT [CORRELATION]]
                 [ loss state P13 [P31 [P32 [P23 P14]]]
                 [ loss gemodel PERCENT [R [1-H [1-K]]]
                 [ ecn ]
                 [ reorder PERCENT [CORRELATION] [ gap DISTANCE ]]
                 [ rate RATE [PACKETOVERHEAD] [CELLSIZE] [CELLOVERHEAD]]
                 [ slot MIN_DELAY [MAX_DELAY] [packets MAX_PACKETS] [bytes MAX_BYTES]]
                 [ slot distribution {uniform|normal|pareto|paretonormal|custom}
                   DELAY JITTER [packets MAX_PACKETS] [bytes MAX_BYTES]]
`;
const FIFO_USAGE = 'Usage: ... <[p|b]fifo | pfifo_head_drop> [ limit NUMBER ]\n';
const TC_USAGE = `Usage:	tc [ OPTIONS ] OBJECT { COMMAND | help }
	tc [-force] -batch filename
where  OBJECT := { qdisc | class | filter | chain |
		    action | monitor | exec }
       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] | -r[aw] |
		    -o[neline] | -j[son] | -p[retty] | -c[olor]
		    -b[atch] [filename] | -n[etns] name | -N[umeric] |
		     -nm | -nam[es] | { -cf | -conf } path
		     -br[ief] }
`;
const QDISC_USAGE = `Usage: tc qdisc [ add | del | replace | change | show ] dev STRING
       [ handle QHANDLE ] [ root | ingress | clsact | parent CLASSID ]
       [ estimator INTERVAL TIME_CONSTANT ]
       [ stab [ help | STAB_OPTIONS] ]
       [ ingress_block BLOCK_INDEX ] [ egress_block BLOCK_INDEX ]
       [ [ QDISC_KIND ] [ help | OPTIONS ] ]

       tc qdisc { show | list } [ dev STRING ] [ QDISC_ID ] [ invisible ]
Where:
QDISC_KIND := { [p|b]fifo | tbf | prio | red | etc. }
OPTIONS := ... try tc qdisc add <desired QDISC_KIND> help
STAB_OPTIONS := ... try tc qdisc add stab help
QDISC_ID := { root | ingress | handle QHANDLE | parent CLASSID }
`;
const INCOMPLETE = new ExitError(255, 'Command line is not complete. Try option "help"\n');

/** iproute2's matches(): `arg` is a prefix of `word`. */
function matches(arg: string, word: string): boolean {
  return arg.length > 0 && word.startsWith(arg);
}

/** strtod's prefix of s: the number and what follows it. */
function strtod(s: string): { value: number; rest: string } | null {
  const m = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(s);
  if (!m) return null;
  return { value: Number(m[0]), rest: s.slice(m[0].length) };
}

/** get_time: microseconds; no unit is microseconds. */
function parseTime(s: string): number | null {
  const n = strtod(s);
  if (!n) return null;
  const unit = n.rest.toLowerCase();
  if (unit === '') return Math.trunc(n.value);
  if (['s', 'sec', 'secs'].includes(unit)) return Math.trunc(n.value * 1e6);
  if (['ms', 'msec', 'msecs'].includes(unit)) return Math.trunc(n.value * 1e3);
  if (['us', 'usec', 'usecs'].includes(unit)) return Math.trunc(n.value);
  return null;
}

/** parse_percent: 0..1, an optional trailing %. */
function parsePercent(s: string): number | null {
  const n = strtod(s);
  if (!n || (n.rest !== '' && n.rest !== '%')) return null;
  const v = n.value / 100;
  return v > 1 || v < 0 ? null : v;
}

const RATE_SUFFIXES: Record<string, number> = {
  bit: 1,
  kibit: 1024,
  kbit: 1000,
  mibit: 1024 * 1024,
  mbit: 1e6,
  gibit: 1024 ** 3,
  gbit: 1e9,
  tibit: 1024 ** 4,
  tbit: 1e12,
  bps: 8,
  kibps: 8 * 1024,
  kbps: 8000,
  mibps: 8 * 1024 * 1024,
  mbps: 8e6,
  gibps: 8 * 1024 ** 3,
  gbps: 8e9,
  tibps: 8 * 1024 ** 4,
  tbps: 8e12,
};

/** get_rate64: bytes per second; no unit is bits per second. */
function parseRate(s: string): number | null {
  const n = strtod(s);
  if (!n) return null;
  const scale = n.rest === '' ? 1 : RATE_SUFFIXES[n.rest.toLowerCase()];
  return scale === undefined ? null : Math.trunc((n.value * scale) / 8);
}

/** get_size: packets or bytes with k/m/g suffixes. */
function parseSize(s: string): number | null {
  const n = strtod(s);
  if (!n) return null;
  const scales: Record<string, number> = {
    '': 1,
    b: 1,
    k: 1024,
    kb: 1024,
    m: 1024 * 1024,
    mb: 1024 * 1024,
    g: 1024 ** 3,
    gb: 1024 ** 3,
    kbit: 128,
    mbit: 131072,
    gbit: 134217728,
  };
  const scale = scales[n.rest.toLowerCase()];
  if (scale === undefined) return null;
  const v = n.value * scale;
  return Number.isInteger(v) && v <= 0xffffffff ? v : null;
}

/** C's %g with `precision` significant digits. */
function fmtG(x: number, precision = 6): string {
  if (x === 0) return '0';
  const exp = Math.floor(Math.log10(Math.abs(x)));
  if (exp < -4 || exp >= precision) {
    const [m, e] = x.toExponential(precision - 1).split('e');
    const mant = m.includes('.') ? m.replace(/\.?0+$/, '') : m;
    const n = Number(e);
    return `${mant}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  const s = x.toFixed(Math.max(0, precision - 1 - exp));
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** print_time: microseconds as tc shows them. */
function fmtTime(us: number): string {
  if (us >= 1e6) return `${fmtG(us / 1e6, 3)}s`;
  if (us >= 1e3) return `${fmtG(us / 1e3, 3)}ms`;
  return `${Math.trunc(us)}us`;
}

/** print_color_rate, SI units: bytes/s shown in bits. */
function fmtRate(bytesPerSec: number): string {
  const units = ['', 'K', 'M', 'G', 'T'];
  let rate = bytesPerSec * 8;
  let i = 0;
  for (; i < units.length - 1; i++) {
    if (rate < 1000) break;
    if (rate % 1000 !== 0 && rate < 1000 * 1000) break;
    rate = Math.floor(rate / 1000);
  }
  return `${Math.round(rate)}${units[i]}bit`;
}

/** sprint_size. */
function fmtSize(sz: number): string {
  const kilo = 1024;
  const mega = kilo * kilo;
  if (sz >= mega && Math.abs(mega * Math.round(sz / mega) - sz) < 1024)
    return `${fmtG(Math.round(sz / mega))}Mb`;
  if (sz >= kilo && Math.abs(kilo * Math.round(sz / kilo) - sz) < 16)
    return `${fmtG(Math.round(sz / kilo))}Kb`;
  return `${sz}b`;
}

const pct = (p: number) => `${fmtG((100 * Math.round(p * 0xffffffff)) / 0xffffffff)}%`;

function netemOptions(o: QdiscOptions): string {
  let s = `limit ${o.limit}`;
  if (o.latency) {
    s += ` delay ${fmtTime(o.latency)}`;
    if (o.jitter) s += `  ${fmtTime(o.jitter)}`;
  }
  if (o.loss) s += ` loss ${pct(o.loss)}`;
  if (o.duplicate) s += ` duplicate ${pct(o.duplicate)}`;
  if (o.reorder) s += ` reorder ${pct(o.reorder)}`;
  if (o.corrupt) s += ` corrupt ${pct(o.corrupt)}`;
  if (o.rate) s += ` rate ${fmtRate(o.rate)}`;
  if (o.gap) s += ` gap ${o.gap}`;
  return s;
}

/** One `tc qdisc show` entry (print_qdisc), with its -s lines. */
function formatQdisc(q: QdiscInfo, link: LinkInfo, showDev: boolean, stats: boolean): string {
  const facts = LINK_KINDS[link.kind];
  const kind = q.kind ?? facts.qdisc;
  const handle = `${q.handle.toString(16)}:`;
  // The default counts one reference; an attached root one more per transmit queue.
  const refcnt = q.kind === null ? 2 : 1 + facts.queues;
  let line = `qdisc ${kind} ${handle} ${showDev ? `dev ${link.name} ` : ''}root refcnt ${refcnt} `;
  if (q.kind === 'netem' && q.options) line += netemOptions(q.options);
  else if (q.kind === 'pfifo' && q.options) line += `limit ${q.options.limit}p`;
  else if (kind === 'pfifo_fast') line += 'bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1';
  line += '\n';
  if (stats) {
    const st = q.stats;
    line +=
      ` Sent ${st.bytes} bytes ${st.packets} pkt (dropped ${st.drops}, overlimits ${st.overlimits} requeues ${st.requeues}) \n` +
      ` backlog ${fmtSize(st.backlog)} ${st.qlen}p requeues ${st.requeues}\n`;
  }
  return line;
}

type Args = string[];

/** NEXT_IS_NUMBER: the next word starts with a digit. */
function nextIsNumber(args: Args, i: number): boolean {
  return /^\d/.test(args[i + 1] ?? '');
}

function notModelled(what: string): ExitError {
  return new ExitError(1, `tc: ${what} is not modelled in this lab\n`);
}

/** netem_parse_opt. */
function parseNetem(args: Args): Partial<QdiscOptions> {
  const o: Partial<QdiscOptions> = {};
  const illegal = (what: string) => new ExitError(1, `Illegal "${what}"\n`);
  const usage = (msg: string) => new ExitError(1, msg + NETEM_USAGE);
  const next = (i: number) => {
    if (i + 1 >= args.length) throw INCOMPLETE;
    return args[i + 1];
  };
  const percent = (i: number, what: string) => {
    const v = parsePercent(next(i));
    if (v === null) throw illegal(what);
    if (nextIsNumber(args, i + 1)) throw notModelled('a correlation');
    return v;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (matches(a, 'limit')) {
      const v = parseSize(next(i++));
      if (v === null) throw illegal('limit');
      o.limit = v;
    } else if (matches(a, 'latency') || matches(a, 'delay')) {
      const v = parseTime(next(i++));
      if (v === null) throw illegal('latency');
      o.latency = v;
      if (nextIsNumber(args, i)) {
        const j = parseTime(next(i++));
        if (j === null) throw illegal('latency');
        o.jitter = j;
        if (nextIsNumber(args, i)) throw notModelled('a delay correlation');
      }
    } else if (matches(a, 'loss') || matches(a, 'drop')) {
      if (o.loss !== undefined) throw illegal('duplicate loss argument\n');
      let w = next(i++);
      if (!/^\d/.test(w)) {
        if (w !== 'random') {
          if (w === 'state' || w === 'gemodel') throw notModelled(`loss ${w}`);
          throw new ExitError(1, `Unknown loss parameter: ${w}\n`);
        }
        w = next(i++);
      }
      const v = parsePercent(w);
      if (v === null) throw illegal('loss percent');
      if (nextIsNumber(args, i)) throw notModelled('a loss correlation');
      o.loss = v;
    } else if (matches(a, 'reorder')) {
      o.reorder = percent(i++, 'reorder');
    } else if (matches(a, 'corrupt')) {
      o.corrupt = percent(i++, 'corrupt');
    } else if (matches(a, 'gap')) {
      const w = next(i++);
      if (!/^\d+$/.test(w) || Number(w) > 0xffffffff) throw illegal('gap');
      o.gap = Number(w);
    } else if (matches(a, 'duplicate')) {
      o.duplicate = percent(i++, 'duplicate');
    } else if (matches(a, 'rate')) {
      const v = parseRate(next(i++));
      if (v === null) throw illegal('rate');
      if (nextIsNumber(args, i)) throw notModelled('a packet overhead');
      o.rate = v;
    } else if (matches(a, 'distribution') || matches(a, 'slot') || matches(a, 'ecn')) {
      throw notModelled(`netem ${a}`);
    } else {
      throw usage(a === 'help' ? '' : `What is "${a}"?\n`);
    }
  }
  if (o.reorder) {
    if (!o.latency) throw usage('reordering not possible without specifying some delay\n');
    if (!o.gap) o.gap = 1;
  } else if (o.gap) {
    throw usage('gap specified without reorder probability\n');
  }
  return o;
}

function parseFifo(args: Args): Partial<QdiscOptions> {
  const o: Partial<QdiscOptions> = {};
  for (let i = 0; i < args.length; i++) {
    if (matches(args[i], 'limit')) {
      if (i + 1 >= args.length) throw INCOMPLETE;
      const v = parseSize(args[++i]);
      if (v === null) throw new ExitError(1, `${FIFO_USAGE}Illegal "limit"\n`);
      o.limit = v;
    } else {
      const what = args[i] === 'help' ? '' : `What is "${args[i]}"?\n`;
      throw new ExitError(1, what + FIFO_USAGE);
    }
  }
  return o;
}

const PARSERS: Record<string, (args: Args) => Partial<QdiscOptions>> = {
  netem: parseNetem,
  pfifo: parseFifo,
};

function findLink(links: LinkInfo[], name: string): LinkInfo {
  const l = links.find((x) => x.name === name);
  if (!l) throw cannotFindDevice(name);
  return l;
}

const WRITES: Record<string, QdiscWriteFlags> = {
  add: { create: true, excl: true },
  change: {},
  replace: { create: true, replace: true },
  link: { replace: true },
};

export const tc: Program = async (argv, io, host) => {
  const { kernel, netns } = host;
  let stats = false;
  let i = 1;
  for (; i < argv.length && argv[i].startsWith('-') && argv[i].length > 1; i++) {
    const opt = argv[i].replace(/^--?/, '');
    if (matches(opt, 'statistics') || opt === 's') stats = true;
    else if (matches(opt, 'details') || matches(opt, 'raw')) continue;
    else if (matches(opt, 'Version') || opt === 'V') {
      io.stdout('tc utility, iproute2-6.1.0, libbpf 1.1.2\n');
      return 0;
    } else if (matches(opt, 'help')) {
      io.stderr(TC_USAGE);
      return 0;
    } else {
      io.stderr(`Option "${argv[i]}" is unknown, try "tc -help".\n`);
      return 255;
    }
  }
  const object = argv[i++];
  try {
    if (object === undefined || matches(object, 'help')) {
      io.stderr(TC_USAGE);
      return object === undefined ? 255 : 0;
    }
    if (!matches(object, 'qdisc')) {
      throw new ExitError(255, `Object "${object}" is unknown, try "tc help".\n`);
    }
    const cmd = argv[i++] ?? 'show';
    const rest = argv.slice(i);
    if (matches(cmd, 'show') || matches(cmd, 'list') || cmd === 'ls') {
      io.stdout(show(rest, stats, host));
      return 0;
    }
    if (matches(cmd, 'help')) {
      io.stderr(QDISC_USAGE);
      return 0;
    }
    const del = matches(cmd, 'delete');
    const flags = WRITES[cmd];
    if (!del && flags === undefined) throw unknownCommand(cmd, 'tc qdisc help');
    let dev: string | undefined;
    let root = false;
    let kind = '';
    let options: Partial<QdiscOptions> = {};
    for (let j = 0; j < rest.length; j++) {
      const a = rest[j];
      if (a === 'dev') {
        if (j + 1 >= rest.length) throw INCOMPLETE;
        dev = rest[++j];
      } else if (a === 'root') {
        root = true;
      } else if (a === 'handle' || a === 'parent' || a === 'estimator' || a === 'stab') {
        throw notModelled(`tc qdisc ${a}`);
      } else if (a === 'ingress' || a === 'clsact') {
        throw notModelled(`an ${a} qdisc`);
      } else {
        kind = a;
        const parse = PARSERS[kind];
        if (parse && !del) options = parse(rest.slice(j + 1));
        else if (!del && rest.length > j + 1) {
          throw new ExitError(
            1,
            `Unknown qdisc "${kind}", hence option "${rest[j + 1]}" is unparsable\n`,
          );
        }
        break;
      }
    }
    const links = kernel.linkDump(netns);
    if (dev === undefined) throw new ExitError(1, 'Cannot find device ""\n');
    const link = findLink(links, dev);
    if (del) viaNetlink(() => kernel.qdiscDel(netns, link.ifindex));
    else viaNetlink(() => kernel.qdiscSet(netns, link.ifindex, { kind, root, options }, flags));
    return 0;
  } catch (e) {
    if (!(e instanceof ExitError)) throw e;
    io.stderr(e.stderr);
    return e.code;
  }
};

function show(args: Args, stats: boolean, host: Parameters<Program>[2]): string {
  let dev: string | undefined;
  for (let j = 0; j < args.length; j++) {
    if (args[j] === 'dev') {
      if (j + 1 >= args.length) throw INCOMPLETE;
      dev = args[++j];
    } else if (args[j] === 'root' || args[j] === 'invisible') {
      continue;
    } else {
      throw new ExitError(255, `What is "${args[j]}"? Try "tc qdisc help".\n`);
    }
  }
  const links = host.kernel.linkDump(host.netns);
  const link = dev === undefined ? undefined : findLink(links, dev);
  const byIndex = new Map(links.map((l) => [l.ifindex, l]));
  let out = '';
  for (const q of host.kernel.qdiscDump(host.netns, link?.ifindex)) {
    const l = byIndex.get(q.ifindex);
    if (l) out += formatQdisc(q, l, dev === undefined, stats);
  }
  return out;
}
