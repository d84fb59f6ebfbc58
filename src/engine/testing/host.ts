// Test helpers: a HostContext over a ManualClock and a MemoryFileSystem, and a ProgramIO that
// records what a program prints. The kernel is whatever part a test supplies. `testShell()` is
// a shell on such a host whose `run` gives a line's status, stdout and stderr.

import type { KernelApi } from '../kernel/types.ts';
import { ManualClock } from '../os/clock.ts';
import { MemoryFileSystem } from '../os/fs.ts';
import type { HostContext, ProgramIO } from '../programs/types.ts';
import { createDefaultRegistry, createShell, type ShellOptions } from '../shell/index.ts';
import { TERMINAL_INPUT, textInput } from '../os/pipe.ts';

export interface RecordingIO extends ProgramIO {
  out: string[];
  err: string[];
  controller: AbortController;
  /** stdout and stderr interleaved, in order. */
  all: string[];
}

export function recordingIO(stdin = ''): RecordingIO {
  const controller = new AbortController();
  const out: string[] = [];
  const err: string[] = [];
  const all: string[] = [];
  return {
    stdin: stdin === '' ? TERMINAL_INPUT : textInput(stdin),
    out,
    err,
    all,
    controller,
    signal: controller.signal,
    stdout: (t) => {
      out.push(t);
      all.push(t);
    },
    stderr: (t) => {
      err.push(t);
      all.push(t);
    },
  };
}

export function fakeHost(
  kernel: Partial<KernelApi> = {},
  hostname = 'node1',
): HostContext & {
  clock: ManualClock;
  fs: MemoryFileSystem;
} {
  const clock = new ManualClock();
  return {
    hostname,
    kernel: kernel as KernelApi,
    netns: '',
    clock,
    fs: new MemoryFileSystem(clock),
    exec: async () => 127,
  };
}

/** A shell with the default programs on a fakeHost; `run` returns status, stdout, stderr. */
export function testShell(opts: ShellOptions = {}) {
  const host = fakeHost();
  const registry = createDefaultRegistry();
  const shell = createShell(host, registry, opts);
  const run = async (line: string, stdin = '') => {
    const io = recordingIO(stdin);
    const status = await shell.run(line, io);
    return { status, out: io.out.join(''), err: io.err.join('') };
  };
  return { host, registry, shell, run };
}
