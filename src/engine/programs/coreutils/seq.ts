// seq [-s SEP] [-w] [FIRST [INCREMENT]] LAST: numbers from FIRST to LAST, printed with as many
// decimals as FIRST and INCREMENT have (`seq 0.5 1.5 3` prints 0.5 and 2.0), as GNU seq does.

import type { Program } from '../types.ts';
import { getopt, usageError } from './common.ts';

/** Lines written per chunk, so a long sequence reaches the terminal as it goes. */
const CHUNK = 1024;

function decimals(text: string): number {
  if (/e/i.test(text)) return 0;
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}

export const seq: Program = async (argv, io) => {
  // A negative number is an operand, not an option.
  const args = getopt(
    'seq',
    argv.map((a, i) => (i > 0 && /^-\d/.test(a) ? `\uE000${a}` : a)),
    's:w',
    { separator: 's', 'equal-width': 'w' },
  );
  if ('error' in args) return usageError(io, 'seq', args.error);
  const operands = args.operands.map((o) => o.replace(/^\uE000/, ''));
  if (operands.length === 0) return usageError(io, 'seq', 'seq: missing operand');
  if (operands.length > 3) return usageError(io, 'seq', `seq: extra operand ‘${operands[3]}’`);
  for (const op of operands) {
    if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(op))
      return usageError(io, 'seq', `seq: invalid floating point argument: ‘${op}’`);
  }
  const [firstText, stepText, lastText] =
    operands.length === 1
      ? ['1', '1', operands[0]]
      : operands.length === 2
        ? [operands[0], '1', operands[1]]
        : operands;
  const [first, step, last] = [Number(firstText), Number(stepText), Number(lastText)];
  if (step === 0) return usageError(io, 'seq', `seq: invalid Zero increment value: ‘${stepText}’`);
  const places = Math.max(decimals(firstText), decimals(stepText));
  const format = (n: number) => n.toFixed(places);
  const width = args.opts.has('w') ? Math.max(format(first).length, format(last).length) : 0;
  const pad = (s: string) =>
    s.startsWith('-') ? '-' + s.slice(1).padStart(width - 1, '0') : s.padStart(width, '0');
  const sep = String(args.opts.get('s') ?? '\n');
  let chunk: string[] = [];
  let any = false;
  for (let i = 0; ; i++) {
    const n = first + i * step;
    if (step > 0 ? n > last : n < last) break;
    if (io.signal.aborted) return 130;
    chunk.push(pad(format(n)));
    if (chunk.length === CHUNK) {
      io.stdout((any ? sep : '') + chunk.join(sep));
      any = true;
      chunk = [];
    }
  }
  if (chunk.length) io.stdout((any ? sep : '') + chunk.join(sep));
  if (any || chunk.length) io.stdout('\n');
  return 0;
};
