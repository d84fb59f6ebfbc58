// Runs the syntax tree: lists, `&&`/`||`, pipelines, compound commands, functions, simple
// commands (a builtin, a function or a `Program` from the registry) and their redirections.
//
// A pipeline runs its commands at once, each in a copy of the shell state (a subshell), joined
// by pipes (os/pipe.ts): each stage reads what the one before writes, as it writes it.
// Standard input is one reader per redirection or pipe: `read` takes a line off it, programs
// read what is left.
// Loops yield to the host every YIELD_EVERY rounds (a macrotask, so the kernel, the wire and
// Ctrl-C get their turn) and stop on io.signal; once it fires the rest of the line is dropped,
// as bash drops it after a foreground job is interrupted.

import { FsError, fsErrorText } from '../os/fs-types.ts';
import { WorkingDirFileSystem } from '../os/fs.ts';
import { abortable, InputReader, Pipe, textInput } from '../os/pipe.ts';
import { yieldToHost } from '../os/yield.ts';
import type { HostContext, MissingProgram, ProgramIO } from '../programs/types.ts';
import { ArithmeticError } from './arithmetic.ts';
import { BUILTINS, FunctionReturn, LoopControl } from './builtins.ts';
import { evaluateCond } from './conditional.ts';
import {
  expandPattern,
  expandString,
  expandWords,
  ExpansionError,
  globToRegExp,
  type ExpandContext,
} from './expansion.ts';
import { hostView } from './host-view.ts';
import { jobClock } from './jobs.ts';
import { parseLines, ShellSyntaxError } from './parser.ts';
import type { AndOr, Command, List, Pipeline, Redirect, SimpleCommand } from './parser.ts';
import type { ProgramRegistry } from './registry.ts';
import { errorPrefix, forkShellState, shellError, type ShellState } from './state.ts';

/** Exit status of a command killed by SIGINT (128 + 2). */
export const STATUS_INTERRUPTED = 130;
export const STATUS_NOT_FOUND = 127;
/** Loop rounds between two yields to the host. */
export const YIELD_EVERY = 256;
/** Deepest `$( $( ... ) )` nesting allowed. */
const MAX_SUBSTITUTION_DEPTH = 128;
/** Deepest function recursion allowed (bash's FUNCNEST; unset, bash would crash instead). */
const MAX_FUNCTION_DEPTH = 1000;

/** What one running piece of the tree needs: where it reads and writes, and the shell. */
interface Ctx {
  io: ProgramIO;
  input: InputReader;
  host: HostContext;
  registry: ProgramRegistry;
  state: ShellState;
  /** Shared by a whole line: loop rounds since its start, for yielding. */
  run: { rounds: number; functionDepth: number; loops: number };
  /** The status of the last `$(...)`: what a command of assignments alone returns. */
  substStatus?: number;
}

/** Parses and runs source text (a line or a script); returns its status (also state.status). */
export async function runLine(
  line: string,
  io: ProgramIO,
  host: HostContext,
  registry: ProgramRegistry,
  state: ShellState,
): Promise<number> {
  const ctx: Ctx = {
    io,
    input: InputReader.of(io.stdin),
    host,
    registry,
    state,
    run: { rounds: 0, functionDepth: 0, loops: 0 },
  };
  const depth = state.subshells.length;
  const lines = parseLines(line);
  for (;;) {
    let next: IteratorResult<List>;
    try {
      next = lines.next();
    } catch (err) {
      if (!(err instanceof ShellSyntaxError)) throw err;
      syntaxError(err, line, io, state);
      return (state.status = err.status);
    }
    if (next.done) break;
    for (const command of next.value) {
      state.lineNo = command.line;
      try {
        await runAndOr(command, ctx);
      } catch (err) {
        // After an expansion error (`$((1/0))`) bash drops the rest of that line.
        if (!(err instanceof ArithmeticError || err instanceof ExpansionError)) throw err;
        shellError(io, state, err.message);
        state.status = 1;
        break;
      }
      if (stopped(ctx, depth)) break;
    }
    if (stopped(ctx, depth)) break;
  }
  return state.status;
}

/** A syntax error as bash prints it: a script's names its line, and quotes it for a bad token. */
function syntaxError(err: ShellSyntaxError, source: string, io: ProgramIO, state: ShellState) {
  if (!state.script) return shellError(io, state, err.message);
  const where = `${state.script.syntaxName}: line ${err.line}: `;
  io.stderr(`${where}${err.message}\n`);
  if (err.quotesLine) io.stderr(`${where}\`${source.split('\n')[err.line - 1] ?? ''}'\n`);
}

/** iproute2's `ip netns exec` of a program that does not exist. */
const IP_EXEC_MISSING: MissingProgram = {
  message: (name) => `exec of "${name}" failed: No such file or directory\n`,
  status: 255,
};

/**
 * Runs one program by argv, without a shell (no builtins, no expansion): what `ip netns exec`
 * does after fork. An unknown name prints `missing`'s message (iproute2's by default).
 */
export async function runArgv(
  argv: string[],
  io: ProgramIO,
  host: HostContext,
  registry: ProgramRegistry,
  missing = IP_EXEC_MISSING,
): Promise<number> {
  const entry = registry.get(argv[0] ?? '');
  if (!entry) {
    io.stderr(missing.message(argv[0] ?? ''));
    return missing.status;
  }
  return runProgram(() => entry.run(argv, io, host), argv[0], io);
}

/** True once the rest of the line must not run: Ctrl-C, `exit`, or a nested bash began/ended. */
function stopped(ctx: Ctx, depth: number): boolean {
  return ctx.io.signal.aborted || ctx.state.exited || ctx.state.subshells.length !== depth;
}

async function runList(list: List, ctx: Ctx): Promise<number> {
  const depth = ctx.state.subshells.length;
  for (const andOr of list) {
    await runAndOr(andOr, ctx);
    if (stopped(ctx, depth)) break;
  }
  return ctx.state.status;
}

async function runAndOr(node: AndOr, ctx: Ctx): Promise<number> {
  return node.background ? startJob(node, ctx) : runAndOrNow(node, ctx);
}

/** `cmd &`: runs it in a subshell as a job, not awaited; an interactive shell says `[1] PID`. */
function startJob(node: AndOr, ctx: Ctx): number {
  const { state } = ctx;
  const job = state.jobs.start(node.text, ctx.io, (io, job) =>
    runAndOrNow(node, {
      ...ctx,
      host: hostView(ctx.host, { clock: jobClock(ctx.host.clock, job) }),
      io,
      input: InputReader.of(textInput('')),
      state: forkShellState(state),
      run: { rounds: 0, functionDepth: 0, loops: 0 },
    }),
  );
  if (state.interactive) ctx.io.stderr(`[${job.id}] ${job.pid}\n`);
  return (state.status = 0);
}

async function runAndOrNow(node: AndOr, ctx: Ctx): Promise<number> {
  const depth = ctx.state.subshells.length;
  ctx.state.status = await runPipeline(node.first, ctx);
  for (const { op, pipeline } of node.rest) {
    if (stopped(ctx, depth)) break;
    if ((op === '&&') !== (ctx.state.status === 0)) continue;
    ctx.state.status = await runPipeline(pipeline, ctx);
  }
  return ctx.state.status;
}

async function runPipeline(pipeline: Pipeline, ctx: Ctx): Promise<number> {
  const { commands } = pipeline;
  if (commands.length > 1 && ctx.io.signal.aborted) return STATUS_INTERRUPTED;
  const status =
    commands.length === 1 ? await runCommand(commands[0], ctx) : await runStages(commands, ctx);
  return pipeline.negate ? Number(status === 0) : status;
}

/**
 * The stages of a pipeline, all running at once. A stage's end closes its pipes: the next
 * stage reads the end of its input, the one before is stopped once it writes again (SIGPIPE:
 * `yes | head -1` ends). Ctrl-C reaches every stage. The last stage's status is the pipeline's.
 */
async function runStages(commands: Command[], ctx: Ctx): Promise<number> {
  const stages: Promise<number>[] = [];
  let input = ctx.input;
  let from: Pipe | undefined;
  for (let i = 0; i < commands.length; i++) {
    let io = ctx.io;
    let to: Pipe | undefined;
    if (i < commands.length - 1) {
      const pipe = (to = new Pipe());
      const sigpipe = new AbortController();
      pipe.onBroken = () => sigpipe.abort();
      io = {
        ...ctx.io,
        isTTY: false,
        stdout: (t) => pipe.write(t),
        stdoutReady: () => pipe.ready(),
        signal: AbortSignal.any([ctx.io.signal, sigpipe.signal]),
      };
    }
    const reading = from;
    if (reading) input = InputReader.of(abortable(reading, io.signal));
    const { functionDepth, loops } = ctx.run;
    const stage = { ...ctx, io, input, state: forkShellState(ctx.state) };
    stage.run = { rounds: 0, functionDepth, loops };
    stages.push(
      runCommand(commands[i], stage).finally(() => {
        to?.close();
        reading?.closeReader();
      }),
    );
    from = to;
  }
  const statuses = await Promise.all(stages);
  return statuses[statuses.length - 1];
}

/** Where a file descriptor writes: the terminal/pipe, or a file (flushed when the command ends). */
interface Sink {
  write(text: string): void;
}

class FileSink implements Sink {
  private chunks: string[] = [];
  /** /dev/null takes everything and keeps nothing (`ping -f > /dev/null &` stays flat). */
  private readonly device: boolean;
  constructor(
    private readonly host: HostContext,
    private readonly path: string,
  ) {
    this.device = host.fs.stat(path).type === 'char';
  }
  write(text: string): void {
    if (!this.device) this.chunks.push(text);
  }
  flush(): void {
    if (!this.chunks.length) return;
    const old = this.host.fs.readText(this.path);
    this.host.fs.writeFile(this.path, old + this.chunks.join(''));
    this.chunks = [];
  }
}

/** The host as the shell's commands see it: relative paths from the working directory. */
function hostOf(ctx: Ctx): HostContext {
  const fs = new WorkingDirFileSystem(ctx.host.fs, () => ctx.state.vars.get('PWD') ?? '/root');
  return hostView(ctx.host, { fs });
}

function expandContext(ctx: Ctx, host: HostContext): ExpandContext {
  return {
    state: ctx.state,
    fs: host.fs,
    substitute: async (source) => {
      const out: string[] = [];
      const state = forkShellState(ctx.state);
      if (++state.substitutionDepth > MAX_SUBSTITUTION_DEPTH)
        throw new ExpansionError('command substitution: maximum nesting level exceeded');
      const io: ProgramIO = {
        ...ctx.io,
        stdin: ctx.input,
        isTTY: false,
        stdout: (t) => void out.push(t),
        stdoutReady: undefined,
      };
      const sub = await runLine(source, io, ctx.host, ctx.registry, state);
      ctx.substStatus = sub;
      return out.join('');
    },
  };
}

/**
 * Applies redirections in order, as bash does: `> f 2>&1` sends both to f, `2>&1 > f` does
 * not. Returns the command's io and input, or the status of a failed redirection.
 */
async function redirect(
  redirects: Redirect[],
  ctx: Ctx,
  host: HostContext,
  files: FileSink[],
): Promise<{ io: ProgramIO; input: InputReader } | number> {
  const fds: Sink[] = [{ write: () => {} }, { write: ctx.io.stdout }, { write: ctx.io.stderr }];
  let input = ctx.input;
  const expand = expandContext(ctx, host);
  for (const r of redirects) {
    const target = await expandString(r.target, expand);
    try {
      if (r.op === '<<<') {
        input = InputReader.of(textInput(target + '\n'));
      } else if (r.op === '<<') {
        const warning = r.here?.warning;
        if (warning) ctx.io.stderr(`${errorPrefix(ctx.state, warning.line)}${warning.text}\n`);
        input = InputReader.of(textInput(target));
      } else if (r.op === '>&' && /^[0-2]$/.test(target)) {
        fds[r.fd === 'both' ? 1 : r.fd] = fds[Number(target)];
      } else if (r.op === '>&' && /^\d+$/.test(target)) {
        shellError(ctx.io, ctx.state, `${target}: Bad file descriptor`);
        return 1;
      } else if (r.op === '<') {
        input = InputReader.of(textInput(host.fs.readText(target)));
      } else {
        if (r.op !== '>>' || !host.fs.exists(target)) host.fs.writeFile(target, '');
        else if (host.fs.stat(target).type === 'dir') throw new FsError('EISDIR', target);
        const sink = new FileSink(host, target);
        files.push(sink);
        if (r.fd === 'both' || r.op === '>&') fds[1] = fds[2] = sink;
        else fds[r.fd] = sink;
      }
    } catch (err) {
      shellError(ctx.io, ctx.state, `${target}: ${fsErrorText(err)}`);
      return 1;
    }
  }
  const toStdout = fds[1].write === ctx.io.stdout;
  const io: ProgramIO = {
    ...ctx.io,
    isTTY: ctx.io.isTTY !== false && toStdout,
    stdout: (t) => fds[1].write(t),
    stdoutReady: toStdout ? ctx.io.stdoutReady : undefined,
    stderr: (t) => fds[2].write(t),
  };
  return { io, input };
}

async function runCommand(cmd: Command, outer: Ctx): Promise<number> {
  const host = hostOf(outer);
  const files: FileSink[] = [];
  try {
    // A simple command expands its words before its redirections, as bash does.
    const argv =
      cmd.type === 'simple' ? await expandWords(cmd.words, expandContext(outer, host)) : [];
    const opened = cmd.redirects.length
      ? await redirect(cmd.redirects, outer, host, files)
      : { io: outer.io, input: outer.input };
    if (typeof opened === 'number') return opened;
    const ctx: Ctx = { ...outer, io: opened.io, input: opened.input };
    switch (cmd.type) {
      case 'function':
        ctx.state.functions.set(cmd.name, cmd.body);
        return 0;
      case 'simple':
        return await runSimple(cmd, argv, ctx, host);
      case 'group':
        return await runList(cmd.body, ctx);
      case 'subshell':
        return await runList(cmd.body, { ...ctx, state: forkShellState(ctx.state) });
      case 'if':
        return await runIf(cmd, ctx);
      case 'for':
        return await runFor(cmd, ctx, host);
      case 'while':
      case 'until':
        return await runWhile(cmd, ctx);
      case 'case':
        return await runCase(cmd, ctx, host);
      case 'cond':
        return await evaluateCond(cmd.expr, expandContext(ctx, host), ctx.io);
      default: {
        const unknown: never = cmd;
        return unknown;
      }
    }
  } finally {
    for (const f of files) f.flush();
  }
}

async function runSimple(
  cmd: SimpleCommand,
  argv: string[],
  ctx: Ctx,
  host: HostContext,
): Promise<number> {
  const expand = expandContext(ctx, host);
  const assigned: [string, string][] = [];
  ctx.substStatus = undefined;
  for (const a of cmd.assignments) assigned.push([a.name, await expandString(a.value, expand)]);
  if (argv.length === 0) {
    for (const [name, value] of assigned) ctx.state.vars.set(name, value);
    return ctx.substStatus ?? 0;
  }
  const name = argv[0];
  const io: ProgramIO = {
    ...ctx.io,
    stdin: ctx.input,
    env: { ...exportedEnv(ctx.state), ...Object.fromEntries(assigned) },
  };
  const body = ctx.state.functions.get(name);
  if (body) return await callFunction(name, body, argv, ctx);
  const builtin = BUILTINS.get(name);
  if (!builtin) ctx.state.lastBuiltin = undefined;
  if (builtin) {
    const bctx = {
      host,
      registry: ctx.registry,
      state: ctx.state,
      input: ctx.input,
      loops: ctx.run.loops,
      inFunction: ctx.run.functionDepth > 0,
      runInShell: (script: string, sio: ProgramIO) =>
        runLine(script, sio, ctx.host, ctx.registry, ctx.state),
    };
    try {
      return await runProgram(() => builtin.run(argv, io, bctx), name, io);
    } finally {
      ctx.state.lastBuiltin = name;
    }
  }
  const entry = ctx.registry.get(name);
  if (!entry) {
    shellError(io, ctx.state, `${name}: command not found`);
    return STATUS_NOT_FOUND;
  }
  return await runProgram(() => entry.run(argv, io, host), name, io);
}

function exportedEnv(state: ShellState): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of state.exported) {
    const value = state.vars.get(name);
    if (value !== undefined) env[name] = value;
  }
  return env;
}

async function callFunction(
  name: string,
  body: Command,
  argv: string[],
  ctx: Ctx,
): Promise<number> {
  const { state, run } = ctx;
  if (run.functionDepth >= MAX_FUNCTION_DEPTH) {
    shellError(
      ctx.io,
      state,
      `${name}: maximum function nesting level exceeded (${MAX_FUNCTION_DEPTH})`,
    );
    return 1;
  }
  await tick(ctx);
  const saved = state.positional;
  const loops = run.loops;
  state.positional = argv.slice(1);
  state.locals.push(new Map());
  run.functionDepth++;
  run.loops = 0;
  try {
    return await runCommand(body, ctx);
  } catch (err) {
    if (err instanceof FunctionReturn) return err.status;
    throw err;
  } finally {
    run.functionDepth--;
    run.loops = loops;
    state.positional = saved;
    for (const [k, v] of state.locals.pop() ?? []) {
      if (v === undefined) state.vars.delete(k);
      else state.vars.set(k, v);
    }
  }
}

async function runIf(cmd: Extract<Command, { type: 'if' }>, ctx: Ctx): Promise<number> {
  const depth = ctx.state.subshells.length;
  for (const clause of cmd.clauses) {
    const status = await runList(clause.cond, ctx);
    if (stopped(ctx, depth)) return status;
    if (status === 0) return runList(clause.body, ctx);
  }
  return cmd.otherwise ? runList(cmd.otherwise, ctx) : 0;
}

/** One loop round: yields to the host now and then; false once Ctrl-C has fired. */
async function tick(ctx: Ctx): Promise<boolean> {
  if (++ctx.run.rounds % YIELD_EVERY === 0) {
    await yieldToHost();
    await ctx.io.stdoutReady?.();
  }
  return !ctx.io.signal.aborted;
}

/** Runs a loop body; says whether the loop goes on after a `break`/`continue` inside it. */
async function loopBody(body: List, ctx: Ctx): Promise<'next' | 'break'> {
  ctx.run.loops++;
  try {
    await runList(body, ctx);
    return 'next';
  } catch (err) {
    if (!(err instanceof LoopControl)) throw err;
    if (err.levels > 1) {
      err.levels--;
      throw err;
    }
    return err.kind === 'break' ? 'break' : 'next';
  } finally {
    ctx.run.loops--;
  }
}

async function runFor(
  cmd: Extract<Command, { type: 'for' }>,
  ctx: Ctx,
  host: HostContext,
): Promise<number> {
  const items = cmd.items
    ? await expandWords(cmd.items, expandContext(ctx, host))
    : [...ctx.state.positional];
  const depth = ctx.state.subshells.length;
  ctx.state.status = 0;
  for (const item of items) {
    if (!(await tick(ctx))) return STATUS_INTERRUPTED;
    ctx.state.vars.set(cmd.name, item);
    if ((await loopBody(cmd.body, ctx)) === 'break' || stopped(ctx, depth)) break;
  }
  return ctx.io.signal.aborted ? STATUS_INTERRUPTED : ctx.state.status;
}

async function runWhile(
  cmd: Extract<Command, { type: 'while' | 'until' }>,
  ctx: Ctx,
): Promise<number> {
  const depth = ctx.state.subshells.length;
  let status = 0;
  for (;;) {
    if (!(await tick(ctx))) return STATUS_INTERRUPTED;
    const cond = await runList(cmd.cond, ctx);
    if (stopped(ctx, depth) || (cond === 0) !== (cmd.type === 'while')) break;
    const next = await loopBody(cmd.body, ctx);
    status = ctx.state.status;
    if (next === 'break' || stopped(ctx, depth)) break;
  }
  return ctx.io.signal.aborted ? STATUS_INTERRUPTED : status;
}

async function runCase(
  cmd: Extract<Command, { type: 'case' }>,
  ctx: Ctx,
  host: HostContext,
): Promise<number> {
  const expand = expandContext(ctx, host);
  const subject = await expandString(cmd.subject, expand);
  for (const arm of cmd.arms) {
    for (const pattern of arm.patterns) {
      if (globToRegExp(await expandPattern(pattern, expand)).test(subject))
        return arm.body.length ? runList(arm.body, ctx) : 0;
    }
  }
  return 0;
}

/** Runs a program; an interrupted one gives 130, a crashed one its message and 1. */
async function runProgram(
  run: () => Promise<number> | number,
  name: string,
  io: ProgramIO,
): Promise<number> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof LoopControl || err instanceof FunctionReturn) throw err;
    if (err instanceof Error && err.name === 'AbortError') return STATUS_INTERRUPTED;
    io.stderr(`${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
