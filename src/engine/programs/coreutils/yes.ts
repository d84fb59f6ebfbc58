// yes [STRING]...: the line (by default "y") again and again, until Ctrl-C.
//
// Pipes here hand a program's whole output to the next one when it ends, so into a pipe or a
// file yes writes one pipe buffer (64 KiB) and stops, as if the reader had closed the pipe;
// on the terminal it writes until interrupted, yielding to the host between chunks.

import { yieldToHost } from '../../os/yield.ts';
import type { Program } from '../types.ts';
import { stdoutIsTTY, usageError } from './common.ts';

const PIPE_BUFFER = 65536;

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
  const chunk = line.repeat(Math.max(1, Math.floor(PIPE_BUFFER / line.length)));
  if (!stdoutIsTTY(io)) {
    io.stdout(chunk);
    return 0;
  }
  while (!io.signal.aborted) {
    io.stdout(chunk);
    await yieldToHost();
  }
  return 130;
};
