// Runs parsed command lines: expansion, redirection, pipelines, `&&`/`||`, `$?`.
//
// Each command is a `Program` from the registry, or a shell builtin. A pipeline runs its
// commands one after the other, handing the whole stdout of one to the next as its stdin
// (programs are async functions that see all of their input at once). Ctrl-C (io.signal)
// reaches the running program through its ProgramIO; once it fires, the rest of the line is
// dropped, as bash drops it after a foreground job is interrupted.

import { FsError, fsErrorText } from '../os/fs-types.ts';
import type { HostContext, ProgramIO } from '../programs/types.ts';
import { BUILTINS } from './builtins.ts';
import { parse, ShellSyntaxError } from './parser.ts';
import type { SimpleCommand, Word } from './parser.ts';
import type { ProgramRegistry } from './registry.ts';
import type { ShellState } from './state.ts';

/** Exit status of a command killed by SIGINT (128 + 2). */
export const STATUS_INTERRUPTED = 130;
export const STATUS_NOT_FOUND = 127;

/** Parses and runs one command line; returns its exit status (also left in state.status). */
export async function runLine(
  line: string,
  io: ProgramIO,
  host: HostContext,
  registry: ProgramRegistry,
  state: ShellState,
): Promise<number> {
  let items;
  try {
    items = parse(line);
  } catch (err) {
    if (!(err instanceof ShellSyntaxError)) throw err;
    io.stderr(`bash: ${err.message}\n`);
    return (state.status = 2);
  }
  const depth = state.subshells.length;
  for (const item of items) {
    if (item.connector === '&&' && state.status !== 0) continue;
    if (item.connector === '||' && state.status === 0) continue;
    state.status = await runPipeline(item.pipeline, io, host, registry, state);
    // A nested bash started or ended: the rest of the line belonged to the other shell.
    if (io.signal.aborted || state.exited || state.subshells.length !== depth) break;
  }
  return state.status;
}

/**
 * Runs one program by argv, without a shell (no builtins, no expansion): what `ip netns exec`
 * does after fork. An unknown name prints iproute2's message and returns 255.
 */
export async function runArgv(
  argv: string[],
  io: ProgramIO,
  host: HostContext,
  registry: ProgramRegistry,
): Promise<number> {
  const entry = registry.get(argv[0] ?? '');
  if (!entry) {
    io.stderr(`exec of "${argv[0] ?? ''}" failed: No such file or directory\n`);
    return 255;
  }
  return runProgram(() => entry.run(argv, io, host), argv[0], io);
}

async function runPipeline(
  pipeline: SimpleCommand[],
  io: ProgramIO,
  host: HostContext,
  registry: ProgramRegistry,
  state: ShellState,
): Promise<number> {
  let input = io.stdin;
  let status = 0;
  for (let i = 0; i < pipeline.length; i++) {
    if (io.signal.aborted) return STATUS_INTERRUPTED;
    const last = i === pipeline.length - 1;
    const piped: string[] = [];
    const stdout = last ? io.stdout : (t: string) => void piped.push(t);
    status = await runCommand(pipeline[i], input, stdout, io, host, registry, state);
    input = piped.join('');
  }
  return status;
}

/** Where a file descriptor writes: the terminal/pipe, or a file (flushed when the command ends). */
interface Sink {
  write(text: string): void;
}

class FileSink implements Sink {
  private chunks: string[] = [];
  constructor(
    private readonly host: HostContext,
    private readonly path: string,
  ) {}
  write(text: string): void {
    this.chunks.push(text);
  }
  flush(): void {
    if (!this.chunks.length) return;
    const old = this.host.fs.readText(this.path);
    this.host.fs.writeFile(this.path, old + this.chunks.join(''));
    this.chunks = [];
  }
}

async function runCommand(
  cmd: SimpleCommand,
  stdin: string,
  stdout: (text: string) => void,
  io: ProgramIO,
  host: HostContext,
  registry: ProgramRegistry,
  state: ShellState,
): Promise<number> {
  const argv = cmd.words.flatMap((w) => expandWord(w, state));
  if (argv.length === 0) {
    for (const a of cmd.assignments)
      state.vars.set(a.name, expandWord(a.value, state, false).join(''));
  }

  // Apply redirections in order, as bash does: `> f 2>&1` sends both to f, `2>&1 > f` does not.
  const fds: Sink[] = [{ write: () => {} }, { write: stdout }, { write: io.stderr }];
  const files: FileSink[] = [];
  for (const r of cmd.redirects) {
    const target = expandWord(r.target, state, false).join('');
    try {
      if (r.op === '>&' && /^[0-2]$/.test(target)) {
        fds[r.fd === 'both' ? 1 : r.fd] = fds[Number(target)];
      } else if (r.op === '>&' && /^\d+$/.test(target)) {
        io.stderr(`bash: ${target}: Bad file descriptor\n`);
        return 1;
      } else if (r.op === '<') {
        stdin = host.fs.readText(target);
      } else {
        if (r.op !== '>>' || !host.fs.exists(target)) host.fs.writeFile(target, '');
        else if (host.fs.stat(target).type === 'dir') throw new FsError('EISDIR', target);
        const sink = new FileSink(host, target);
        files.push(sink);
        if (r.fd === 'both' || r.op === '>&') fds[1] = fds[2] = sink;
        else fds[r.fd] = sink;
      }
    } catch (err) {
      io.stderr(`bash: ${target}: ${fsErrorText(err)}\n`);
      return 1;
    }
  }

  // `isTTY` tells programs such as ls whether stdout is the terminal (columns) or not.
  const cmdIO: ProgramIO & { isTTY: boolean } = {
    isTTY: stdout === io.stdout && fds[1].write === stdout,
    stdin,
    stdout: (t) => fds[1].write(t),
    stderr: (t) => fds[2].write(t),
    signal: io.signal,
    download: io.download,
  };
  try {
    if (argv.length === 0) return 0;
    const name = argv[0];
    const builtin = BUILTINS.get(name);
    if (builtin)
      return await runProgram(
        () => builtin.run(argv, cmdIO, { host, registry, state }),
        name,
        cmdIO,
      );
    const entry = registry.get(name);
    if (!entry) {
      cmdIO.stderr(`bash: ${name}: command not found\n`);
      return STATUS_NOT_FOUND;
    }
    return await runProgram(() => entry.run(argv, cmdIO, host), name, cmdIO);
  } finally {
    for (const f of files) f.flush();
  }
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
    if (err instanceof Error && err.name === 'AbortError') return STATUS_INTERRUPTED;
    io.stderr(`${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

/**
 * Expands a word's variables. Unquoted expansions are split on blanks into several words
 * (bash's field splitting); a word that expands to nothing unquoted disappears.
 */
export function expandWord(word: Word, state: ShellState, split = true): string[] {
  const fields: string[] = [];
  let cur = '';
  let have = false;
  for (const part of word) {
    if (part.kind === 'text') {
      cur += part.text;
      if (part.quoted || part.text) have = true;
      continue;
    }
    const value = lookupVar(part.name, state);
    if (part.quoted || !split) {
      cur += value;
      if (part.quoted || value) have = true;
      continue;
    }
    const pieces = value.split(/[ \t\n]+/);
    pieces.forEach((piece, j) => {
      if (j > 0) {
        if (have) fields.push(cur);
        cur = '';
        have = false;
      }
      cur += piece;
      if (piece) have = true;
    });
  }
  if (have) fields.push(cur);
  return fields;
}

function lookupVar(name: string, state: ShellState): string {
  if (name === '?') return String(state.status);
  if (name === '$') return '1';
  if (name === '#') return '0';
  return state.vars.get(name) ?? '';
}
