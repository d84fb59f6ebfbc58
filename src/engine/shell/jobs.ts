// The job table of an interactive shell: `cmd &` starts a job that runs while the prompt
// answers; `jobs`, `fg`, `kill %N` and `wait` act on it, and the shell reports a finished job
// before the next prompt (`[1]+  Done                    sleep 1`), as bash's notices do.
//
// A job is the same run as a foreground line, not awaited, with its own AbortController (Ctrl-C
// reaches only the foreground line). `kill` stops it as SIGTERM does: the program is gone, so
// nothing it would print on its way out (ping's summary) reaches the terminal.
//
// Ctrl-Z stops the foreground line (`runForeground`): it becomes a job marked Stopped and the
// prompt returns. A stopped job's timers wait (its clock, `jobClock`, holds what falls due) and
// what it writes is held, until `fg` or `bg` continues it, as SIGSTOP freezes a process.

import type { LabClock } from '../os/clock.ts';
import { textInput } from '../os/pipe.ts';
import type { ProgramIO } from '../programs/types.ts';

export interface Job {
  /** `%1`: the job number bash prints in brackets. */
  id: number;
  pid: number;
  /** The command as `jobs` prints it. */
  text: string;
  /** Aborted by `kill` (and by Ctrl-C while `fg` waits for it). */
  abort: AbortController;
  /** Resolves to the job's exit status. */
  done: Promise<number>;
  /** Set once it has exited: 'Done', 'Exit N', 'Terminated', 'Killed'. */
  finished?: string;
  status?: number;
  /** Set by `kill`: the signal's name for `jobs` ('Terminated'). */
  killedBy?: string;
  /** The line (JobTable.lines) from which its exit may be reported. */
  reportFrom: number;
  /** Set while Ctrl-Z has it stopped: what fell due meanwhile waits here. */
  held?: (() => void)[];
  /** Not in the table yet: the foreground line, until Ctrl-Z makes it a job. */
  foreground?: boolean;
}

/** `sh -c` and bash's status for a job stopped by SIGTSTP (128 + 20). */
export const STATUS_STOPPED = 148;

/** Width of the status column of `jobs` (bash pads "Running" to 24 columns). */
const STATUS_WIDTH = 24;

export class JobTable {
  private readonly jobs: Job[] = [];
  /** Job ids, the most recent (bash's current job, `+`) last. */
  private readonly order: number[] = [];
  private nextPid: number;
  /** Lines the shell has run: a job killed on line N is reported after line N+1, as bash does. */
  lines = 0;
  /** `$!`: the PID of the last job started in the background (or sent there with `bg`). */
  lastPid?: number;
  /** The foreground line and how to stop it, while one runs. */
  private current?: { job: Job; stopped: () => void };

  constructor(firstPid = 1400) {
    this.nextPid = firstPid;
  }

  /** Starts `run` as a job; its output goes through io, stopped once the job is killed. */
  start(text: string, io: ProgramIO, run: (io: ProgramIO, job: Job) => Promise<number>): Job {
    const job = this.launch(text, { ...io, stdin: textInput('') }, run, new AbortController());
    job.pid = this.nextPid++;
    this.add(job);
    this.lastPid = job.pid;
    return job;
  }

  /**
   * Runs a foreground line as a job that is not listed: resolves to its status, or to 148 once
   * Ctrl-Z (`stopForeground`) has stopped it and listed it (`[1]+  Stopped  sleep 100`).
   * Ctrl-C (io.signal) still reaches it, then and after.
   */
  runForeground(
    text: string,
    io: ProgramIO,
    run: (io: ProgramIO, job: Job) => Promise<number>,
  ): Promise<number> {
    const abort = new AbortController();
    const job = this.launch(text, io, run, abort, AbortSignal.any([io.signal, abort.signal]));
    job.foreground = true;
    return new Promise<number>((resolve) => {
      this.current = {
        job,
        stopped: () => {
          job.foreground = false;
          job.pid = this.nextPid++;
          this.add(job);
          io.stderr(`\n${this.format(job)}`);
          resolve(STATUS_STOPPED);
        },
      };
      void job.done.then((status) => {
        if (job.foreground) resolve(status);
      });
    }).finally(() => (this.current = undefined));
  }

  /** Ctrl-Z: stops the foreground line, or the job `fg` waits for; false when none runs. */
  stopForeground(): boolean {
    if (this.waited) {
      this.waited.stop();
      return true;
    }
    if (!this.current) return false;
    this.stop(this.current.job);
    this.current.stopped();
    return true;
  }

  /** The job `fg` waits for, and how Ctrl-Z ends that wait. */
  private waited?: { job: Job; stop: () => void };

  /**
   * `fg`: continues the job and waits for it as a foreground one, Ctrl-C passed on to it (ping
   * then sums up). Resolves to its status, or to 148 when Ctrl-Z stops it again.
   */
  async foreground(job: Job, io: ProgramIO): Promise<number> {
    const interrupt = () => job.abort.abort();
    if (io.signal.aborted) interrupt();
    io.signal.addEventListener('abort', interrupt, { once: true });
    this.resume(job);
    const stopped = new Promise<number>((resolve) => {
      this.waited = {
        job,
        stop: () => {
          this.stop(job);
          this.order.splice(this.order.indexOf(job.id), 1);
          this.order.push(job.id);
          io.stderr(`\n${this.format(job)}`);
          resolve(STATUS_STOPPED);
        },
      };
    });
    try {
      const status = await Promise.race([job.done, stopped]);
      if (!job.held) this.remove(job);
      return status;
    } finally {
      this.waited = undefined;
      io.signal.removeEventListener('abort', interrupt);
    }
  }

  private launch(
    text: string,
    io: ProgramIO,
    run: (io: ProgramIO, job: Job) => Promise<number>,
    abort: AbortController,
    signal = abort.signal,
  ): Job {
    const job: Job = { id: 0, pid: 0, text, abort, done: null!, reportFrom: 0 };
    const alive =
      <T extends unknown[]>(write: (...a: T) => void) =>
      (...a: T) => {
        if (job.killedBy) return;
        if (job.held) job.held.push(() => write(...a));
        else write(...a);
      };
    const jobIo: ProgramIO = {
      ...io,
      stdout: alive(io.stdout),
      stderr: alive(io.stderr),
      signal,
    };
    job.done = run(jobIo, job).then(
      (status) => this.exited(job, status),
      (err: unknown) => {
        jobIo.stderr(`bash: ${err instanceof Error ? err.message : String(err)}\n`);
        return this.exited(job, 1);
      },
    );
    return job;
  }

  private add(job: Job): void {
    job.id = Math.max(0, ...this.jobs.map((j) => j.id)) + 1;
    this.jobs.push(job);
    this.order.push(job.id);
  }

  /** Stops a job as SIGTSTP does: its timers and output wait from now on. */
  stop(job: Job): void {
    if (!job.finished) job.held ??= [];
  }

  /** SIGCONT (`fg`, `bg`): what waited runs, in order, and the job goes on. */
  resume(job: Job): void {
    const held = job.held;
    job.held = undefined;
    for (const fn of held ?? []) fn();
  }

  private exited(job: Job, status: number): number {
    job.finished = job.killedBy ?? (status === 0 ? 'Done' : `Exit ${status}`);
    job.status = job.killedBy === 'Killed' ? 137 : job.killedBy ? 143 : status;
    return job.status;
  }

  /** `%1`, `%%`, `%+`, `%-`, `%ping` (a command's start) or a bare number; undefined if none. */
  find(spec: string): Job | undefined {
    const s = spec.replace(/^%/, '');
    if (s === '' || s === '%' || s === '+') return this.byId(this.order.at(-1));
    if (s === '-') return this.byId(this.order.at(-2));
    if (/^\d+$/.test(s)) return this.byId(Number(s));
    return [...this.jobs].reverse().find((j) => j.text.startsWith(s));
  }

  private byId(id: number | undefined): Job | undefined {
    return this.jobs.find((j) => j.id === id);
  }

  byPid(pid: number): Job | undefined {
    return this.jobs.find((j) => j.pid === pid);
  }

  all(): readonly Job[] {
    return this.jobs;
  }

  /** Stops a job as `kill` does: SIGTERM ('Terminated') or SIGKILL ('Killed'). */
  kill(job: Job, how: 'Terminated' | 'Killed'): void {
    if (job.finished) return;
    job.killedBy = how;
    job.reportFrom = this.lines + 1;
    job.abort.abort();
    // A stopped job gets SIGCONT with the signal, so it runs to its end.
    this.resume(job);
  }

  /** The login shell exits: its stopped jobs get SIGHUP (and SIGCONT) and are gone. */
  hangUpStopped(): void {
    for (const job of this.jobs.filter((j) => j.held && !j.finished)) {
      this.kill(job, 'Terminated');
      this.remove(job);
    }
  }

  /** Takes a job off the table (`fg` waited for it, or its exit was reported). */
  remove(job: Job): void {
    this.jobs.splice(this.jobs.indexOf(job), 1);
    this.order.splice(this.order.indexOf(job.id), 1);
  }

  /** bash's line for a job: `[1]+  Running                 sleep 100 &`. */
  format(job: Job): string {
    const mark = job.id === this.order.at(-1) ? '+' : job.id === this.order.at(-2) ? '-' : ' ';
    const state = job.finished ?? (job.held ? 'Stopped' : 'Running');
    const text = job.finished || job.held ? job.text : `${job.text} &`;
    return `[${job.id}]${mark}  ${state.padEnd(STATUS_WIDTH)}${text}\n`;
  }

  /** The lines `jobs` prints; the finished jobs it lists are reported, so they go. */
  list(): string {
    const out = this.jobs.map((j) => this.format(j)).join('');
    for (const j of this.jobs.filter((j) => j.finished)) this.remove(j);
    return out;
  }

  /** What the shell prints before the next prompt: the jobs that finished, then forgets them. */
  notices(): string {
    const ready = this.jobs.filter((j) => j.finished && this.lines >= j.reportFrom);
    const out = ready.map((j) => this.format(j)).join('');
    for (const j of ready) this.remove(j);
    return out;
  }
}

/**
 * The clock as a job's programs see it: a timer that falls due while the job is stopped fires
 * when it is continued (a stopped `sleep 100` does not end; continued late, it ends at once).
 */
export function jobClock(clock: LabClock, job: Job): LabClock {
  // A job started from a line gets the host's clock, not the line's: Ctrl-Z stops only the line.
  const base = BASE_CLOCK.get(clock) ?? clock;
  const whenRunning = (fn: () => void) => () => {
    if (job.held) job.held.push(fn);
    else fn();
  };
  const wrapped: LabClock = {
    now: () => base.now(),
    setTimer: (ms, fn, opts) => {
      let cancelled = false;
      const cancel = base.setTimer(
        ms,
        whenRunning(() => {
          if (!cancelled) fn();
        }),
        opts,
      );
      return () => {
        cancelled = true;
        cancel();
      };
    },
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        base.sleep(ms, signal).then(whenRunning(resolve), reject);
      }),
  };
  BASE_CLOCK.set(wrapped, base);
  return wrapped;
}

const BASE_CLOCK = new WeakMap<LabClock, LabClock>();
