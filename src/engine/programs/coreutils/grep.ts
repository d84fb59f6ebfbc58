// grep [-E|-F] [-v] [-i] [-c] [-n] [-q] [-w] [-h|-H] [-e PATTERN] PATTERN [FILE]...
// Basic regular expressions (the default) are translated to JavaScript's syntax; exit 0 when
// a line matched, 1 when none did, 2 on an error. Matching is RE2's, linear in the line.

import type { Program } from '../types.ts';
import { readLines, type InputStream } from '../../os/pipe.ts';
import { errnoText, getopt, openOperand } from './common.ts';
import { own } from '../../text/own.ts';

const CLASSES: Record<string, string> = {
  alpha: 'A-Za-z',
  digit: '0-9',
  alnum: '0-9A-Za-z',
  upper: 'A-Z',
  lower: 'a-z',
  space: ' \\t\\n\\r\\f\\v',
  blank: ' \\t',
  punct: '!-\\/:-@\\[-`{-~',
  xdigit: '0-9A-Fa-f',
};

export class PatternError extends Error {}

/** Translates a POSIX bracket expression starting at `i` ('['); returns it and the next index. */
function bracket(p: string, i: number): [string, number] {
  let j = i + 1;
  let out = '[';
  if (p[j] === '^') {
    out += '^';
    j++;
  }
  if (p[j] === ']') {
    out += '\\]';
    j++;
  }
  for (; j < p.length && p[j] !== ']'; j++) {
    const cls = /^\[:([a-z]+):\]/.exec(p.slice(j));
    if (cls) {
      if (own(CLASSES, cls[1]) === undefined)
        throw new PatternError('Invalid character class name');
      out += CLASSES[cls[1]];
      j += cls[0].length - 1;
    } else out += p[j] === '\\' || p[j] === '[' ? '\\' + p[j] : p[j];
  }
  if (j >= p.length) throw new PatternError('Unmatched [, [^, [:, [., or [=');
  return [out + ']', j + 1];
}

/** Translates a POSIX basic (or, with `extended`, extended) regular expression. */
export function translatePattern(p: string, extended: boolean): string {
  let out = '';
  let depth = 0;
  for (let i = 0; i < p.length;) {
    const ch = p[i];
    if (ch === '[') {
      const [b, next] = bracket(p, i);
      out += b;
      i = next;
      continue;
    }
    if (ch === '\\' && i + 1 < p.length) {
      const n = p[i + 1];
      i += 2;
      if (!extended && '(){}|+?'.includes(n)) {
        if (n === '(') depth++;
        if (n === ')' && --depth < 0) throw new PatternError('Unmatched ) or \\)');
        out += n;
      } else if (n === '<' || n === '>') out += '\\b';
      else if ('wWsSbB'.includes(n)) out += '\\' + n;
      else out += /[A-Za-z0-9]/.test(n) ? n : '\\' + n;
      continue;
    }
    i++;
    if (extended) {
      if (ch === '(') depth++;
      if (ch === ')' && --depth < 0) throw new PatternError('Unmatched ) or \\)');
      out += ch === '/' ? '\\/' : ch;
    } else if ('(){}|+?/'.includes(ch)) out += '\\' + ch;
    else if (ch === '*' && (out === '' || out.endsWith('^'))) out += '\\*';
    else out += ch;
  }
  if (depth > 0) throw new PatternError('Unmatched ( or \\(');
  return out;
}

/**
 * The pattern compiled for RE2 (re2js), which matches in time linear in the line: GNU grep's
 * DFA never backtracks either, so `grep -E '(a+)+$'` on a long line cannot wedge the host as a
 * backtracking RegExp would. Loaded on grep's first run, so a host that never greps skips it.
 */
async function linearMatcher(
  source: string,
  ignoreCase: boolean,
): Promise<(line: string) => boolean> {
  const { RE2JS } = await import('re2js');
  const re = RE2JS.compile(source, ignoreCase ? RE2JS.CASE_INSENSITIVE : 0);
  return (line) => re.matcher(line).find();
}

export const grep: Program = async (argv, io, host) => {
  const args = getopt('grep', argv, 'EFvicnqwhHe:', {
    'extended-regexp': 'E',
    'fixed-strings': 'F',
    'invert-match': 'v',
    'ignore-case': 'i',
    count: 'c',
    'line-number': 'n',
    quiet: 'q',
    silent: 'q',
    'word-regexp': 'w',
    regexp: 'e',
  });
  if ('error' in args) {
    io.stderr(
      `${args.error}\nUsage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n`,
    );
    return 2;
  }
  const o = args.opts;
  const operands = [...args.operands];
  const pattern = o.has('e') ? String(o.get('e')) : operands.shift();
  if (pattern === undefined) {
    io.stderr(
      "Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n",
    );
    return 2;
  }
  let matches: (line: string) => boolean;
  try {
    const alternatives = pattern
      .split('\n')
      .map((p) =>
        o.has('F') ? p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&') : translatePattern(p, o.has('E')),
      );
    let source = alternatives.map((a) => `(?:${a})`).join('|');
    // -w: the match has a non-word character (or the line's edge) on each side.
    if (o.has('w')) source = `(?:^|[^\\w])(?:${source})(?:[^\\w]|$)`;
    matches = await linearMatcher(source, o.has('i'));
  } catch (err) {
    io.stderr(
      `grep: ${err instanceof PatternError ? err.message : 'Invalid regular expression'}\n`,
    );
    return 2;
  }

  const files = operands.length ? operands : ['-'];
  const prefixName = o.has('H') || (files.length > 1 && !o.has('h'));
  let matched = false;
  let failed = false;
  for (const name of files) {
    let input: InputStream;
    try {
      input = openOperand(name, io, host);
    } catch (err) {
      io.stderr(`grep: ${name}: ${errnoText(err)}\n`);
      failed = true;
      continue;
    }
    const label = name === '-' ? '(standard input)' : name;
    let hits = 0;
    let index = 0;
    for await (const raw of readLines(input)) {
      index++;
      const line = raw.endsWith('\n') ? raw.slice(0, -1) : raw;
      if (matches(line) === o.has('v')) continue;
      hits++;
      // -q stops at the first match, as GNU grep exits without reading the rest.
      if (o.has('q')) return 0;
      if (o.has('c')) continue;
      io.stdout(`${prefixName ? label + ':' : ''}${o.has('n') ? `${index}:` : ''}${line}\n`);
    }
    if (o.has('c') && !o.has('q')) io.stdout(`${prefixName ? label + ':' : ''}${hits}\n`);
    if (hits > 0) matched = true;
  }
  if (failed && !(o.has('q') && matched)) return 2;
  return matched ? 0 : 1;
};
