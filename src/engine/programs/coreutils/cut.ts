// cut -b LIST | -c LIST | -f LIST [-d DELIM] [-s] [--complement] [--output-delimiter=S] [FILE]...
// LIST is N, N-, -M or N-M, comma-separated. Fields are split on DELIM (a tab by default); a
// line without DELIM is printed whole unless -s. Characters are bytes here (-c is -b).

import type { Program } from '../types.ts';
import { readLines, type InputStream } from '../../os/pipe.ts';
import { errnoText, getopt, openOperand, usageError } from './common.ts';

type Range = [number, number];

/** Parses LIST; returns the error text cut prints for a bad one. */
function parseList(list: string, fields: boolean): Range[] | string {
  const ranges: Range[] = [];
  for (const item of list.split(',')) {
    const m = /^(\d*)(-?)(\d*)$/.exec(item);
    if (!m || (!m[1] && !m[3]) || (!m[2] && !m[1]))
      return fields ? `invalid field value ‘${item}’` : `invalid byte/character position ‘${item}’`;
    const from = m[1] ? Number(m[1]) : 1;
    const to = m[2] ? (m[3] ? Number(m[3]) : Infinity) : from;
    if (from === 0 || to === 0)
      return fields ? 'fields are numbered from 1' : 'byte/character positions are numbered from 1';
    if (to < from) return 'invalid decreasing range';
    ranges.push([from, to]);
  }
  return ranges;
}

export const cut: Program = async (argv, io, host) => {
  // C and O stand for the long-only --complement and --output-delimiter.
  const args = getopt('cut', argv, 'b:c:f:d:sCO:', {
    bytes: 'b',
    characters: 'c',
    fields: 'f',
    delimiter: 'd',
    'only-delimited': 's',
    complement: 'C',
    'output-delimiter': 'O',
  });
  if ('error' in args) return usageError(io, 'cut', args.error);
  const o = args.opts;
  const kinds = ['b', 'c', 'f'].filter((k) => o.has(k));
  if (kinds.length === 0)
    return usageError(io, 'cut', 'cut: you must specify a list of bytes, characters, or fields');
  if (kinds.length > 1) return usageError(io, 'cut', 'cut: only one list may be specified');
  const byField = kinds[0] === 'f';
  if (!byField && o.has('d'))
    return usageError(
      io,
      'cut',
      'cut: an input delimiter may be specified only when operating on fields',
    );
  const delim = String(o.get('d') ?? '\t');
  if ([...delim].length !== 1)
    return usageError(io, 'cut', 'cut: the delimiter must be a single character');
  const ranges = parseList(String(o.get(kinds[0])), byField);
  if (typeof ranges === 'string') return usageError(io, 'cut', `cut: ${ranges}`);
  const complement = o.has('C');
  const selected = (n: number) => ranges.some(([a, b]) => n >= a && n <= b) !== complement;
  const outDelim = o.has('O') ? String(o.get('O')) : byField ? delim : '';

  const cutLine = (line: string): string | undefined => {
    if (!byField) return [...line].filter((_, i) => selected(i + 1)).join(outDelim);
    if (!line.includes(delim)) return o.has('s') ? undefined : line;
    return line
      .split(delim)
      .filter((_, i) => selected(i + 1))
      .join(outDelim);
  };

  let status = 0;
  const operands = args.operands.length ? args.operands : ['-'];
  for (const name of operands) {
    let input: InputStream;
    try {
      input = openOperand(name, io, host);
    } catch (err) {
      io.stderr(`cut: ${name}: ${errnoText(err)}\n`);
      status = 1;
      continue;
    }
    for await (const raw of readLines(input)) {
      const line = raw.endsWith('\n') ? raw.slice(0, -1) : raw;
      const cutText = cutLine(line);
      if (cutText !== undefined) io.stdout(cutText + '\n');
    }
  }
  return status;
};
