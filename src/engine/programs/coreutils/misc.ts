// The smallest programs: true, false, hostname, sleep, uname.

import type { Program } from '../types.ts';
import { getopt, usageError } from './common.ts';

export const trueProgram: Program = async () => 0;
export const falseProgram: Program = async () => 1;

export const hostname: Program = async (argv, io, host) => {
  const args = getopt('hostname', argv, 'sfiI', { short: 's', fqdn: 'f', long: 'f' });
  if ('error' in args) {
    io.stderr(
      `${args.error}\nUsage: hostname [-b] {hostname|-F file}         set host name (from file)\n       hostname [-a|-A|-d|-f|-i|-I|-s|-y]       display formatted name\n       hostname                                 display host name\n`,
    );
    return 255;
  }
  if (args.operands.length) {
    io.stderr('hostname: you must be root to change the host name\n');
    return 1;
  }
  if (args.opts.has('I') || args.opts.has('i')) {
    const addrs = host.kernel
      .addrDump(host.netns)
      .filter((a) => !a.local.startsWith('127.'))
      .map((a) => a.local);
    io.stdout(addrs.map((a) => a + ' ').join('') + '\n');
    return 0;
  }
  io.stdout(`${host.hostname.split('.')[0]}\n`);
  return 0;
};

const UNITS: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };

/** sleep NUMBER[smhd]...: waits the sum on the lab clock; Ctrl-C interrupts it. */
export const sleep: Program = async (argv, io, host) => {
  const operands = argv.slice(1);
  if (operands.length === 0) return usageError(io, 'sleep', 'sleep: missing operand');
  let seconds = 0;
  for (const op of operands) {
    const m = /^(\d+(?:\.\d*)?|\.\d+)([smhd]?)$/.exec(op);
    if (!m) return usageError(io, 'sleep', `sleep: invalid time interval ‘${op}’`);
    seconds += Number(m[1]) * UNITS[m[2]];
  }
  await host.clock.sleep(seconds * 1000, io.signal);
  return 0;
};

/** The kernel a Debian 12 host runs. */
const KERNEL_RELEASE = '6.1.0-18-amd64';
const KERNEL_VERSION = '#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)';

export const uname: Program = async (argv, io, host) => {
  const args = getopt('uname', argv, 'asnrvmpio', {
    all: 'a',
    'kernel-name': 's',
    nodename: 'n',
    'kernel-release': 'r',
    'kernel-version': 'v',
    machine: 'm',
    processor: 'p',
    'hardware-platform': 'i',
    'operating-system': 'o',
  });
  if ('error' in args) return usageError(io, 'uname', args.error);
  if (args.operands.length)
    return usageError(io, 'uname', `uname: extra operand ‘${args.operands[0]}’`);
  const o = args.opts;
  const all = o.has('a');
  const fields: string[] = [];
  if (all || o.has('s') || o.size === 0) fields.push('Linux');
  if (all || o.has('n')) fields.push(host.hostname);
  if (all || o.has('r')) fields.push(KERNEL_RELEASE);
  if (all || o.has('v')) fields.push(KERNEL_VERSION);
  if (all || o.has('m')) fields.push('x86_64');
  if (o.has('p')) fields.push('unknown');
  if (o.has('i')) fields.push('unknown');
  if (all || o.has('o')) fields.push('GNU/Linux');
  io.stdout(fields.join(' ') + '\n');
  return 0;
};
