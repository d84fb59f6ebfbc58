// wc [-l] [-w] [-m] [-c] [FILE]...: newline, word and byte counts, aligned as GNU wc aligns them.

import type { Program } from '../types.ts';
import type { InputStream } from '../../os/pipe.ts';
import { errnoText, getopt, openOperand, usageError } from './common.ts';

interface Counts {
  lines: number;
  words: number;
  chars: number;
  bytes: number;
}

const encoder = new TextEncoder();

export function count(text: string): Counts {
  return {
    lines: (text.match(/\n/g) ?? []).length,
    words: (text.match(/\S+/g) ?? []).length,
    chars: [...text].length,
    bytes: encoder.encode(text).length,
  };
}

/**
 * Counts a stream chunk by chunk, holding none of it (`ping -f | wc -l` stays flat). A word
 * split across two chunks counts once: a chunk that starts inside a word does not start one.
 */
async function countStream(input: InputStream): Promise<Counts> {
  const total: Counts = { lines: 0, words: 0, chars: 0, bytes: 0 };
  let inWord = false;
  for (let chunk = await input.read(); chunk !== null; chunk = await input.read()) {
    const c = count(chunk);
    if (inWord && /^\S/.test(chunk)) c.words--;
    inWord = /\S$/.test(chunk);
    for (const k of Object.keys(total) as (keyof Counts)[]) total[k] += c[k];
  }
  return total;
}

export const wc: Program = async (argv, io, host) => {
  const args = getopt('wc', argv, 'lwmc', { lines: 'l', words: 'w', chars: 'm', bytes: 'c' });
  if ('error' in args) return usageError(io, 'wc', args.error);
  const o = args.opts;
  const none = !o.has('l') && !o.has('w') && !o.has('m') && !o.has('c');
  const columns: (keyof Counts)[] = [];
  if (none || o.has('l')) columns.push('lines');
  if (none || o.has('w')) columns.push('words');
  if (o.has('m')) columns.push('chars');
  if (none || o.has('c')) columns.push('bytes');

  const files = args.operands.length ? args.operands : [''];
  const results: { name: string; counts?: Counts; regular: boolean }[] = [];
  for (const name of files) {
    let input: InputStream;
    try {
      input = openOperand(name || '-', io, host);
    } catch (err) {
      io.stderr(`wc: ${name}: ${errnoText(err)}\n`);
      results.push({ name, regular: false });
      continue;
    }
    results.push({ name, counts: await countStream(input), regular: name !== '-' && name !== '' });
  }

  // GNU's width: digits of the total size of regular files, at least 7 when stdin is counted,
  // and 1 when a single input prints a single column.
  let width = 1;
  if (!(files.length === 1 && columns.length === 1) && results[0].counts) {
    let minimum = 1;
    let total = 0;
    for (const r of results) {
      if (!r.counts) continue;
      if (r.regular) total += r.counts.bytes;
      else minimum = 7;
    }
    width = Math.max(String(total).length, minimum);
  }
  const row = (c: Counts, name: string) =>
    columns.map((k) => String(c[k]).padStart(width)).join(' ') +
    (name === '' ? '' : ` ${name}`) +
    '\n';

  const total: Counts = { lines: 0, words: 0, chars: 0, bytes: 0 };
  for (const r of results) {
    if (!r.counts) continue;
    io.stdout(row(r.counts, r.name));
    for (const k of columns) total[k] += r.counts[k];
  }
  if (files.length > 1) io.stdout(row(total, 'total'));
  return results.every((r) => r.counts) ? 0 : 1;
};
