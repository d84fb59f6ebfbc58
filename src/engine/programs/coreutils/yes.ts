// yes [STRING]...: the line (by default "y") again and again, until Ctrl-C or until the pipe's
// reader exits (`yes | head -3`). It writes a pipe buffer at a time, waits while the pipe is
// full, and yields to the host between chunks so the kernel and Ctrl-C keep their turn.

import { PIPE_CAPACITY } from '../../os/pipe.ts';
import { yieldToHost } from '../../os/yield.ts';
import type { Program } from '../types.ts';
import { usageError } from './common.ts';

export const yes: Program = async (argv, io) => {
  const args = argv.slice(1);
  const end = args.indexOf('--');
  const options = end < 0 ? args : args.slice(0, end);
  const option = options.find((a) => a.startsWith('-') && a !== '-');
  if (option) {
    const error = option.startsWith('--')
      ? `yes: unrecognized option '${option}'`
      : `yes: invalid option -- '${option[1]}'`;
    return usageError(io, 'yes', error);
  }
  const words = end < 0 ? args : [...options, ...args.slice(end + 1)];
  const line = (words.length ? words.join(' ') : 'y') + '\n';
  const chunk = line.repeat(Math.max(1, Math.floor(PIPE_CAPACITY / line.length)));
  while (!io.signal.aborted) {
    io.stdout(chunk);
    await io.stdoutReady?.();
    await yieldToHost();
  }
  return 130;
};
