// `bash` as a program, so that `ip netns exec pod1 bash` and `nsenter --net=... ` can start a
// shell inside a pod's namespace.
//
//   bash              an interactive shell: the terminal's following lines run in it (in the
//                     namespace bash was started in) until `exit`
//   bash -c CMD       runs CMD and returns its status
//   echo CMD | bash   runs the piped script
//
// A child bash inherits only the exported variables, as a real child process does.

import { isTerminalInput, readAll, textInput } from '../os/pipe.ts';
import type { HostContext, Program, ProgramIO } from '../programs/types.ts';
import { runLine } from './interpreter.ts';
import { createShellState, type ShellState } from './state.ts';
import type { ProgramRegistry } from './registry.ts';

export { inNetns } from './host-view.ts';

/** The namespace the session's lines run in: the innermost nested bash's. */
export function sessionNetns(host: HostContext, state: ShellState): string {
  return state.subshells[state.subshells.length - 1]?.netns ?? host.netns;
}

function childVars(state: ShellState): { vars: Map<string, string>; exported: Set<string> } {
  const vars = new Map<string, string>();
  for (const name of state.exported) {
    const value = state.vars.get(name);
    if (value !== undefined) vars.set(name, value);
  }
  return { vars, exported: new Set(state.exported) };
}

/**
 * Runs `script` in a fresh, non-interactive child shell of `state`'s, with `args` as $1...;
 * `names` are what its error messages start with (see ShellState.script).
 */
async function runScript(
  script: string,
  names: ShellState['script'] & object,
  args: string[],
  io: ProgramIO,
  host: HostContext,
  registry: ProgramRegistry,
  state: ShellState,
): Promise<number> {
  const child = createShellState(host.hostname);
  child.interactive = false;
  child.script = names;
  child.positional = args;
  const { vars, exported } = childVars(state);
  for (const [k, v] of vars) child.vars.set(k, v);
  for (const k of exported) child.exported.add(k);
  return runLine(script, io, host, registry, child);
}

/** The `bash` program of one shell session (`state`): nested shells are part of the session. */
export function bashProgram(registry: ProgramRegistry, state: ShellState): Program {
  return async (argv, io, host) => {
    let i = 1;
    for (; i < argv.length; i++) {
      const arg = argv[i];
      if (arg === '-c') {
        const script = argv[i + 1];
        if (script === undefined) {
          io.stderr('bash: -c: option requires an argument\n');
          return 2;
        }
        // `bash -c CMD NAME ARGS...`: NAME is $0, and what its messages start with.
        const names = { name: argv[i + 2] ?? 'bash', syntaxName: `${argv[i + 2] ?? 'bash'}: -c` };
        return runScript(script, names, argv.slice(i + 3), io, host, registry, state);
      }
      // Login and interactive flags change nothing here: the terminal is always interactive.
      if (['-i', '-l', '--login', '--norc', '--noprofile'].includes(arg)) continue;
      if (arg.startsWith('-')) {
        io.stderr(`bash: ${arg}: invalid option\n`);
        io.stderr(
          'Usage:\tbash [GNU long option] [option] ...\n\tbash [GNU long option] [option] script-file ...\n',
        );
        return 2;
      }
      break;
    }
    if (i < argv.length) {
      const file = argv[i];
      let script: string;
      try {
        script = host.fs.readText(file);
      } catch {
        io.stderr(`bash: ${file}: No such file or directory\n`);
        return 127;
      }
      const names = { name: file, syntaxName: file };
      return runScript(script, names, argv.slice(i + 1), io, host, registry, state);
    }
    if (!isTerminalInput(io.stdin)) {
      const names = { name: 'bash', syntaxName: 'bash' };
      const script = await readAll(io.stdin);
      return runScript(script, names, [], { ...io, stdin: textInput('') }, host, registry, state);
    }
    const { vars, exported } = childVars(state);
    state.subshells.push({
      netns: host.netns,
      parentVars: state.vars,
      parentExported: state.exported,
    });
    state.vars = vars;
    state.exported = exported;
    return 0;
  };
}
