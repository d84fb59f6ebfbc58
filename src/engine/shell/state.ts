// What one shell session keeps between lines: its own file, so the interpreter and the
// builtins both read it without importing each other.

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
  };
}
