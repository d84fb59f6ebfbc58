// cat [-n] [FILE]...: concatenate files (or stdin) to stdout.

import type { Program } from '../types.ts';
import { errnoText, getopt, readOperand, splitLines, usageError } from './common.ts';

export const cat: Program = async (argv, io, host) => {
  const args = getopt('cat', argv, 'n', { number: 'n' });
  if ('error' in args) return usageError(io, 'cat', args.error);
  const files = args.operands.length ? args.operands : ['-'];
  let status = 0;
  let lineNo = 0;
  for (const name of files) {
    let text: string;
    try {
      text = readOperand(name, io, host);
    } catch (err) {
      io.stderr(`cat: ${name}: ${errnoText(err)}\n`);
      status = 1;
      continue;
    }
    if (args.opts.has('n')) {
      text = splitLines(text)
        .map((line) => `${String(++lineNo).padStart(6)}\t${line}`)
        .join('');
    }
    io.stdout(text);
  }
  return status;
};
