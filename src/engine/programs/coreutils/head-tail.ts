// head and tail [-n N] [FILE]...: the first or last N lines (10 by default).
// `head -n -N` prints all but the last N; `tail -n +N` starts at line N; `-N` is `-n N`.

import type { HostContext, Program, ProgramIO } from '../types.ts';
import { readAll, readLines, type InputStream } from '../../os/pipe.ts';
import { errnoText, getopt, openOperand, splitLines, usageError } from './common.ts';

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
    const select = async function* (input: InputStream): AsyncGenerator<string> {
      // head -n N streams and stops reading after N lines; the others need the end first.
      if (prog === 'head' && m[1] !== '-') {
        if (count === 0) return;
        let n = 0;
        for await (const line of readLines(input)) {
          yield line;
          if (++n >= count) return;
        }
        return;
      }
      const lines = splitLines(await readAll(input));
      if (prog === 'head') yield* lines.slice(0, Math.max(0, lines.length - count));
      else if (m[1] === '+') yield* lines.slice(Math.max(0, count - 1));
      else if (count > 0) yield* lines.slice(-count);
    };
    return printEach(prog, args.operands, args.opts, io, host, select);
  };
}

async function printEach(
  prog: string,
  operands: string[],
  opts: Map<string, string | true>,
  io: ProgramIO,
  host: HostContext,
  select: (input: InputStream) => AsyncGenerator<string>,
): Promise<number> {
  const files = operands.length ? operands : ['-'];
  const headers = opts.has('v') || (files.length > 1 && !opts.has('q'));
  let status = 0;
  let first = true;
  for (const name of files) {
    let input: InputStream;
    try {
      input = openOperand(name, io, host);
    } catch (err) {
      io.stderr(`${prog}: cannot open '${name}' for reading: ${errnoText(err)}\n`);
      status = 1;
      continue;
    }
    if (headers)
      io.stdout(`${first ? '' : '\n'}==> ${name === '-' ? 'standard input' : name} <==\n`);
    first = false;
    for await (const line of select(input)) io.stdout(line);
  }
  return status;
}

export const head = makeHeadTail('head');
export const tail = makeHeadTail('tail');
