// Conditional expressions: `test`/`[` over words already expanded, and `[[ ... ]]` over its
// syntax tree (no word splitting, `==` matches a glob pattern, `=~` a regular expression,
// and `-lt`/`-eq` operands are arithmetic). Status 0 true, 1 false, 2 a usage error.

import type { FileSystem } from '../os/fs-types.ts';
import type { ProgramIO } from '../programs/types.ts';
import { evaluateArithmetic } from './arithmetic.ts';
import { arithVars, expandPattern, expandString, globToRegExp } from './expansion.ts';
import type { ExpandContext } from './expansion.ts';
import type { CondExpr } from './parser.ts';
import { shellError, type ShellState } from './state.ts';

/** A `test` usage error; its message is what bash prints after `bash: [: `. */
class TestError extends Error {}

const UNARY = new Set('-e -f -d -s -r -w -x -c -b -p -L -h -S -t -z -n -v -a'.split(' '));
const BINARY = new Set('= == != < > -eq -ne -lt -le -gt -ge -nt -ot -ef'.split(' '));

function fileTest(op: string, path: string, fs: FileSystem): boolean {
  if (!fs.exists(path)) return false;
  const st = fs.stat(path);
  switch (op) {
    case '-e':
    case '-a':
    case '-r':
    case '-w':
      return true;
    case '-f':
      return st.type === 'file';
    case '-d':
      return st.type === 'dir';
    case '-c':
      return st.type === 'char';
    case '-s':
      return st.size > 0;
    case '-x':
      return st.type === 'dir';
    default: // -b -p -L -h -S: no block devices, pipes, links or sockets here
      return false;
  }
}

function unary(op: string, arg: string, fs: FileSystem, vars: Map<string, string>): boolean {
  if (op === '-z') return arg === '';
  if (op === '-n') return arg !== '';
  if (op === '-v') return vars.has(arg);
  if (op === '-t') return false;
  return fileTest(op, arg, fs);
}

function binary(op: string, a: string, b: string, int: (s: string) => bigint): boolean {
  switch (op) {
    case '=':
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '>':
      return a > b;
    case '-nt':
    case '-ot':
    case '-ef':
      return false;
  }
  const [x, y] = [int(a), int(b)];
  switch (op) {
    case '-eq': return x === y;
    case '-ne': return x !== y;
    case '-lt': return x < y;
    case '-le': return x <= y;
    case '-gt': return x > y;
    default: return x >= y; // '-ge'
  } // prettier-ignore
}

function testInteger(s: string): bigint {
  if (!/^\s*[+-]?\d+\s*$/.test(s)) throw new TestError(`${s}: integer expression expected`);
  return BigInt(s.trim());
}

/** `test` and `[`: POSIX's rules by argument count, then -a/-o/!/( ) for longer ones. */
export function runTest(argv: string[], io: ProgramIO, fs: FileSystem, state: ShellState): number {
  const name = argv[0];
  let args = argv.slice(1);
  if (name === '[') {
    if (args[args.length - 1] !== ']') {
      shellError(io, state, "[: missing `]'");
      return 2;
    }
    args = args.slice(0, -1);
  }
  try {
    return evaluateTest(args, fs, state.vars) ? 0 : 1;
  } catch (err) {
    if (!(err instanceof TestError)) throw err;
    shellError(io, state, `${name}: ${err.message}`);
    return 2;
  }
}

function evaluateTest(args: string[], fs: FileSystem, vars: Map<string, string>): boolean {
  const byCount = (a: string[]): boolean | undefined => {
    if (a.length === 0) return false;
    if (a.length === 1) return a[0] !== '';
    if (a.length === 2) {
      if (a[0] === '!') return a[1] === '';
      if (UNARY.has(a[0])) return unary(a[0], a[1], fs, vars);
      throw new TestError(`${a[0]}: unary operator expected`);
    }
    if (a.length === 3) {
      if (BINARY.has(a[1])) return binary(a[1], a[0], a[2], testInteger);
      if (a[1] === '-a' || a[1] === '-o') return undefined;
      if (a[0] === '!') return !byCount(a.slice(1));
      if (a[0] === '(' && a[2] === ')') return a[1] !== '';
      throw new TestError(`${a[1]}: binary operator expected`);
    }
    if (a.length === 4 && a[0] === '!') return !byCount(a.slice(1));
    return undefined;
  };
  const quick = byCount(args);
  if (quick !== undefined) return quick;
  // The general grammar: or := and ('-o' and)*, and := not ('-a' not)*, not := '!'* primary.
  let pos = 0;
  const or = (): boolean => {
    let v = and();
    while (args[pos] === '-o') {
      pos++;
      v = and() || v;
    }
    return v;
  };
  const and = (): boolean => {
    let v = not();
    while (args[pos] === '-a') {
      pos++;
      v = not() && v;
    }
    return v;
  };
  const not = (): boolean => {
    if (args[pos] === '!') {
      pos++;
      return !not();
    }
    if (args[pos] === '(') {
      pos++;
      const v = or();
      if (args[pos] !== ')') throw new TestError("`)' expected");
      pos++;
      return v;
    }
    const a = args[pos];
    if (a === undefined) throw new TestError('argument expected');
    if (BINARY.has(args[pos + 1] ?? '') && args[pos + 2] !== undefined) {
      pos += 3;
      return binary(args[pos - 2], a, args[pos - 1], testInteger);
    }
    if (UNARY.has(a) && args[pos + 1] !== undefined) {
      pos += 2;
      return unary(a, args[pos - 1], fs, vars);
    }
    pos++;
    return a !== '';
  };
  const v = or();
  if (pos < args.length) throw new TestError(`${args[pos]}: binary operator expected`);
  return v;
}

/** `[[ ... ]]`: its tree, with words expanded as bash expands them there. */
export async function evaluateCond(
  expr: CondExpr,
  ctx: ExpandContext,
  io: ProgramIO,
): Promise<number> {
  try {
    return (await cond(expr, ctx)) ? 0 : 1;
  } catch (err) {
    if (!(err instanceof TestError)) throw err;
    shellError(io, ctx.state, err.message);
    return 2;
  }
}

async function cond(expr: CondExpr, ctx: ExpandContext): Promise<boolean> {
  if (expr.type === 'not') return !(await cond(expr.expr, ctx));
  if (expr.type !== 'test') {
    const left = await cond(expr.left, ctx);
    if (expr.type === 'and' ? !left : left) return left;
    return cond(expr.right, ctx);
  }
  const [w0, w1, w2] = expr.words;
  const first = await expandString(w0, ctx);
  if (expr.words.length === 1) return first !== '';
  if (expr.words.length === 2) {
    if (!UNARY.has(first))
      throw new TestError(`syntax error in conditional expression: unexpected token \`${first}'`);
    return unary(first, await expandString(w1, ctx), ctx.fs, ctx.state.vars);
  }
  const op = await expandString(w1, ctx);
  if (expr.words.length !== 3 || !(BINARY.has(op) || op === '=~'))
    throw new TestError(`syntax error in conditional expression`);
  if (op === '==' || op === '=' || op === '!=') {
    const matches = globToRegExp(await expandPattern(w2, ctx)).test(first);
    return op === '!=' ? !matches : matches;
  }
  const second = await expandString(w2, ctx);
  if (op === '=~') {
    try {
      return new RegExp(second).test(first);
    } catch {
      return false;
    }
  }
  const int = (s: string) => evaluateArithmetic(s, arithVars(ctx.state));
  return binary(op, first, second, int);
}
