// echo, as bash's builtin: -n (no newline), -e (backslash escapes), -E; other words print as is.

import type { Program } from '../types.ts';
import { own } from '../../text/own.ts';

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  e: '\x1b',
  E: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
};

/** Interprets `echo -e` escapes; `stop` is set at `\c`, after which nothing more is printed. */
export function echoEscapes(text: string): { text: string; stop: boolean } {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch !== '\\' || i + 1 >= text.length) {
      out += ch;
      continue;
    }
    const next = text[i + 1];
    if (next === 'c') return { text: out, stop: true };
    if (own(SIMPLE_ESCAPES, next) !== undefined) {
      out += SIMPLE_ESCAPES[next];
      i++;
    } else if (next === '0') {
      const m = /^[0-7]{0,3}/.exec(text.slice(i + 2))?.[0] ?? '';
      out += String.fromCharCode(parseInt(m || '0', 8) & 0xff);
      i += 1 + m.length;
    } else if (next === 'x' && /^[0-9a-fA-F]/.test(text[i + 2] ?? '')) {
      const m = /^[0-9a-fA-F]{1,2}/.exec(text.slice(i + 2))?.[0] ?? '';
      out += String.fromCharCode(parseInt(m, 16));
      i += 1 + m.length;
    } else {
      out += ch;
    }
  }
  return { text: out, stop: false };
}

export const echo: Program = async (argv, io) => {
  let newline = true;
  let escapes = false;
  let i = 1;
  for (; i < argv.length && /^-[neE]+$/.test(argv[i]); i++) {
    for (const flag of argv[i].slice(1)) {
      if (flag === 'n') newline = false;
      else escapes = flag === 'e';
    }
  }
  let text = argv.slice(i).join(' ');
  if (escapes) {
    const r = echoEscapes(text);
    text = r.text;
    if (r.stop) newline = false;
  }
  io.stdout(newline ? text + '\n' : text);
  return 0;
};
