// Shell builtins: the commands that act on the shell itself rather than on the host.

import { fsErrorText } from '../os/fs-types.ts';
import { normalizePath } from '../os/fs.ts';
import type { InputReader } from '../os/pipe.ts';
import type { HostContext, ProgramIO } from '../programs/types.ts';
import { runTest } from './conditional.ts';
import { JOB_BUILTINS } from './job-builtins.ts';
import { formatPrintf } from './printf.ts';
import { shellError, type ShellState } from './state.ts';
import type { ProgramRegistry } from './registry.ts';

export interface BuiltinContext {
  host: HostContext;
  registry: ProgramRegistry;
  state: ShellState;
  /** The command's standard input, shared with the commands around it: `read` takes a line. */
  input: InputReader;
  /** How many loops the command runs inside (in the current function), for break/continue. */
  loops: number;
  inFunction: boolean;
  /** Runs a script in this shell (`source`): its variables and functions stay. */
  runInShell(script: string, io: ProgramIO): Promise<number>;
}

/** Thrown by `break`/`continue`: the interpreter's loops catch it, `levels` loops out. */
export class LoopControl extends Error {
  constructor(
    readonly kind: 'break' | 'continue',
    public levels: number,
  ) {
    super(kind);
    this.name = 'LoopControl';
  }
}

/** Thrown by `return`: the function call catches it. */
export class FunctionReturn extends Error {
  constructor(readonly status: number) {
    super('return');
    this.name = 'FunctionReturn';
  }
}

export interface Builtin {
  run(argv: string[], io: ProgramIO, ctx: BuiltinContext): number | Promise<number>;
  summary: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The terminal sequence `clear` writes: cursor home, erase the screen. */
export const CLEAR_SCREEN = '\x1b[H\x1b[2J';

function exportVars(argv: string[], io: ProgramIO, { state }: BuiltinContext): number {
  const args = argv.slice(1).filter((a) => a !== '-p');
  if (args.length === 0) {
    for (const name of [...state.exported].sort()) {
      const value = state.vars.get(name);
      io.stdout(value === undefined ? `declare -x ${name}\n` : `declare -x ${name}="${value}"\n`);
    }
    return 0;
  }
  let status = 0;
  for (const arg of args) {
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    if (!IDENTIFIER.test(name)) {
      shellError(io, state, `export: \`${arg}': not a valid identifier`);
      status = 1;
      continue;
    }
    if (eq >= 0) state.vars.set(name, arg.slice(eq + 1));
    state.exported.add(name);
  }
  return status;
}

function unsetVars(argv: string[], io: ProgramIO, { state }: BuiltinContext): number {
  let status = 0;
  for (const name of argv.slice(1)) {
    if (!IDENTIFIER.test(name)) {
      shellError(io, state, `unset: \`${name}': not a valid identifier`);
      status = 1;
      continue;
    }
    state.vars.delete(name);
    state.exported.delete(name);
  }
  return status;
}

function history(argv: string[], io: ProgramIO, { state }: BuiltinContext): number {
  const arg = argv[1];
  if (arg === '-c') {
    state.history.length = 0;
    return 0;
  }
  let count = state.history.length;
  if (arg !== undefined) {
    if (arg.startsWith('-')) {
      shellError(io, state, `history: ${arg}: invalid option`);
      io.stderr(
        'history: usage: history [-c] [-d offset] [n] or history -anrw [filename] or history -ps arg [arg...]\n',
      );
      return 2;
    }
    if (!/^\d+$/.test(arg)) {
      shellError(io, state, `history: ${arg}: numeric argument required`);
      return 1;
    }
    count = Math.min(count, Number(arg));
  }
  const start = state.history.length - count;
  for (let i = start; i < state.history.length; i++) {
    io.stdout(`${String(i + 1).padStart(5)}  ${state.history[i]}\n`);
  }
  return 0;
}

function help(_argv: string[], io: ProgramIO, { registry }: BuiltinContext): number {
  const rows: [string, string][] = registry.names().map((n) => [n, registry.get(n)?.summary ?? '']);
  for (const [name, b] of BUILTINS) rows.push([name, b.summary]);
  rows.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const width = Math.max(...rows.map((r) => r[0].length)) + 2;
  io.stdout('Commands available on this host:\n\n');
  for (const [name, summary] of rows) io.stdout(`  ${name.padEnd(width)}${summary}\n`);
  return 0;
}

function exit(argv: string[], io: ProgramIO, { state }: BuiltinContext): number {
  if (state.interactive) io.stderr('exit\n');
  if (argv.length > 2) {
    shellError(io, state, 'exit: too many arguments');
    return 1;
  }
  // bash warns once about stopped jobs; an `exit` right after it (or after `jobs`) leaves.
  const stopped = state.jobs.all().some((j) => j.held && !j.finished);
  if (state.interactive && !state.subshells.length && stopped) {
    if (state.lastBuiltin !== 'exit' && state.lastBuiltin !== 'jobs') {
      io.stderr('There are stopped jobs.\n');
      return 1;
    }
    state.jobs.hangUpStopped();
  }
  // Leaving a nested bash returns to its parent (its variables, its namespace); leaving the
  // outermost one ends the session.
  const sub = state.subshells.pop();
  if (sub) {
    state.vars = sub.parentVars;
    state.exported = sub.parentExported;
  } else state.exited = true;
  if (argv[1] === undefined) return state.status;
  if (!/^[+-]?\d+$/.test(argv[1])) {
    shellError(io, state, `exit: ${argv[1]}: numeric argument required`);
    return 2;
  }
  return ((Number(argv[1]) % 256) + 256) % 256;
}

function cd(argv: string[], io: ProgramIO, { host, state }: BuiltinContext): number {
  if (argv.length > 2) {
    shellError(io, state, 'cd: too many arguments');
    return 1;
  }
  let dir = argv[1] ?? state.vars.get('HOME') ?? '/';
  if (dir === '') return 0;
  const back = dir === '-';
  if (back) {
    const old = state.vars.get('OLDPWD');
    if (old === undefined) {
      shellError(io, state, 'cd: OLDPWD not set');
      return 1;
    }
    dir = old;
  }
  const cwd = state.vars.get('PWD') ?? '/root';
  const path = normalizePath(dir, cwd);
  try {
    if (host.fs.stat(path).type !== 'dir') throw new Error('Not a directory');
  } catch (err) {
    shellError(io, state, `cd: ${dir}: ${fsErrorText(err)}`);
    return 1;
  }
  state.vars.set('OLDPWD', cwd);
  state.vars.set('PWD', path);
  if (back) io.stdout(`${path}\n`);
  return 0;
}

/** `break [n]` and `continue [n]`. */
function loopControl(kind: 'break' | 'continue') {
  return (argv: string[], io: ProgramIO, { loops, state }: BuiltinContext): number => {
    if (loops === 0) {
      shellError(io, state, `${kind}: only meaningful in a \`for', \`while', or \`until' loop`);
      return 0;
    }
    const n = argv[1] === undefined ? 1 : Number(argv[1]);
    if (!Number.isInteger(n) || !/^\d+$/.test(argv[1] ?? '1')) {
      shellError(io, state, `${kind}: ${argv[1]}: numeric argument required`);
      return 1;
    }
    if (n < 1) {
      shellError(io, state, `${kind}: ${n}: loop count out of range`);
      return 1;
    }
    throw new LoopControl(kind, Math.min(n, loops));
  };
}

function returnBuiltin(
  argv: string[],
  io: ProgramIO,
  { state, inFunction }: BuiltinContext,
): number {
  if (!inFunction) {
    shellError(io, state, "return: can only `return' from a function or sourced script");
    return 2;
  }
  if (argv[1] !== undefined && !/^[+-]?\d+$/.test(argv[1])) {
    shellError(io, state, `return: ${argv[1]}: numeric argument required`);
    throw new FunctionReturn(2);
  }
  throw new FunctionReturn(
    argv[1] === undefined ? state.status : ((Number(argv[1]) % 256) + 256) % 256,
  );
}

function local(argv: string[], io: ProgramIO, { state, inFunction }: BuiltinContext): number {
  const frame = state.locals[state.locals.length - 1];
  if (!inFunction || !frame) {
    shellError(io, state, 'local: can only be used in a function');
    return 1;
  }
  let status = 0;
  for (const arg of argv.slice(1)) {
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    if (!IDENTIFIER.test(name)) {
      shellError(io, state, `local: \`${arg}': not a valid identifier`);
      status = 1;
      continue;
    }
    if (!frame.has(name)) frame.set(name, state.vars.get(name));
    if (eq >= 0) state.vars.set(name, arg.slice(eq + 1));
    else if (!state.vars.has(name)) state.vars.set(name, '');
  }
  return status;
}

function shift(argv: string[], io: ProgramIO, { state }: BuiltinContext): number {
  const n = argv[1] === undefined ? 1 : Number(argv[1]);
  if (!/^\d+$/.test(argv[1] ?? '1')) {
    shellError(io, state, `shift: ${argv[1]}: numeric argument required`);
    return 1;
  }
  if (n > state.positional.length) return 1;
  state.positional = state.positional.slice(n);
  return 0;
}

/** `read [-r] [-p prompt] [name...]`: one line of stdin, split on blanks into the names. */
async function read(
  argv: string[],
  io: ProgramIO,
  { state, input }: BuiltinContext,
): Promise<number> {
  let raw = false;
  let i = 1;
  for (; i < argv.length && argv[i].startsWith('-') && argv[i] !== '-'; i++) {
    if (argv[i] === '-r') raw = true;
    else if (argv[i] === '-p') io.stderr(argv[++i] ?? '');
    else {
      shellError(io, state, `read: ${argv[i]}: invalid option`);
      io.stderr(
        'read: usage: read [-ers] [-a array] [-d delim] [-i text] [-n nchars] [-N nchars] [-p prompt] [-t timeout] [-u fd] [name ...]\n',
      );
      return 2;
    }
  }
  const names = argv.slice(i);
  for (const name of names) {
    if (!IDENTIFIER.test(name)) {
      shellError(io, state, `read: \`${name}': not a valid identifier`);
      return 1;
    }
  }
  // Take one line; without -r a backslash escapes the next character (a newline joins lines).
  let line = '';
  let found = false;
  for (let next = await input.readLine(); next !== null; next = await input.readLine()) {
    found = next.endsWith('\n');
    const text = found ? next.slice(0, -1) : next;
    if (raw) {
      line += text;
      break;
    }
    let joins = false;
    for (let k = 0; k < text.length; k++) {
      if (text[k] !== '\\' || (k + 1 === text.length && !found)) line += text[k];
      else if (k + 1 < text.length) line += text[++k];
      else joins = true;
    }
    if (!joins) break;
    found = false;
  }
  if (!names.length) state.vars.set('REPLY', line);
  else {
    let rest = line.replace(/^[ \t\n]+/, '');
    names.forEach((name, k) => {
      if (k === names.length - 1) {
        state.vars.set(name, rest.replace(/[ \t\n]+$/, ''));
        return;
      }
      const m = /^([^ \t\n]*)[ \t\n]*/.exec(rest) as RegExpExecArray;
      state.vars.set(name, m[1]);
      rest = rest.slice(m[0].length);
    });
  }
  return found ? 0 : 1;
}

/** `source FILE [ARGS...]` and `. FILE`: FILE's commands in this shell, ARGS as $1... */
async function source(argv: string[], io: ProgramIO, ctx: BuiltinContext): Promise<number> {
  const { host, state } = ctx;
  const file = argv[1];
  if (file === undefined) {
    shellError(io, state, `${argv[0]}: filename argument required`);
    io.stderr(`${argv[0]}: usage: ${argv[0]} filename [arguments]\n`);
    return 2;
  }
  let text: string;
  try {
    if (host.fs.stat(file).type === 'dir') {
      shellError(io, state, `${argv[0]}: ${file}: is a directory`);
      return 1;
    }
    text = host.fs.readText(file);
  } catch (err) {
    shellError(io, state, `${file}: ${fsErrorText(err)}`);
    return 1;
  }
  const saved = { script: state.script, positional: state.positional, lineNo: state.lineNo };
  // A script's messages then name the sourced file; an interactive shell's stay `bash: `.
  if (state.script) state.script = { name: file, syntaxName: file };
  if (argv.length > 2) state.positional = argv.slice(2);
  try {
    return await ctx.runInShell(text, io);
  } finally {
    state.script = saved.script;
    state.lineNo = saved.lineNo;
    if (argv.length > 2) state.positional = saved.positional;
  }
}

function printf(argv: string[], io: ProgramIO, { state }: BuiltinContext): number {
  let args = argv.slice(1);
  let target: string | undefined;
  if (args[0] === '-v') {
    target = args[1];
    if (target === undefined || !IDENTIFIER.test(target)) {
      shellError(io, state, `printf: \`${target ?? ''}': not a valid identifier`);
      return 2;
    }
    args = args.slice(2);
  }
  if (args[0] === '--') args = args.slice(1);
  if (args.length === 0) {
    io.stderr('printf: usage: printf [-v var] format [arguments]\n');
    return 2;
  }
  const { out, errors } = formatPrintf(args[0], args.slice(1));
  for (const e of errors) shellError(io, state, `printf: ${e}`);
  if (target !== undefined) state.vars.set(target, out);
  else io.stdout(out);
  return errors.length ? 1 : 0;
}

const test = (argv: string[], io: ProgramIO, { host, state }: BuiltinContext) =>
  runTest(argv, io, host.fs, state);

export const BUILTINS: ReadonlyMap<string, Builtin> = new Map<string, Builtin>([
  ['.', { run: source, summary: 'execute commands from a file in the current shell' }],
  [':', { run: () => 0, summary: 'null command: do nothing, successfully' }],
  ['[', { run: test, summary: 'evaluate conditional expression' }],
  ['break', { run: loopControl('break'), summary: 'exit for, while, or until loops' }],
  ['cd', { run: cd, summary: 'change the shell working directory' }],
  ['continue', { run: loopControl('continue'), summary: 'resume for, while, or until loops' }],
  ['local', { run: local, summary: 'define local variables' }],
  ['printf', { run: printf, summary: 'formats and prints ARGUMENTS under control of the FORMAT' }],
  ['read', { run: read, summary: 'read a line from the standard input and split it into fields' }],
  ['return', { run: returnBuiltin, summary: 'return from a shell function' }],
  ['shift', { run: shift, summary: 'shift positional parameters' }],
  ['source', { run: source, summary: 'execute commands from a file in the current shell' }],
  ['test', { run: test, summary: 'evaluate conditional expression' }],
  [
    'clear',
    { run: (_a, io) => (io.stdout(CLEAR_SCREEN), 0), summary: 'clear the terminal screen' },
  ],
  ['exit', { run: exit, summary: 'exit the shell' }],
  ['export', { run: exportVars, summary: 'set export attribute for shell variables' }],
  ['help', { run: help, summary: 'list the commands available on this host' }],
  ['history', { run: history, summary: 'display the command history list' }],
  [
    'pwd',
    {
      run: (_a, io, { state }) => (io.stdout(`${state.vars.get('PWD') ?? '/root'}\n`), 0),
      summary: 'print the name of the current working directory',
    },
  ],
  ['unset', { run: unsetVars, summary: 'unset values and attributes of shell variables' }],
  ...JOB_BUILTINS,
]);
