// `ip` from iproute2 6.1: global options, then an object (link, address, route, neigh, netns)
// chosen by iproute2's abbreviation rule, then that object's command.

import type { Program } from '../types.ts';
import { doAddr } from './addr.ts';
import { IpContext, defaultOptions } from './context.ts';
import type { IpOptions } from './context.ts';
import { ExitError, kernelRefusal } from './errors.ts';
import { NetlinkError } from '../../kernel/types.ts';
import { doLink } from './link.ts';
import { doNeigh } from './neigh.ts';
import { doNetns } from './netns.ts';
import { matches } from './parse.ts';
import { doRoute } from './route.ts';
import { IP_USAGE } from './usage.ts';

export const IP_VERSION = 'ip utility, iproute2-6.1.0, libbpf 1.1.0\n';

type ObjectCommand = (ctx: IpContext, args: string[]) => number | Promise<number>;

/**
 * iproute2's object table, in its order: the first entry the typed word abbreviates wins, so
 * `ip a` is address, `ip r` route, `ip n` neighbor, `ip l` link. Objects this playground does
 * not model are listed so that abbreviations resolve as on Linux; they answer "unknown".
 */
const OBJECTS: [string, ObjectCommand | null][] = [
  ['address', doAddr],
  ['addrlabel', null],
  ['maddress', null],
  ['route', doRoute],
  ['rule', null],
  ['neighbor', doNeigh],
  ['neighbour', doNeigh],
  ['ntable', null],
  ['ntbl', null],
  ['link', doLink],
  ['l2tp', null],
  ['fou', null],
  ['ila', null],
  ['macsec', null],
  ['tunnel', null],
  ['tunl', null],
  ['tuntap', null],
  ['tap', null],
  ['token', null],
  ['tcpmetrics', null],
  ['tcp_metrics', null],
  ['monitor', null],
  ['xfrm', null],
  ['mroute', null],
  ['mrule', null],
  ['netns', doNetns],
  ['netconf', null],
  ['vrf', null],
  ['sr', null],
  ['nexthop', null],
  ['mptcp', null],
  ['ioam', null],
  ['help', null],
  ['stats', null],
];

type OptionResult = { opts: IpOptions; netns?: string; rest: string[] } | ExitError | 'version';

/** The options before the object, as ip.c's main loop reads them. */
function parseOptions(argv: string[]): OptionResult {
  const opts = defaultOptions();
  let netns: string | undefined;
  let i = 0;
  for (; i < argv.length; i++) {
    let opt = argv[i] ?? '';
    if (!opt.startsWith('-') || opt === '-') break;
    if (opt === '--') {
      i++;
      break;
    }
    if (opt.startsWith('--')) opt = opt.slice(1);
    const is = (...names: string[]) => names.some((name) => matches(opt, name));
    if (opt === '-4') opts.family = 'inet';
    else if (opt === '-6') opts.family = 'inet6';
    else if (opt === '-0') opts.family = 'link';
    else if (opt === '-M' || opt === '-B') continue;
    else if (is('-loops')) i++;
    else if (is('-family')) {
      const family = argv[++i];
      if (family === 'inet' || family === 'inet6' || family === 'link') opts.family = family;
      else
        return new ExitError(
          255,
          `Error: argument "${family ?? ''}" is wrong: invalid protocol family\n`,
        );
    } else if (is('-human', '-human-readable', '-iec')) continue;
    else if (is('-stats', '-statistics')) opts.stats++;
    else if (is('-details')) opts.details++;
    else if (is('-resolve')) continue;
    else if (is('-oneline')) opts.oneline = true;
    else if (is('-timestamp', '-tshort')) continue;
    else if (is('-Version')) return 'version';
    else if (is('-force')) continue;
    else if (is('-batch')) return new ExitError(255, 'ip: batch mode is not available here\n');
    else if (is('-rcvbuf')) i++;
    else if (opt === '-color' || is('-color')) continue;
    else if (is('-help')) return new ExitError(255, IP_USAGE);
    else if (is('-netns')) {
      netns = argv[++i];
      if (netns === undefined) return new ExitError(255, 'No netns name specified\n');
    } else if (is('-Numeric', '-all')) continue;
    else if (is('-json')) opts.json = true;
    else if (is('-pretty')) opts.pretty = true;
    else if (is('-brief')) opts.brief = true;
    else return new ExitError(255, `Option "${opt}" is unknown, try "ip -help".\n`);
  }
  return { opts, ...(netns !== undefined ? { netns } : {}), rest: argv.slice(i) };
}

export const ip: Program = async (argv, io, host) => {
  try {
    const parsed = parseOptions(argv.slice(1));
    if (parsed === 'version') {
      io.stdout(IP_VERSION);
      return 0;
    }
    if (parsed instanceof ExitError) throw parsed;
    const ns = parsed.netns ?? host.netns;
    if (parsed.netns !== undefined && !host.kernel.netnsList().includes(parsed.netns)) {
      throw new ExitError(
        255,
        `Cannot open network namespace "${parsed.netns}": No such file or directory\n`,
      );
    }
    const [object, ...args] = parsed.rest;
    if (object === undefined) throw new ExitError(255, IP_USAGE);
    const entry = OBJECTS.find(([name]) => matches(object, name));
    if (entry === undefined || entry[0] === 'help') {
      if (entry?.[0] === 'help') throw new ExitError(255, IP_USAGE);
      throw new ExitError(1, `Object "${object}" is unknown, try "ip help".\n`);
    }
    const command = entry[1];
    if (command === null) throw new ExitError(1, `Object "${object}" is unknown, try "ip help".\n`);
    const ctx = new IpContext(host.kernel, ns, parsed.opts, io, host);
    return await command(ctx, args);
  } catch (err) {
    const failure = err instanceof NetlinkError ? kernelRefusal(err) : err;
    if (failure instanceof ExitError) {
      io.stderr(failure.stderr);
      return failure.code;
    }
    throw err;
  }
};
