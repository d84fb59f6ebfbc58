// cat [-n] [FILE]...: concatenate files (or stdin) to stdout.

import type { Program } from '../types.ts';
import { readLines, type InputStream } from '../../os/pipe.ts';
import { errnoText, getopt, openOperand, usageError } from './common.ts';

export const cat: Program = async (argv, io, host) => {
  const args = getopt('cat', argv, 'n', { number: 'n' });
  if ('error' in args) return usageError(io, 'cat', args.error);
  const files = args.operands.length ? args.operands : ['-'];
  let status = 0;
  let lineNo = 0;
  for (const name of files) {
    let input: InputStream;
    try {
      input = openOperand(name, io, host);
    } catch (err) {
      io.stderr(`cat: ${name}: ${errnoText(err)}\n`);
      status = 1;
      continue;
    }
    if (args.opts.has('n')) {
      for await (const line of readLines(input))
        io.stdout(`${String(++lineNo).padStart(6)}\t${line}`);
      continue;
    }
    for (let chunk = await input.read(); chunk !== null; chunk = await input.read()) {
      io.stdout(chunk);
      await io.stdoutReady?.();
    }
  }
  return status;
};
