// ping (iputils 20221126, as in Debian 12) on the lab kernel's raw ICMP socket.
//
// ping [-c N] [-i SEC] [-s SIZE] [-M do|dont|want] [-W SEC] [-w DEADLINE] [-t TTL] [-l PRELOAD]
//      [-f] [-A] [-q] [-n] [-I ADDR|DEV] DEST
//
// The loop follows iputils' main_loop: read what the socket queued, check the exit conditions,
// send every probe the pacer allows, then wait for the next slot or the next packet, whichever
// comes first. So a flood (-f) is paced by its replies, not by timers: each reply wakes the loop,
// which sends the next probe at once; `-l N` keeps N in flight. It stops once `count` probes
// were answered or failed, at the deadline, on Ctrl-C, or when the linger time after the last
// probe runs out (-W, 10 s by default; twice the largest RTT once something answered). Times
// come from the lab clock.

import { Errno, NetlinkError, strerror } from '../../kernel/types.ts';
import { formatIpv4, parseIpv4 } from '../../packet/ipaddr.ts';
import type { HostContext, Program, ProgramIO } from '../types.ts';
import { ICMP_HEADER_LEN, IcmpPacket, IcmpType } from '../../packet/icmp.ts';
import { IpProtocol } from '../../packet/ipv4.ts';
import {
  TIMEVAL_LEN,
  buildEchoRequest,
  echoTimestampUs,
  icmpErrorText,
  labMicros,
  readIpv4,
} from './icmp.ts';
import { ProbePacer } from './pacer.ts';
import { PacketWaiter } from './waiter.ts';
import {
  acknowledge,
  advanceTransmitted,
  formatSummary,
  formatTripTime,
  inFlight,
  newStats,
  recordTrip,
} from './stats.ts';
import { PING_USAGE } from './usage.ts';

const LONG_MAX = 9223372036854775807n;
const INT_MAX = 2147483647;
/** iputils' MAX_DUP_CHK: the received-seq bitmap's size, also the largest preload. */
const MAX_DUP_CHK = 0x10000;
/** net.core.rmem_max's default: what SO_RCVBUF may ask for (the kernel then doubles it). */
const RMEM_MAX = 212992;
/** Most probes sent back to back before the loop looks at the socket again. */
const MAX_BURST = 1024;
/** Loop turns without blocking after which ping lets the event loop run (Ctrl-C). */
const YIELD_EVERY = 256;

interface Options {
  count: number;
  intervalMs: number;
  /** -i was given (flood keeps it instead of sending back to back). */
  intervalSet: boolean;
  preload: number;
  flood: boolean;
  adaptive: boolean;
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
    intervalSet: false,
    preload: 1,
    flood: false,
    adaptive: false,
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
        if (letter === 'A') o.adaptive = true;
        // Flood also skips reverse lookups, as iputils does (F_NUMERIC).
        if (letter === 'f') o.flood = o.numeric = true;
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
    case 'i': {
      const seconds = parseSeconds(value, io);
      if (seconds > Math.trunc(2147483647 / 1000))
        throw new UsageExit(`ping: bad timing interval: ${value}`, 2);
      // iputils keeps a negative interval, which then floods without the 10 ms floor; the lab
      // treats it as 0 so the loop keeps that floor.
      o.intervalMs = Math.max(0, Math.trunc(seconds * 1000));
      o.intervalSet = true;
      break;
    }
    case 'l':
      // We are root: the whole range, not the 3 an ordinary user gets.
      o.preload = parseInteger(value, 1n, BigInt(MAX_DUP_CHK));
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
    if (fields.length >= 2 && parseIpv4(fields[0], 'inet_pton') !== null)
      entries.push([fields[0], fields.slice(1)]);
  }
  return entries;
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

  // Resolve the destination as getaddrinfo does: an address inet_aton reads (`010.0.0.1` is
  // 8.0.0.1, `127.1` is 127.0.0.1), or a name from /etc/hosts.
  const hosts = readHosts(host);
  let dst = o.dest;
  let numeric = o.numeric;
  const numericDst = parseIpv4(o.dest, 'inet_aton');
  if (numericDst !== null) {
    numeric = true;
    dst = formatIpv4(numericDst);
  } else {
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
    if (parseIpv4(o.iface, 'inet_pton') !== null) {
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
    io.stderr(`ping: connect: ${strerror(err.errno, err.message)}\n`);
    return 2;
  }

  // sock_setbufs: the receive buffer should hold `preload` replies; iputils estimates each
  // one's cost and warns when the kernel grants less (SO_RCVBUF is capped, then doubled).
  const perReply = (o.datalen + 8 + Math.trunc((o.datalen + 8 + 511) / 512) * 260) | 0;
  const wanted = Math.imul(perReply, o.preload);
  if (2 * Math.min(Math.max(wanted, 65536), RMEM_MAX) < wanted)
    io.stderr('ping: WARNING: probably, rcvbuf is not enough to hold preload\n');

  io.stdout(`PING ${o.dest} (${dst}) ${fromText}${o.datalen}(${o.datalen + 28}) bytes of data.\n`);

  // setup(): a flood without -i sends back to back; the token bucket must fit in an int.
  const pacer = new ProbePacer(o.flood && !o.intervalSet ? 0 : o.intervalMs, o.preload);
  if (pacer.interval >= Math.trunc(INT_MAX / o.preload)) {
    io.stderr(`ping: illegal preload and/or interval: ${pacer.interval}\n`);
    return 2;
  }

  const ident = Math.floor((host.random?.() ?? 0) * 0x10000);
  const timing = o.datalen >= TIMEVAL_LEN;
  const s = newStats();
  /** Which sequence numbers were answered (iputils' rcvd bitmap); cleared as a seq is reused. */
  const answered = new Uint8Array(MAX_DUP_CHK);

  const onReply = (icmp: IcmpPacket, from: string, ttl: number, time: number) => {
    const seq = icmp.echoSeq;
    const csfailed = !icmp.checksumValid;
    if (!csfailed) acknowledge(s, seq);
    let trip = 0;
    const length = icmp.bytes.length;
    if (timing && length >= ICMP_HEADER_LEN + TIMEVAL_LEN) {
      trip = Math.max(0, labMicros(time) - echoTimestampUs(icmp.bytes));
      if (!csfailed) {
        recordTrip(s, trip);
        if (o.adaptive) pacer.adapt(s.rtt);
      }
    }
    const dup = !csfailed && answered[seq] === 1;
    if (csfailed) s.corrupted++;
    else if (dup) s.repeats++;
    else {
      answered[seq] = 1;
      s.received++;
    }
    if (o.quiet) return;
    if (o.flood) {
      // Rub out the probe's dot; a C marks a corrupted reply.
      io.stdout(csfailed ? '\bC' : '\b \b');
      return;
    }
    let line = `${length} bytes from ${prAddr(from)}: icmp_seq=${seq} ttl=${ttl}`;
    if (length < o.datalen + ICMP_HEADER_LEN) line += ' (truncated)';
    else {
      if (timing) line += ` time=${formatTripTime(trip)} ms`;
      if (dup) line += ' (DUP!)';
      if (csfailed) line += ' (BAD CHECKSUM!)';
    }
    io.stdout(line + '\n');
  };

  const onError = (icmp: IcmpPacket, from: string) => {
    const inner = readIpv4(icmp.data);
    if (!inner || inner.protocol !== IpProtocol.ICMP || inner.dstText !== dst) return;
    const quotedBytes = icmp.data.subarray(inner.headerLen);
    if (quotedBytes.length < ICMP_HEADER_LEN) return;
    const quoted = IcmpPacket.unchecked(quotedBytes);
    if (quoted.type !== IcmpType.ECHO_REQUEST || quoted.echoIdent !== ident) return;
    const seq = quoted.echoSeq;
    acknowledge(s, seq);
    s.errors++;
    if (o.quiet) return;
    if (o.flood) {
      io.stdout('\bE');
      return;
    }
    const text = icmpErrorText(icmp.type, icmp.code, icmp.nextHopMtu);
    io.stdout(`From ${prAddr(from)} icmp_seq=${seq} ${text}\n`);
  };

  /** One packet the socket queued (recvmsg): an echo reply of ours, or an ICMP error. */
  const receive = (packet: Uint8Array, time: number) => {
    const iph = readIpv4(packet);
    if (!iph || iph.protocol !== IpProtocol.ICMP) return;
    const bytes = packet.subarray(
      iph.headerLen,
      Math.max(iph.headerLen, Math.min(packet.length, iph.totalLen)),
    );
    if (bytes.length < ICMP_HEADER_LEN) return;
    const icmp = IcmpPacket.unchecked(bytes);
    if (icmp.type === IcmpType.ECHO_REPLY && icmp.echoIdent === ident)
      onReply(icmp, iph.srcText, iph.ttl, time);
    else if (icmp.type === IcmpType.DEST_UNREACHABLE || icmp.type === IcmpType.TIME_EXCEEDED)
      onError(icmp, iph.srcText);
  };

  // The socket queues what arrives and wakes the loop; the loop reads the queue, as ping's
  // recvmsg does. Replies that arrive while a probe is being sent thus wait their turn.
  const queue: { packet: Uint8Array; time: number }[] = [];
  const waiter = new PacketWaiter(clock, io.signal);
  const fd = kernel.icmpOpen(netns, (packet, meta) => {
    queue.push({ packet, time: meta.time });
    waiter.wake();
  });

  /** Sends the next probe; returns the pacer's wait, as pinger does. */
  const send = (): number => {
    const seq = (s.transmitted + 1) & 0xffff;
    answered[seq] = 0;
    const msg = buildEchoRequest(ident, seq, o.datalen, clock.now());
    try {
      kernel.icmpSend(fd, dst, msg, { ttl: o.ttl, pmtudiscDo: o.pmtudiscDo, src });
    } catch (err) {
      if (!(err instanceof NetlinkError)) throw err;
      if (err.errno === Errno.EPERM) {
        // Netfilter refused it. iputils reads the error queue first: a REJECT's ICMP error is
        // reported, then sendmsg's error; with none (a DROP) the probe just counts as sent.
        const errors = s.errors;
        for (const { packet, time } of queue.splice(0)) receive(packet, time);
        advanceTransmitted(s);
        if (s.errors > errors && !o.quiet)
          if (o.flood) io.stdout('E');
          else io.stderr(`ping: sendmsg: ${strerror(err.errno, err.message)}\n`);
        return pacer.afterError();
      }
      // A hard local error: the probe counts as sent.
      advanceTransmitted(s);
      const tooBig = err.errno === 90 && err.mtu !== undefined;
      if (tooBig) s.errors++;
      if (o.quiet) return pacer.afterError();
      if (o.flood) io.stdout('E');
      else if (tooBig) io.stderr(`ping: local error: message too long, mtu=${err.mtu}\n`);
      else io.stderr(`ping: sendmsg: ${strerror(err.errno, err.message)}\n`);
      return pacer.afterError();
    }
    advanceTransmitted(s);
    if (o.flood && !o.quiet) io.stdout('.');
    return pacer.afterSend();
  };

  const probesDone = () => o.count > 0 && s.transmitted >= o.count && !o.deadlineS;
  const start = clock.now();
  let exitAt = o.deadlineS ? start + o.deadlineS * 1000 : Infinity;
  let lingerArmed = false;

  /** pinger(): sends if the pacer allows; returns ms until it should be asked again. */
  const pinger = (): number => {
    if (probesDone()) return 1000;
    const wait = pacer.reserve(clock.now(), inFlight(s));
    return wait > 0 ? wait : send();
  };

  /** schedule_exit(): once every probe is out, wait for stragglers only so long. */
  const scheduleExit = (next: number): number => {
    if (!probesDone() || lingerArmed) return next;
    const lingerUs = s.received ? Math.max(2 * s.tmax, 1000 * pacer.interval) : o.lingerMs * 1000;
    // A zero wait arms nothing in iputils (setitimer(0) disarms): ping waits for the answers.
    if (!lingerUs) return next;
    lingerArmed = true;
    exitAt = clock.now() + lingerUs / 1000;
    return Math.max(next, Math.trunc(lingerUs / 1000));
  };

  /** main_loop's exit conditions: Ctrl-C, deadline or linger over, count answered, an error under -w. */
  const finished = () =>
    io.signal.aborted ||
    clock.now() >= exitAt ||
    (o.count > 0 && s.received + s.errors >= o.count) ||
    (o.deadlineS > 0 && s.errors > 0);

  let busy = 0;
  try {
    for (;;) {
      for (const { packet, time } of queue.splice(0)) receive(packet, time);
      if (finished()) break;
      // Send every probe that is due now (a bounded burst, so a huge preload still yields).
      let next: number;
      let burst = 0;
      do next = scheduleExit(pinger());
      while (next <= 0 && ++burst < MAX_BURST);
      // A send can fail at once (EMSGSIZE), which may be the last answer awaited.
      if (queue.length || next <= 0 || finished()) {
        // Work is already waiting. A kernel that answers within the send never lets the loop
        // block, so give the event loop a turn now and then, and after every full burst (a
        // large preload would otherwise send it all at once): Ctrl-C must get through.
        if (burst >= MAX_BURST || ++busy % YIELD_EVERY === 0) await clock.sleep(0);
        continue;
      }
      const until = Math.min(next, exitAt - clock.now());
      if (until > 0) await waiter.wait(until);
    }
  } finally {
    kernel.close(fd);
  }

  const elapsedMs = (pacer.lastSlot ?? start) - start;
  const ipg = !pacer.interval || o.flood || o.adaptive;
  io.stdout(formatSummary(o.dest, s, elapsedMs, { timing, ipg }));
  return !s.received || (o.deadlineS && s.received < o.count) ? 1 : 0;
};
