// ping (iputils 20221126, as in Debian 12) on the lab kernel's raw ICMP socket.
//
// ping [-c N] [-i SEC] [-s SIZE] [-M do|dont|want] [-W SEC] [-w DEADLINE] [-t TTL] [-q] [-n]
//      [-I ADDR|DEV] DEST
//
// The loop follows iputils' main_loop: send a probe every interval; replies are printed as the
// socket handler delivers them; stop once `count` probes were answered or failed, at the
// deadline, on Ctrl-C, or when the linger time after the last probe runs out (-W, 10 s by
// default; twice the largest RTT once something answered). Times come from the lab clock.

import { ERRNO_TEXT, NetlinkError } from '../../kernel/types.ts';
import type { HostContext, Program, ProgramIO } from '../types.ts';
import {
  ICMP_DEST_UNREACH,
  ICMP_ECHO,
  ICMP_ECHO_REPLY,
  ICMP_TIME_EXCEEDED,
  TIMEVAL_LEN,
  buildEchoRequest,
  echoTimestampUs,
  icmpErrorText,
  internetChecksum,
  readIpv4,
} from './icmp.ts';
import { PING_USAGE } from './usage.ts';

const DOTTED_QUAD = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const LONG_MAX = 9223372036854775807n;

interface Options {
  count: number;
  intervalMs: number;
  datalen: number;
  pmtudiscDo: boolean;
  lingerMs: number;
  deadlineS: number;
  ttl?: number;
  quiet: boolean;
  numeric: boolean;
  iface?: string;
  dest: string;
}

class UsageExit {
  constructor(
    readonly message: string,
    readonly status: number,
  ) {}
}

/** iputils' strtol_or_err: a whole number within [min, max]. */
function parseInteger(arg: string, min: bigint, max: bigint): number {
  if (!/^[+-]?\d+$/.test(arg.trim())) throw new UsageExit(`ping: invalid argument: '${arg}'`, 1);
  const value = BigInt(arg.trim());
  if (value > LONG_MAX || value < -LONG_MAX - 1n)
    throw new UsageExit(`ping: invalid argument: '${arg}': Numerical result out of range`, 1);
  if (value < min || value > max)
    throw new UsageExit(
      `ping: invalid argument: '${arg}': out of range: ${min} <= value <= ${max}`,
      1,
    );
  return Number(value);
}

/** A seconds value parsed as strtod does: garbage after the number only earns a warning. */
function parseSeconds(arg: string, io: ProgramIO): number {
  const m = /^\s*[+-]?(\d+\.?\d*|\.\d+)/.exec(arg);
  if (!m || m[0].length !== arg.length) {
    io.stderr(`ping: option argument contains garbage: ${arg.slice(m?.[0].length ?? 0)}\n`);
    io.stderr('ping: this will become fatal error in the future\n');
  }
  return m ? Number(m[0]) : 0;
}

const WITH_ARG = 'cisMWwtIlmpQSTFNe';
const FLAGS = 'qnaAbBdDfhLOrRUvV46C';

function parseOptions(argv: string[], io: ProgramIO): Options {
  const o: Options = {
    count: 0,
    intervalMs: 1000,
    datalen: 56,
    pmtudiscDo: false,
    lingerMs: 10_000,
    deadlineS: 0,
    quiet: false,
    numeric: false,
    dest: '',
  };
  const operands: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      operands.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      operands.push(arg);
      continue;
    }
    for (let j = 1; j < arg.length; j++) {
      const letter = arg[j];
      if (FLAGS.includes(letter)) {
        if (letter === 'q') o.quiet = true;
        if (letter === 'n') o.numeric = true;
        if (letter === 'V') throw new UsageExit('ping from iputils 20221126', 0);
        if (letter === 'h') throw new UsageExit(PING_USAGE.slice(1), 2);
        continue;
      }
      if (!WITH_ARG.includes(letter))
        throw new UsageExit(`ping: invalid option -- '${letter}'\n${PING_USAGE}`.trimEnd(), 2);
      const value = j + 1 < arg.length ? arg.slice(j + 1) : argv[++i];
      if (value === undefined)
        throw new UsageExit(
          `ping: option requires an argument -- '${letter}'\n${PING_USAGE}`.trimEnd(),
          2,
        );
      applyOption(o, letter, value, io);
      break;
    }
  }
  if (operands.length === 0)
    throw new UsageExit('ping: usage error: Destination address required', 1);
  o.dest = operands[operands.length - 1];
  return o;
}

function applyOption(o: Options, letter: string, value: string, io: ProgramIO): void {
  switch (letter) {
    case 'c':
      o.count = parseInteger(value, 1n, LONG_MAX);
      break;
    case 'i':
      o.intervalMs = Math.max(1, parseSeconds(value, io) * 1000);
      break;
    case 's':
      o.datalen = parseInteger(value, 0n, 2147483647n);
      break;
    case 't':
      o.ttl = parseInteger(value, 0n, 255n);
      if (o.ttl === 0)
        throw new UsageExit('ping: cannot set unicast time-to-live: Invalid argument', 2);
      break;
    case 'W': {
      const seconds = parseSeconds(value, io);
      if (seconds < 0) throw new UsageExit(`ping: bad linger time: ${value}`, 2);
      o.lingerMs = seconds * 1000;
      break;
    }
    case 'w':
      o.deadlineS = parseInteger(value, 0n, 2147483647n);
      break;
    case 'M':
      if (!['do', 'dont', 'want'].includes(value))
        throw new UsageExit(`ping: invalid -M argument: ${value}`, 2);
      o.pmtudiscDo = value === 'do';
      break;
    case 'I':
      o.iface = value;
      break;
    default:
      // Accepted for compatibility; these options change nothing in the lab.
      break;
  }
}

/** /etc/hosts as (address, names) pairs, in file order. */
function readHosts(host: HostContext): [string, string[]][] {
  let text: string;
  try {
    text = host.fs.readText('/etc/hosts');
  } catch {
    return [];
  }
  const entries: [string, string[]][] = [];
  for (const line of text.split('\n')) {
    const fields = line.replace(/#.*/, '').trim().split(/\s+/);
    if (fields.length >= 2 && DOTTED_QUAD.test(fields[0]))
      entries.push([fields[0], fields.slice(1)]);
  }
  return entries;
}

interface Stats {
  transmitted: number;
  received: number;
  repeats: number;
  corrupted: number;
  errors: number;
  tmin: number;
  tmax: number;
  tsum: number;
  tsum2: number;
  pipesize: number;
}

/** iputils' time= column: three decimals under 1 ms, fewer as the time grows. */
export function formatTripTime(us: number): string {
  if (us >= 100000 - 50) return `${Math.floor((us + 500) / 1000)}`;
  if (us >= 10000 - 5)
    return `${Math.floor((us + 50) / 1000)}.${Math.floor(((us + 50) % 1000) / 100)}`;
  if (us >= 1000)
    return `${Math.floor((us + 5) / 1000)}.${String(Math.floor(((us + 5) % 1000) / 10)).padStart(2, '0')}`;
  return `${Math.floor(us / 1000)}.${String(us % 1000).padStart(3, '0')}`;
}

const ms3 = (us: number) =>
  `${Math.floor(us / 1000)}.${String(Math.floor(us % 1000)).padStart(3, '0')}`;

/** The statistics block printed at exit (finish() in iputils). */
export function formatSummary(name: string, s: Stats, elapsedMs: number, timing: boolean): string {
  let out = `\n--- ${name} ping statistics ---\n`;
  out += `${s.transmitted} packets transmitted, ${s.received} received`;
  if (s.repeats) out += `, +${s.repeats} duplicates`;
  if (s.corrupted) out += `, +${s.corrupted} corrupted`;
  if (s.errors) out += `, +${s.errors} errors`;
  if (s.transmitted) {
    const loss = Math.fround(((s.transmitted - s.received) * 100) / s.transmitted);
    out += `, ${Number(loss.toPrecision(6))}% packet loss, time ${Math.round(elapsedMs)}ms`;
  }
  out += '\n';
  let comma = '';
  if (s.received && timing) {
    const total = s.received + s.repeats;
    const avg = Math.trunc(s.tsum / total);
    const variance = Math.trunc((s.tsum2 - Math.trunc((s.tsum * s.tsum) / total)) / total);
    const mdev = Math.floor(Math.sqrt(Math.max(0, variance)));
    out += `rtt min/avg/max/mdev = ${ms3(s.tmin)}/${ms3(avg)}/${ms3(s.tmax)}/${ms3(mdev)} ms`;
    comma = ', ';
  }
  if (s.pipesize > 1) out += `${comma}pipe ${s.pipesize}`;
  return out + '\n';
}

export const ping: Program = async (argv, io, host) => {
  let o: Options;
  try {
    o = parseOptions(argv, io);
  } catch (err) {
    if (!(err instanceof UsageExit)) throw err;
    (err.status === 0 ? io.stdout : io.stderr)(err.message + '\n');
    return err.status;
  }
  const { kernel, netns, clock } = host;

  // Resolve the destination: a dotted quad, or a name from /etc/hosts.
  const hosts = readHosts(host);
  let dst = o.dest;
  let numeric = o.numeric;
  if (DOTTED_QUAD.test(o.dest)) numeric = true;
  else {
    const found = hosts.find(([, names]) => names.includes(o.dest));
    if (!found) {
      io.stderr(`ping: ${o.dest}: Temporary failure in name resolution\n`);
      return 2;
    }
    dst = found[0];
  }
  const prAddr = (addr: string) => {
    if (numeric) return addr;
    const name = hosts.find(([a]) => a === addr)?.[1][0];
    return `${name ?? addr} (${addr})`;
  };

  // -I: a source address of this namespace, or a device whose first address becomes the source.
  let src: string | undefined;
  let fromText = '';
  if (o.iface !== undefined) {
    const addrs = kernel.addrDump(netns);
    if (DOTTED_QUAD.test(o.iface)) {
      if (!addrs.some((a) => a.local === o.iface)) {
        io.stderr('ping: bind: Cannot assign requested address\n');
        return 2;
      }
      src = o.iface;
      fromText = `from ${src} : `;
    } else {
      let ifindex: number;
      try {
        ifindex = kernel.linkGet(netns, o.iface).ifindex;
      } catch {
        io.stderr(`ping: SO_BINDTODEVICE ${o.iface}: No such device\n`);
        return 2;
      }
      src = addrs.find((a) => a.ifindex === ifindex)?.local;
      fromText = `from ${src ?? '0.0.0.0'} ${o.iface}: `;
    }
  }

  // Like iputils' connect() of a probe socket: fails at once when there is no route.
  try {
    kernel.routeGet(netns, dst, src ? { src } : undefined);
  } catch (err) {
    if (!(err instanceof NetlinkError)) throw err;
    io.stderr(`ping: connect: ${ERRNO_TEXT[err.errno] ?? err.message}\n`);
    return 2;
  }

  const ident = Math.floor(Math.random() * 0x10000);
  const timing = o.datalen >= TIMEVAL_LEN;
  const s: Stats = {
    transmitted: 0,
    received: 0,
    repeats: 0,
    corrupted: 0,
    errors: 0,
    tmin: Infinity,
    tmax: 0,
    tsum: 0,
    tsum2: 0,
    pipesize: 0,
  };
  const seen = new Set<number>();
  let wake: (() => void) | null = null;

  const onReply = (icmp: Uint8Array, from: string, ttl: number, time: number) => {
    const seq = (icmp[6] << 8) | icmp[7];
    const csfailed = internetChecksum(icmp) !== 0;
    const diff = (s.transmitted - seq) & 0xffff;
    if (!csfailed && diff <= 0x7fff) s.pipesize = Math.max(s.pipesize, diff + 1);
    let trip = 0;
    if (timing && icmp.length >= 8 + TIMEVAL_LEN) {
      trip = Math.max(0, Math.floor(time * 1000) - echoTimestampUs(icmp));
      if (!csfailed) {
        s.tsum += trip;
        s.tsum2 += trip * trip;
        s.tmin = Math.min(s.tmin, trip);
        s.tmax = Math.max(s.tmax, trip);
      }
    }
    const dup = !csfailed && seen.has(seq);
    if (csfailed) s.corrupted++;
    else if (dup) s.repeats++;
    else {
      seen.add(seq);
      s.received++;
    }
    if (o.quiet) return;
    let line = `${icmp.length} bytes from ${prAddr(from)}: icmp_seq=${seq} ttl=${ttl}`;
    if (icmp.length < o.datalen + 8) line += ' (truncated)';
    else {
      if (timing) line += ` time=${formatTripTime(trip)} ms`;
      if (dup) line += ' (DUP!)';
      if (csfailed) line += ' (BAD CHECKSUM!)';
    }
    io.stdout(line + '\n');
  };

  const onError = (icmp: Uint8Array, from: string) => {
    const inner = readIpv4(icmp, 8);
    if (!inner || inner.protocol !== 1 || inner.dst !== dst) return;
    const quoted = icmp.subarray(8 + inner.headerLen);
    if (quoted.length < 8 || quoted[0] !== ICMP_ECHO || ((quoted[4] << 8) | quoted[5]) !== ident)
      return;
    s.errors++;
    if (o.quiet) return;
    const seq = (quoted[6] << 8) | quoted[7];
    const mtu = (icmp[6] << 8) | icmp[7];
    io.stdout(`From ${prAddr(from)} icmp_seq=${seq} ${icmpErrorText(icmp[0], icmp[1], mtu)}\n`);
  };

  const fd = kernel.icmpOpen(netns, (packet, meta) => {
    const iph = readIpv4(packet);
    if (!iph || iph.protocol !== 1) return;
    const icmp = packet.subarray(
      iph.headerLen,
      Math.max(iph.headerLen, Math.min(packet.length, iph.totalLen)),
    );
    if (icmp.length < 8) return;
    if (icmp[0] === ICMP_ECHO_REPLY && ((icmp[4] << 8) | icmp[5]) === ident)
      onReply(icmp, iph.src, iph.ttl, meta.time);
    else if (icmp[0] === ICMP_DEST_UNREACH || icmp[0] === ICMP_TIME_EXCEEDED)
      onError(icmp, iph.src);
    else return;
    wake?.();
  });

  io.stdout(`PING ${o.dest} (${dst}) ${fromText}${o.datalen}(${o.datalen + 28}) bytes of data.\n`);

  const send = () => {
    s.transmitted++;
    const msg = buildEchoRequest(ident, s.transmitted & 0xffff, o.datalen, clock.now());
    try {
      kernel.icmpSend(fd, dst, msg, { ttl: o.ttl, pmtudiscDo: o.pmtudiscDo, src });
    } catch (err) {
      if (!(err instanceof NetlinkError)) throw err;
      if (err.errno === 90 && err.mtu !== undefined) {
        s.errors++;
        if (!o.quiet) io.stderr(`ping: local error: message too long, mtu=${err.mtu}\n`);
      } else if (!o.quiet) {
        io.stderr(`ping: sendmsg: ${ERRNO_TEXT[err.errno] ?? err.message}\n`);
      }
    }
  };

  /** Waits `ms` of lab time, or less when a packet arrives or Ctrl-C fires. */
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        cancel();
        io.signal.removeEventListener('abort', done);
        wake = null;
        resolve();
      };
      const cancel = clock.setTimer(ms, done);
      wake = done;
      io.signal.addEventListener('abort', done, { once: true });
    });

  const start = clock.now();
  const deadlineAt = o.deadlineS ? start + o.deadlineS * 1000 : Infinity;
  let lastSend = start;
  let nextSend = start;
  let lingerEnd: number | undefined;
  try {
    for (;;) {
      if (io.signal.aborted) break;
      if (o.count && s.received + s.errors >= o.count) break;
      if (o.deadlineS && s.errors) break;
      const now = clock.now();
      if (now >= deadlineAt) break;
      const mayStillSend = !o.count || s.transmitted < o.count || o.deadlineS > 0;
      if (mayStillSend && now >= nextSend) {
        send();
        lastSend = now;
        nextSend = now + o.intervalMs;
        continue;
      }
      let until = deadlineAt;
      if (mayStillSend) until = Math.min(until, nextSend);
      else {
        lingerEnd ??= now + (s.received ? Math.max((2 * s.tmax) / 1000, o.intervalMs) : o.lingerMs);
        if (now >= lingerEnd) break;
        until = Math.min(until, lingerEnd);
      }
      await wait(until - now);
    }
  } finally {
    kernel.close(fd);
  }

  io.stdout(formatSummary(o.dest, s, lastSend - start, timing));
  return !s.received || (o.deadlineS && s.received < o.count) ? 1 : 0;
};
