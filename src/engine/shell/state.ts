// What one shell session keeps between lines: its own file, so the interpreter and the
// builtins both read it without importing each other.

import { JobTable } from './jobs.ts';
import type { Command } from './parser.ts';

/** What one shell session remembers between lines. */
export interface ShellState {
  /** Shell variables (HOME, HOSTNAME, anything set with VAR=x or export). */
  vars: Map<string, string>;
  /** Names marked by `export`. */
  exported: Set<string>;
  /** `$?`: the exit status of the last pipeline. */
  status: number;
  /** Lines entered, oldest first (what `history` prints). */
  history: string[];
  /** Set by `exit`; the UI may close the terminal. */
  exited: boolean;
  /**
   * Interactive shells started inside this one (`bash`, `ip netns exec pod1 bash`), innermost
   * last: the following lines run in the innermost one, until its `exit`.
   */
  subshells: Subshell[];
  /** A terminal's shell (true) or a script's (`bash -c`): only the first says `exit`. */
  interactive: boolean;
  /** The last builtin run: `exit` right after `exit` or `jobs` leaves despite stopped jobs. */
  lastBuiltin?: string;
  /** `$1`, `$2`, ...: a function's arguments (the session's own are empty). */
  positional: string[];
  /** Functions defined with `name() { ...; }`, by name. */
  functions: Map<string, Command>;
  /** The saved values `local` shadows, one frame per running function call, innermost last. */
  locals: Map<string, string | undefined>[];
  /**
   * A script's shell (`bash -c`, `bash file`, a piped script): the name its messages start
   * with (`bash`, or the file) and the one for syntax errors (`bash: -c` for -c).
   */
  script?: { name: string; syntaxName: string };
  /** The line of the script running now ($LINENO), which a script's messages give. */
  lineNo: number;
  /** Background jobs (`cmd &`): shared with subshells, as `( jobs )` still lists them. */
  jobs: JobTable;
  /** How many `$(...)` this shell runs inside (capped, so nesting cannot overflow the stack). */
  substitutionDepth: number;
}

/** What bash puts before an error message: `bash: `, or `NAME: line N: ` in a script. */
export function errorPrefix(state: ShellState, line = state.lineNo): string {
  return state.script ? `${state.script.name}: line ${line}: ` : 'bash: ';
}

/** Prints a shell error line, e.g. shellError(io, state, 'cd: too many arguments'). */
export function shellError(io: { stderr(text: string): void }, state: ShellState, message: string) {
  io.stderr(`${errorPrefix(state)}${message}\n`);
}

/** A nested interactive bash: the namespace it runs in and what its parent had. */
export interface Subshell {
  netns: string;
  parentVars: Map<string, string>;
  parentExported: Set<string>;
}

export function createShellState(hostname: string): ShellState {
  const vars = new Map([
    ['HOME', '/root'],
    ['HOSTNAME', hostname],
    ['PATH', '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
    ['PWD', '/root'],
    ['SHELL', '/bin/bash'],
    ['USER', 'root'],
  ]);
  return {
    vars,
    exported: new Set(['HOME', 'PATH', 'PWD', 'SHELL', 'USER']),
    status: 0,
    history: [],
    exited: false,
    subshells: [],
    interactive: true,
    positional: [],
    functions: new Map(),
    locals: [],
    lineNo: 0,
    jobs: new JobTable(),
    substitutionDepth: 0,
  };
}

/** A copy for a subshell (`( ... )`, `$(...)`, a pipeline's commands): changes stay inside. */
export function forkShellState(state: ShellState): ShellState {
  return {
    ...state,
    vars: new Map(state.vars),
    exported: new Set(state.exported),
    history: state.history,
    exited: false,
    subshells: [],
    interactive: false,
    positional: [...state.positional],
    functions: new Map(state.functions),
    locals: [],
  };
}
