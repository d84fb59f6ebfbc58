// Shell builtins: the commands that act on the shell itself rather than on the host.

import type { HostContext, ProgramIO } from '../programs/types.ts';
import type { ShellState } from './state.ts';
import type { ProgramRegistry } from './registry.ts';

export interface BuiltinContext {
  host: HostContext;
  registry: ProgramRegistry;
  state: ShellState;
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
      io.stderr(`bash: export: \`${arg}': not a valid identifier\n`);
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
      io.stderr(`bash: unset: \`${name}': not a valid identifier\n`);
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
      io.stderr(`bash: history: ${arg}: invalid option\n`);
      io.stderr(
        'history: usage: history [-c] [-d offset] [n] or history -anrw [filename] or history -ps arg [arg...]\n',
      );
      return 2;
    }
    if (!/^\d+$/.test(arg)) {
      io.stderr(`bash: history: ${arg}: numeric argument required\n`);
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
    io.stderr('bash: exit: too many arguments\n');
    return 1;
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
    io.stderr(`bash: exit: ${argv[1]}: numeric argument required\n`);
    return 2;
  }
  return ((Number(argv[1]) % 256) + 256) % 256;
}

export const BUILTINS: ReadonlyMap<string, Builtin> = new Map<string, Builtin>([
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
]);
