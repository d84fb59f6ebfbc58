// Reading `etcdctl txn`'s input (txn_command.go): compares, then success ops, then failure
// ops, each section ended by an empty line. Every line must end with '\n' (bufio ReadString);
// running out of input is "EOF".

import type { Compare, CompareResult, CompareTarget } from '../../kv/types.ts';
import { parseGoInt } from './flags.ts';
import { own } from '../../text/own.ts';

/** An input error etcdctl exits on: code 3 (ExitInvalidInput), or a Go panic (exit 2). */
export class TxnInputError extends Error {
  constructor(
    message: string,
    readonly panic = false,
  ) {
    super(message);
  }
}

export class LineReader {
  private pos = 0;
  constructor(private readonly text: string) {}

  /** The next line without its newline; throws EOF when no complete line is left. */
  readLine(): string {
    const nl = this.text.indexOf('\n', this.pos);
    if (nl < 0) throw new TxnInputError('EOF');
    const line = this.text.slice(this.pos, nl);
    this.pos = nl + 1;
    return line;
  }

  /** Trimmed lines up to the next empty one. */
  readSection(): string[] {
    const lines: string[] = [];
    for (;;) {
      const line = this.readLine().trim();
      if (!line) return lines;
      lines.push(line);
    }
  }
}

/** etcdctl's argify: words, "double-quoted" (Go escapes) or 'single-quoted' strings. */
export function argify(s: string): string[] {
  const re = /"(?:[^"\\]|\\.)*"|'[^']*'|[^'"\s]\S*[^'"\s]?/g;
  return (s.match(re) ?? []).map((a) => {
    if (a.startsWith("'")) return a.slice(1, -1);
    if (a.startsWith('"')) {
      const q = scanQuoted(a, 0);
      if (!q) throw new TxnInputError('unexpected EOF');
      return q.value;
    }
    return a;
  });
}

const TARGETS: Record<string, CompareTarget> = {
  ver: 'version',
  version: 'version',
  c: 'create',
  create: 'create',
  m: 'mod',
  mod: 'mod',
  val: 'value',
  value: 'value',
  lease: 'lease',
};

/** One compare line, e.g. `create("/k") = "0"` or `value("/k") != "v"`. */
export function parseCompare(line: string): Compare {
  const paren = line.indexOf('(');
  if (paren < 0) throw new TxnInputError(`malformed comparison: ${line}`);
  const target = line.slice(0, paren);
  const scanned = scanCompare(line.slice(paren + 1));
  if (scanned.n !== 3) {
    const [key, op, val] = scanned.parts;
    throw new TxnInputError(
      `malformed comparison: ${line}; got ${target}(${goq(key)}) ${op} ${goq(val)}`,
    );
  }
  const [key, op, val] = scanned.parts;
  const t = own(TARGETS, target);
  if (!t) throw new TxnInputError(`malformed comparison: ${line} (unknown target ${target})`);
  // clientv3.Compare panics on an unknown operator, and on a lease given as a string.
  if (!['=', '!=', '<', '>'].includes(op)) throw new TxnInputError('Unknown result op', true);
  if (t === 'lease') throw new TxnInputError('bad value', true);
  if (t === 'value') return { key, target: t, result: op as CompareResult, operand: val };
  const n = parseGoInt(val, 10);
  if (n === null) throw new TxnInputError(`invalid txn compare request: ${line}`);
  return { key, target: t, result: op as CompareResult, operand: n };
}

const goq = (s: string) => JSON.stringify(s);

/** fmt.Sscanf(s, "%q) %s %q"): how many of the three it read, and what. */
function scanCompare(s: string): { n: number; parts: [string, string, string] } {
  const parts: [string, string, string] = ['', '', ''];
  let i = skipSpace(s, 0);
  const key = scanQuoted(s, i);
  if (!key) return { n: 0, parts };
  parts[0] = key.value;
  i = key.end;
  if (s[i] !== ')') return { n: 1, parts };
  i = skipSpace(s, i + 1);
  const opStart = i;
  while (i < s.length && !/\s/.test(s[i])) i++;
  if (i === opStart) return { n: 1, parts };
  parts[1] = s.slice(opStart, i);
  i = skipSpace(s, i);
  const val = scanQuoted(s, i);
  if (!val) return { n: 2, parts };
  parts[2] = val.value;
  return { n: 3, parts };
}

function skipSpace(s: string, i: number): number {
  while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
  return i;
}

/** A Go quoted string ("..." with escapes, or `raw`) starting at s[i]. */
function scanQuoted(s: string, i: number): { value: string; end: number } | null {
  if (s[i] === '`') {
    const end = s.indexOf('`', i + 1);
    return end < 0 ? null : { value: s.slice(i + 1, end), end: end + 1 };
  }
  if (s[i] !== '"') return null;
  let value = '';
  const escapes: Record<string, string> = {
    n: '\n',
    t: '\t',
    r: '\r',
    a: '\x07',
    b: '\b',
    f: '\f',
    v: '\v',
    '\\': '\\',
    '"': '"',
    "'": "'",
  };
  for (let j = i + 1; j < s.length; j++) {
    const c = s[j];
    if (c === '"') return { value, end: j + 1 };
    if (c !== '\\') {
      value += c;
      continue;
    }
    const e = s[++j];
    if (own(escapes, e) !== undefined) value += escapes[e];
    else if (e === 'x' || e === 'u') {
      const len = e === 'x' ? 2 : 4;
      const hex = s.slice(j + 1, j + 1 + len);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) return null;
      value += String.fromCharCode(parseInt(hex, 16));
      j += len;
    } else return null;
  }
  return null;
}
