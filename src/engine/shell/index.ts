// The shell a host's terminal talks to.
//
//   const shell = createShell(host, createDefaultRegistry(), { hostname });
//   const status = await shell.run('ip route | grep flannel', io);   // io: ProgramIO
//   const { from, to, replace, candidates } = shell.complete(line, cursor);
//   shell.history  // lines entered, oldest first
//   shell.isIncomplete('for i in 1 2; do')  // true: prompt '> ' and read on
//
// `run` parses a line (or a script) of bash (see parser.ts), runs it and resolves to its exit
// status ($?). Output goes to io.stdout/io.stderr as it is produced; io.signal is Ctrl-C: the
// running program stops (ping prints its summary) and the rest of the line is dropped.
// `complete` says which span of the line to replace (line.slice(from, to)) and with what; when
// `candidates` has several entries the UI may list them (bash shows them on a second Tab).
// `state.exited` becomes true after `exit`.
// `bash` is a program of the session: `ip netns exec pod1 bash` starts a nested shell in the
// pod's namespace; the following lines run there (shell.netns says which) until `exit`.
//
// `runArgv(argv, io, host, registry)` runs one program without a shell: what
// HostContext.exec needs for `ip netns exec NS cmd...`.
// `createDefaultRegistry()` holds the programs written here (coreutils, ping); the lab adds
// ip, bridge, tcpdump, etcdctl, ... with `registry.register(name, program, summary, completion)`
// (lab/programs.ts).

import { COREUTILS } from '../programs/coreutils/index.ts';
import { ping } from '../programs/ping/ping.ts';
import type { HostContext, ProgramIO } from '../programs/types.ts';
import { WorkingDirFileSystem } from '../os/fs.ts';
import { bashProgram, inNetns, sessionNetns } from './bash.ts';
import { hostView } from './host-view.ts';
import { BUILTINS } from './builtins.ts';
import { complete } from './completion.ts';
import type { Completion } from './completion.ts';
import { runArgv, runLine } from './interpreter.ts';
import { jobClock } from './jobs.ts';
import { parse, ShellSyntaxError, tokenize } from './parser.ts';
import { createShellState } from './state.ts';
import type { ShellState } from './state.ts';
import { ProgramRegistry } from './registry.ts';

export { ProgramRegistry } from './registry.ts';
export { runArgv, runLine } from './interpreter.ts';
export { createShellState } from './state.ts';
export type { ShellState } from './state.ts';
export type { Completion, CompletionSpec } from './completion.ts';
export { CLEAR_SCREEN } from './builtins.ts';

export interface ShellOptions {
  /** Most lines kept by `history` (bash's HISTSIZE; 1000 by default). */
  historySize?: number;
  /** Initial shell variables, e.g. { ETCDCTL_API: '3' }. */
  env?: Record<string, string>;
  /** Lines of earlier sessions, oldest first: what bash reads from HISTFILE at login. */
  history?: string[];
  /**
   * Another session on the same host whose history this one shares (a second terminal): one
   * history, as the host's terminals walk it with arrow-up.
   */
  historyOf?: Shell;
}

export interface Shell {
  run(line: string, io: ProgramIO): Promise<number>;
  /**
   * Whether `source` is an unfinished command (an open quote, `for ...; do` without `done`):
   * a terminal then prompts with PS2 ('> ') and runs the lines joined once complete.
   */
  isIncomplete(source: string): boolean;
  /** Ctrl-Z: stops the line running (it becomes a Stopped job); false when none runs. */
  suspend(): boolean;
  complete(line: string, cursor: number): Completion;
  readonly history: string[];
  readonly state: ShellState;
  /** The namespace the next line runs in: the host's, or a pod's inside a nested bash. */
  readonly netns: string;
}

export function createDefaultRegistry(): ProgramRegistry {
  const registry = new ProgramRegistry();
  for (const [name, entry] of Object.entries(COREUTILS))
    registry.register(name, entry.run, entry.summary);
  registry.register('ping', ping, 'send ICMP ECHO_REQUEST to network hosts');
  return registry;
}

export function createShell(
  login: HostContext,
  hostRegistry: ProgramRegistry,
  opts: ShellOptions = {},
): Shell {
  const state = createShellState(login.hostname);
  // The login environment: exported, as variables inherited from the parent are.
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    state.vars.set(k, v);
    state.exported.add(k);
  }
  const historySize = opts.historySize ?? 1000;
  if (opts.historyOf) state.history = opts.historyOf.state.history;
  else state.history.push(...(opts.history ?? []).slice(-historySize));
  // The session's own bash, over the host's programs: nested shells live in this session's
  // state, and `ip netns exec pod1 bash` run from here finds it.
  const registry = hostRegistry.layer();
  registry.register('bash', bashProgram(registry, state), 'GNU Bourne-Again SHell');
  const host: HostContext = {
    ...hostView(login, {}),
    exec: (argv, io, netns, missing) => runArgv(argv, io, inNetns(host, netns), registry, missing),
  };
  const current = (): HostContext => inNetns(host, sessionNetns(host, state));
  return {
    state,
    get history() {
      return state.history;
    },
    get netns() {
      return sessionNetns(host, state);
    },
    run(line, io) {
      // HISTCONTROL=ignoreboth, as Debian's default .bashrc sets it.
      const last = state.history[state.history.length - 1];
      if (line.trim() && !line.startsWith(' ') && line !== last) {
        state.history.push(line);
        if (state.history.length > historySize) state.history.shift();
      }
      state.jobs.lines++;
      // The line runs as a job not listed, so that Ctrl-Z can stop it and list it.
      const running = state.jobs.runForeground(line.trim(), io, (jobIo, job) =>
        runLine(
          line,
          jobIo,
          hostView(current(), { clock: jobClock(host.clock, job) }),
          registry,
          state,
        ),
      );
      return running.then((status) => {
        // bash reports the jobs that have finished before it prints the next prompt.
        const notices = state.jobs.notices();
        if (notices) io.stderr(notices);
        return status;
      });
    },
    suspend() {
      return state.jobs.stopForeground();
    },
    isIncomplete(source) {
      try {
        parse(source);
        // A here-document still waiting for its delimiter line.
        return tokenize(source).some((t) => t.type === 'redir' && t.here?.warning);
      } catch (err) {
        return err instanceof ShellSyntaxError && err.incomplete;
      }
    },
    complete(line, cursor) {
      const fs = new WorkingDirFileSystem(host.fs, () => state.vars.get('PWD') ?? '/root');
      const names = [...registry.names(), ...BUILTINS.keys()];
      return complete(
        line,
        cursor,
        hostView(current(), { fs }),
        names,
        (name) => registry.get(name)?.completion,
      );
    },
  };
}
