// head and tail [-n N] [FILE]...: the first or last N lines (10 by default).
// `head -n -N` prints all but the last N; `tail -n +N` starts at line N; `-N` is `-n N`.

import type { HostContext, Program, ProgramIO } from '../types.ts';
import { errnoText, getopt, readOperand, splitLines, usageError } from './common.ts';

function makeHeadTail(prog: 'head' | 'tail'): Program {
  return async (argv, io, host) => {
    // The obsolete `-5` form means `-n 5`.
    const args = getopt(
      prog,
      argv.map((a) => (/^-\d+$/.test(a) ? `-n${a.slice(1)}` : a)),
      'n:qv',
      { lines: 'n', quiet: 'q', silent: 'q', verbose: 'v' },
    );
    if ('error' in args) return usageError(io, prog, args.error);
    const spec = String(args.opts.get('n') ?? '10');
    const m = /^([+-]?)(\d+)$/.exec(spec);
    if (!m) {
      io.stderr(`${prog}: invalid number of lines: ‘${spec}’\n`);
      return 1;
    }
    const count = Number(m[2]);
    const select = (lines: string[]): string[] => {
      if (prog === 'head')
        return m[1] === '-'
          ? lines.slice(0, Math.max(0, lines.length - count))
          : lines.slice(0, count);
      if (m[1] === '+') return lines.slice(Math.max(0, count - 1));
      return count === 0 ? [] : lines.slice(-count);
    };
    return printEach(prog, args.operands, args.opts, io, host, select);
  };
}

function printEach(
  prog: string,
  operands: string[],
  opts: Map<string, string | true>,
  io: ProgramIO,
  host: HostContext,
  select: (lines: string[]) => string[],
): number {
  const files = operands.length ? operands : ['-'];
  const headers = opts.has('v') || (files.length > 1 && !opts.has('q'));
  let status = 0;
  let first = true;
  for (const name of files) {
    let text: string;
    try {
      text = readOperand(name, io, host);
    } catch (err) {
      io.stderr(`${prog}: cannot open '${name}' for reading: ${errnoText(err)}\n`);
      status = 1;
      continue;
    }
    if (headers)
      io.stdout(`${first ? '' : '\n'}==> ${name === '-' ? 'standard input' : name} <==\n`);
    first = false;
    io.stdout(select(splitLines(text)).join(''));
  }
  return status;
}

export const head = makeHeadTail('head');
export const tail = makeHeadTail('tail');
