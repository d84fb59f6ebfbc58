// The job-control builtins (`jobs`, `fg`, `bg`, `kill`, `wait`), with bash 5.2's messages.
// The job table itself is jobs.ts.

import type { ProgramIO } from '../programs/types.ts';
import type { Builtin, BuiltinContext } from './builtins.ts';
import type { Job } from './jobs.ts';
import { shellError } from './state.ts';
import { STATUS_INTERRUPTED } from './interpreter.ts';

const KILL_USAGE =
  'kill: usage: kill [-s sigspec | -n signum | -sigspec] pid | jobspec ... or kill -l [sigspec]\n';

/** `wait`: the job's status, or undefined once Ctrl-C stops the waiting (the job runs on). */
async function waitFor(job: Job, io: ProgramIO): Promise<number | undefined> {
  if (io.signal.aborted) return undefined;
  let stop = () => {};
  const interrupted = new Promise<undefined>((resolve) => (stop = () => resolve(undefined)));
  io.signal.addEventListener('abort', stop, { once: true });
  try {
    return await Promise.race([job.done, interrupted]);
  } finally {
    io.signal.removeEventListener('abort', stop);
  }
}

function jobs(_argv: string[], io: ProgramIO, { state }: BuiltinContext): number {
  io.stdout(state.jobs.list());
  return 0;
}

/** `fg [%N]`: prints the command and waits for it; Ctrl-C now reaches it. */
async function fg(argv: string[], io: ProgramIO, { state }: BuiltinContext): Promise<number> {
  const spec = argv[1];
  const job = state.jobs.find(spec ?? '%+');
  if (!job) {
    shellError(io, state, `fg: ${spec ?? 'current'}: no such job`);
    return 1;
  }
  io.stdout(`${job.text}\n`);
  return state.jobs.foreground(job, io);
}

/** `bg [%N]`: continues a stopped job in the background (`[1]+ sleep 100 &`). */
function bg(argv: string[], io: ProgramIO, { state }: BuiltinContext): number {
  const spec = argv[1];
  const job = state.jobs.find(spec ?? '%+');
  if (!job) {
    shellError(io, state, `bg: ${spec ?? 'current'}: no such job`);
    return 1;
  }
  if (!job.held) {
    shellError(io, state, `bg: job ${job.id} already in background`);
    return 0;
  }
  state.jobs.resume(job);
  io.stdout(state.jobs.format(job).replace(/^(\[\d+\][-+ ]) +Running +/, '$1 '));
  state.jobs.lastPid = job.pid;
  return 0;
}

/** `kill [-9|-KILL|-s SIG] %N|PID...`: SIGTERM by default. */
function kill(argv: string[], io: ProgramIO, { state, host }: BuiltinContext): number {
  const args = argv.slice(1);
  let how: 'Terminated' | 'Killed' = 'Terminated';
  if (args[0] === '-s' || args[0] === '-n') args.splice(0, 2, `-${args[1] ?? ''}`);
  if (args[0]?.startsWith('-') && args[0] !== '-') {
    const sig = args.shift()!.slice(1).toUpperCase().replace(/^SIG/, '');
    if (sig === '9' || sig === 'KILL') how = 'Killed';
    else if (sig !== '15' && sig !== 'TERM') {
      shellError(io, state, `kill: ${sig}: invalid signal specification`);
      return 1;
    }
  }
  if (args.length === 0) {
    io.stderr(KILL_USAGE);
    return 2;
  }
  let status = 0;
  for (const arg of args) {
    const job = arg.startsWith('%')
      ? state.jobs.find(arg)
      : /^\d+$/.test(arg)
        ? state.jobs.byPid(Number(arg))
        : undefined;
    const unit = job || !/^\d+$/.test(arg) ? undefined : host.services?.unitByPid(Number(arg));
    if (job) state.jobs.kill(job, how);
    else if (unit) host.services!.kill(unit, how === 'Killed' ? 'KILL' : 'TERM');
    else {
      status = 1;
      if (arg.startsWith('%')) shellError(io, state, `kill: ${arg}: no such job`);
      else if (/^\d+$/.test(arg)) shellError(io, state, `kill: (${arg}) - No such process`);
      else shellError(io, state, `kill: ${arg}: arguments must be process or job IDs`);
    }
  }
  return status;
}

/** `wait [%N|PID...]`: waits for the jobs named (all without arguments); Ctrl-C stops it. */
async function wait(argv: string[], io: ProgramIO, { state }: BuiltinContext): Promise<number> {
  const specs = argv.slice(1);
  if (specs.length === 0) {
    for (const job of [...state.jobs.all()]) {
      if ((await waitFor(job, io)) === undefined) return STATUS_INTERRUPTED;
    }
    return 0;
  }
  let status = 0;
  for (const spec of specs) {
    const job = spec.startsWith('%') ? state.jobs.find(spec) : state.jobs.byPid(Number(spec));
    if (!job) {
      if (spec.startsWith('%')) shellError(io, state, `wait: ${spec}: no such job`);
      else shellError(io, state, `wait: pid ${spec} is not a child of this shell`);
      status = 127;
      continue;
    }
    const s = await waitFor(job, io);
    if (s === undefined) return STATUS_INTERRUPTED;
    status = s;
  }
  return status;
}

export const JOB_BUILTINS: [string, Builtin][] = [
  ['bg', { run: bg, summary: 'move jobs to the background' }],
  ['fg', { run: fg, summary: 'move job to the foreground' }],
  ['jobs', { run: jobs, summary: 'display status of jobs' }],
  ['kill', { run: kill, summary: 'send a signal to a job' }],
  ['wait', { run: wait, summary: 'wait for job completion and return exit status' }],
];
