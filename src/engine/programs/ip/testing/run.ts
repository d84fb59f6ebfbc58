// Runs `ip` and `bridge` command lines against a kernel, as a shell would, and reads the
// goldens. The kernels come from ./golden-host.ts: real ones, in the goldens' states.

import { readFileSync } from 'node:fs';
import { ROOT_NS } from '../../../kernel/types.ts';
import type { KernelApi, NsId } from '../../../kernel/types.ts';
import { ManualClock } from '../../../os/clock.ts';
import type { FileSystem } from '../../../os/fs-types.ts';
import type { HostContext, Program, ProgramIO } from '../../types.ts';
import { bridge } from '../../bridge/index.ts';
import { ip } from '../index.ts';
import { TERMINAL_INPUT } from '../../../os/pipe.ts';

const PROGRAMS: Record<string, Program> = { ip, bridge };

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
  /** stdout and stderr interleaved, as the goldens recorded them with 2>&1. */
  output: string;
}

/** Runs one command line (split on spaces) in namespace `netns`. */
export async function run(
  kernel: KernelApi,
  line: string,
  netns: NsId = ROOT_NS,
): Promise<RunResult> {
  const result: RunResult = { stdout: '', stderr: '', code: 0, output: '' };
  const io: ProgramIO = {
    stdin: TERMINAL_INPUT,
    stdout: (text) => {
      result.stdout += text;
      result.output += text;
    },
    stderr: (text) => {
      result.stderr += text;
      result.output += text;
    },
    signal: new AbortController().signal,
  };
  const host: HostContext = {
    hostname: 'host2',
    kernel,
    netns,
    clock: new ManualClock(),
    fs: {} as FileSystem,
    exec: (argv, execIo, ns) => execProgram(argv, execIo, { ...host, netns: ns }),
  };
  result.code = await execProgram(line.split(/\s+/).filter(Boolean), io, host);
  return result;
}

async function execProgram(argv: string[], io: ProgramIO, host: HostContext): Promise<number> {
  const program = PROGRAMS[argv[0] ?? ''];
  if (program === undefined) {
    io.stderr(`exec of "${argv[0] ?? ''}" failed: No such file or directory\n`);
    return 255;
  }
  return program(argv, io, host);
}

export function readGolden(name: string): string {
  return readFileSync(
    new URL(`../../../../../tests/golden/linux/${name}`, import.meta.url),
    'utf8',
  );
}

/** `# CMD (host2)` sections of a tables-*.txt golden, in order. */
export function tableSections(text: string): { cmd: string; output: string }[] {
  const sections: { cmd: string; output: string }[] = [];
  for (const line of text.split('\n')) {
    const header = /^# (.*) \(host2\)$/.exec(line);
    if (header) sections.push({ cmd: header[1] ?? '', output: '' });
    else if (sections.length > 0 && line !== '') {
      const last = sections[sections.length - 1];
      if (last) last.output += `${line}\n`;
    }
  }
  return sections;
}

/** `$ CMD` ... `[exit N]` steps of a transcript golden, in order. */
export function transcript(text: string): { cmd: string; output: string; code: number }[] {
  const steps: { cmd: string; output: string; code: number }[] = [];
  let current: { cmd: string; output: string; code: number } | null = null;
  for (const line of text.split('\n')) {
    const start = /^\$ (.*)$/.exec(line);
    const end = /^\[exit (\d+)\]$/.exec(line);
    if (start) current = { cmd: start[1] ?? '', output: '', code: -1 };
    else if (end && current) {
      current.code = Number(end[1]);
      steps.push(current);
      current = null;
    } else if (current) current.output += `${line}\n`;
  }
  return steps;
}

/**
 * Masks what is random or timing-dependent on a real machine: the bridge timers that count
 * down (gc_timer, forward_delay_timer). MACs are not masked: golden hosts use the goldens' own.
 */
export function maskTimers(text: string): string {
  return text
    .replace(/(gc_timer|forward_delay_timer) +[\d.]+/g, '$1 <t>')
    .replace(/"(gc_timer|forward_delay_timer)":[\d.]+/g, '"$1":<t>');
}
