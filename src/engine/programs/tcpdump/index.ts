// tcpdump 4.99: capture on an interface (or read a pcap file), filter, print or write a pcap.
//
//   tcpdump [-eln] [-v[v]] [-c count] [-i interface] [-r file] [-w file] [expression]
//
// Capture goes through a packet socket (`kernel.captureOpen`); each matching frame is printed
// as it arrives. Stops after -c packets or on Ctrl-C (io.signal), then prints the counts.

import { IFF, type LinkInfo, NetlinkError } from '../../kernel/types.ts';
import { FsError, fsErrorText } from '../../os/fs-types.ts';
import { PacketError } from '../../packet/errors.ts';
import {
  LINKTYPE_ETHERNET,
  LINKTYPE_RAW,
  PCAP_SNAPLEN,
  PcapWriter,
  readPcap,
} from '../../packet/pcap.ts';
import { LINKTYPE_LINUX_SLL2 } from '../../packet/sll2.ts';
import type { HostContext, Program, ProgramIO } from '../types.ts';
import { cookFrame } from './cooked.ts';
import { compileFilter, FilterError, type FramePredicate } from './filter.ts';
import { formatTimestamp, linktypeText, printPacket, type PrintOptions } from './print.ts';

const USAGE = `tcpdump version 4.99.3
libpcap version 1.10.3 (with TPACKET_V3)
OpenSSL 3.0.19 27 Jan 2026
Usage: tcpdump [-AbdDefhHIJKlLnNOpqStuUvxX#] [ -B size ] [ -c count ] [--count]
\t\t[ -C file_size ] [ -E algo:secret ] [ -F file ] [ -G seconds ]
\t\t[ -i interface ] [ --immediate-mode ] [ -j tstamptype ]
\t\t[ -M secret ] [ --number ] [ --print ] [ -Q in|out|inout ]
\t\t[ -r file ] [ -s snaplen ] [ -T type ] [ --version ]
\t\t[ -V file ] [ -w file ] [ -W filecount ] [ -y datalinktype ]
\t\t[ --time-stamp-precision precision ] [ --micro ] [ --nano ]
\t\t[ -z postrotate-command ] [ -Z user ] [ expression ]
`;

/** Flags that take no argument and that this tcpdump accepts (some are no-ops here). */
const BOOLEAN_FLAGS = new Set(['n', 'e', 'v', 'l', 'p', 'U']);
const VALUE_FLAGS = new Set(['c', 'i', 'r', 'w', 's']);

interface Options {
  print: PrintOptions;
  count: number;
  iface?: string;
  readFile?: string;
  writeFile?: string;
  expression: string;
}

class UsageError extends Error {}

function parseArgs(argv: string[]): Options {
  const print: PrintOptions = { verbose: 0, linkHeader: false, numeric: false };
  const opts: Options = { print, count: Infinity, expression: '' };
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      words.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      words.push(arg);
      continue;
    }
    for (let j = 1; j < arg.length; j++) {
      const flag = arg[j]!;
      if (BOOLEAN_FLAGS.has(flag)) {
        if (flag === 'n') print.numeric = true;
        else if (flag === 'e') print.linkHeader = true;
        else if (flag === 'v') print.verbose++;
        continue;
      }
      if (!VALUE_FLAGS.has(flag))
        throw new UsageError(`tcpdump: invalid option -- '${flag}'\n${USAGE}`);
      let value = arg.slice(j + 1);
      if (value === '') {
        const nextArg = argv[++i];
        if (nextArg === undefined)
          throw new UsageError(`tcpdump: option requires an argument -- '${flag}'\n${USAGE}`);
        value = nextArg;
      }
      applyValue(opts, flag, value);
      break;
    }
  }
  opts.expression = words.join(' ');
  return opts;
}

function applyValue(opts: Options, flag: string, value: string): void {
  switch (flag) {
    case 'c': {
      const n = /^\d+$/.test(value) ? Number(value) : NaN;
      if (!(n > 0)) throw new UsageError(`tcpdump: invalid packet count ${value}\n`);
      opts.count = n;
      break;
    }
    case 'i':
      opts.iface = value;
      break;
    case 'r':
      opts.readFile = value;
      break;
    case 'w':
      opts.writeFile = value;
      break;
    case 's':
      if (!/^\d+$/.test(value)) throw new UsageError(`tcpdump: invalid snaplen ${value}\n`);
      break;
  }
}

export const tcpdump: Program = async (argv, io, host) => {
  let opts: Options;
  try {
    opts = parseArgs(argv.slice(1));
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(err.message);
      return 1;
    }
    throw err;
  }
  return opts.readFile !== undefined
    ? readFromFile(opts, opts.readFile, io, host)
    : capture(opts, io, host);
};

function compile(expression: string, io: ProgramIO): FramePredicate | null {
  try {
    return compileFilter(expression);
  } catch (err) {
    if (!(err instanceof FilterError)) throw err;
    io.stderr(`tcpdump: ${err.message}\n`);
    return null;
  }
}

/** Prints one packet, or adds it to the pcap being written. */
function emitPacket(
  opts: Options,
  io: ProgramIO,
  writer: PcapWriter | null,
  time: number,
  data: Uint8Array,
  origLen: number,
  linktype: number,
): void {
  if (writer) writer.write(time, data);
  else io.stdout(`${formatTimestamp(time)} ${printPacket(data, origLen, linktype, opts.print)}\n`);
}

function writePcapFile(
  host: HostContext,
  io: ProgramIO,
  path: string,
  writer: PcapWriter,
): boolean {
  try {
    host.fs.writeFile(path, writer.bytes());
    return true;
  } catch (err) {
    if (!(err instanceof FsError)) throw err;
    io.stderr(`tcpdump: ${path}: ${fsErrorText(err)}\n`);
    return false;
  }
}

async function readFromFile(
  opts: Options,
  path: string,
  io: ProgramIO,
  host: HostContext,
): Promise<number> {
  let file;
  try {
    file = readPcap(host.fs.readFile(path));
  } catch (err) {
    if (err instanceof FsError) {
      io.stderr(`tcpdump: ${path}: ${fsErrorText(err)}\n`);
      return 1;
    }
    if (err instanceof PacketError) {
      io.stderr(
        `tcpdump: ${err.kind === 'truncated' ? 'truncated dump file' : 'unknown file format'}\n`,
      );
      return 1;
    }
    throw err;
  }
  io.stderr(
    `reading from file ${path}, link-type ${linktypeText(file.linktype)}, snapshot length ${file.snaplen}\n`,
  );
  if (file.linktype === LINKTYPE_LINUX_SLL2) {
    // Like tcpdump, name the recorded ifindexes after this host's links.
    io.stderr('Warning: interface names might be incorrect\n');
    opts.print.ifname = (ifindex) => linkName(host, ifindex);
  }
  const filter = compile(opts.expression, io);
  if (!filter) return 1;
  const writer = opts.writeFile !== undefined ? new PcapWriter(file.linktype, file.snaplen) : null;
  let printed = 0;
  for (const record of file.records) {
    if (printed >= opts.count || io.signal.aborted) break;
    if (!filter(record.data, file.linktype)) continue;
    emitPacket(opts, io, writer, record.time, record.data, record.origLen, file.linktype);
    printed++;
  }
  if (writer && !writePcapFile(host, io, opts.writeFile!, writer)) return 1;
  return 0;
}

/** The interface tcpdump picks without -i: the first one that is up and not loopback. */
function defaultLink(host: HostContext): LinkInfo | undefined {
  return host.kernel
    .linkDump(host.netns)
    .find((l) => (l.flags & IFF.UP) !== 0 && (l.flags & IFF.LOOPBACK) === 0);
}

function linkName(host: HostContext, ifindex: number): string | undefined {
  try {
    return host.kernel.linkGet(host.netns, ifindex).name;
  } catch (err) {
    if (err instanceof NetlinkError) return undefined;
    throw err;
  }
}

/** What to capture on: one link, or every link of the namespace (`-i any`, cooked records). */
interface CaptureTarget {
  name: string;
  ifindex: number;
  linktype: number;
}

function captureTarget(opts: Options, io: ProgramIO, host: HostContext): CaptureTarget | null {
  if (opts.iface === 'any') return { name: 'any', ifindex: 0, linktype: LINKTYPE_LINUX_SLL2 };
  let link: LinkInfo | undefined;
  if (opts.iface !== undefined) {
    try {
      link = host.kernel.linkGet(host.netns, opts.iface);
    } catch (err) {
      if (!(err instanceof NetlinkError)) throw err;
      io.stderr(`tcpdump: ${opts.iface}: No such device exists\n(No such device exists)\n`);
      return null;
    }
  } else {
    link = defaultLink(host);
    if (!link) {
      io.stderr('tcpdump: no suitable device found\n');
      return null;
    }
  }
  if ((link.flags & IFF.UP) === 0) {
    io.stderr(`tcpdump: ${link.name}: That device is not up\n`);
    return null;
  }
  return {
    name: link.name,
    ifindex: link.ifindex,
    linktype: link.kind === 'tun' ? LINKTYPE_RAW : LINKTYPE_ETHERNET,
  };
}

async function capture(opts: Options, io: ProgramIO, host: HostContext): Promise<number> {
  const target = captureTarget(opts, io, host);
  if (!target) return 1;
  const filter = compile(opts.expression, io);
  if (!filter) return 1;
  const { linktype } = target;
  const cooked = linktype === LINKTYPE_LINUX_SLL2;
  const writer = opts.writeFile !== undefined ? new PcapWriter(linktype, PCAP_SNAPLEN) : null;
  if (writer && !writePcapFile(host, io, opts.writeFile!, writer)) return 1;

  // -i any: names and MACs of the links frames arrive on, learned as they come.
  const links = new Map<number, { name: string; mac: string | null }>();
  if (cooked) opts.print.ifname = (ifindex) => links.get(ifindex)?.name;

  const quiet = opts.print.verbose === 0 && !writer;
  io.stderr(
    (cooked ? 'tcpdump: data link type LINUX_SLL2\n' : '') +
      (quiet
        ? 'tcpdump: verbose output suppressed, use -v[v]... for full protocol decode\n'
        : 'tcpdump: ') +
      `listening on ${target.name}, link-type ${linktypeText(linktype)}, snapshot length ${PCAP_SNAPLEN} bytes\n`,
  );

  let captured = 0;
  let received = 0;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  let done = false;
  const fd = host.kernel.captureOpen(host.netns, target.ifindex, (frame, meta) => {
    if (done) return;
    let record: Uint8Array | null = frame;
    if (cooked) {
      let link = links.get(meta.ifindex);
      if (!link) {
        link = { name: meta.ifname, mac: linkMac(host, meta.ifindex) };
        links.set(meta.ifindex, link);
      }
      record = cookFrame(frame, meta, link.mac);
    }
    if (!record || !filter(record, cooked ? linktype : meta.linktype)) return;
    received++;
    captured++;
    emitPacket(
      opts,
      io,
      writer,
      meta.time,
      record,
      record.length,
      cooked ? linktype : meta.linktype,
    );
    if (captured >= opts.count) {
      done = true;
      finish();
    }
  });
  const onAbort = (): void => {
    if (done) return;
    done = true;
    // tcpdump ends the line a signal may have cut, before its counts.
    io.stdout('\n');
    finish();
  };
  if (io.signal.aborted) onAbort();
  else io.signal.addEventListener('abort', onAbort, { once: true });
  await finished;
  io.signal.removeEventListener('abort', onAbort);
  host.kernel.close(fd);
  if (writer && !writePcapFile(host, io, opts.writeFile!, writer)) return 1;
  io.stderr(
    `${captured} ${plural(captured, 'packet')} captured\n` +
      `${received} ${plural(received, 'packet')} received by filter\n` +
      '0 packets dropped by kernel\n',
  );
  return 0;
}

function linkMac(host: HostContext, ifindex: number): string | null {
  try {
    return host.kernel.linkGet(host.netns, ifindex).address;
  } catch (err) {
    if (err instanceof NetlinkError) return null;
    throw err;
  }
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}
