// Test helpers: a HostContext over a ManualClock and a MemoryFileSystem, and a ProgramIO that
// records what a program prints. The kernel is whatever part a test supplies.

import type { KernelApi } from '../kernel/types.ts';
import { ManualClock } from '../os/clock.ts';
import { MemoryFileSystem } from '../os/fs.ts';
import type { HostContext, ProgramIO } from '../programs/types.ts';

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
    stdin,
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
