// The job table of an interactive shell: `cmd &` starts a job that runs while the prompt
// answers; `jobs`, `fg`, `kill %N` and `wait` act on it, and the shell reports a finished job
// before the next prompt (`[1]+  Done                    sleep 1`), as bash's notices do.
//
// A job is the same run as a foreground line, not awaited, with its own AbortController (Ctrl-C
// reaches only the foreground line). `kill` stops it as SIGTERM does: the program is gone, so
// nothing it would print on its way out (ping's summary) reaches the terminal.

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
}

/** Width of the status column of `jobs` (bash pads "Running" to 24 columns). */
const STATUS_WIDTH = 24;

export class JobTable {
  private readonly jobs: Job[] = [];
  /** Job ids, the most recent (bash's current job, `+`) last. */
  private readonly order: number[] = [];
  private nextPid: number;
  /** Lines the shell has run: a job killed on line N is reported after line N+1, as bash does. */
  lines = 0;

  constructor(firstPid = 1400) {
    this.nextPid = firstPid;
  }

  /** Starts `run` as a job; its output goes through io, stopped once the job is killed. */
  start(text: string, io: ProgramIO, run: (io: ProgramIO) => Promise<number>): Job {
    const id = Math.max(0, ...this.jobs.map((j) => j.id)) + 1;
    const abort = new AbortController();
    const job: Job = { id, pid: this.nextPid++, text, abort, done: null!, reportFrom: 0 };
    const alive =
      <T extends unknown[]>(write: (...a: T) => void) =>
      (...a: T) => {
        if (!job.killedBy) write(...a);
      };
    const jobIo: ProgramIO = {
      ...io,
      stdin: textInput(''),
      stdout: alive(io.stdout),
      stderr: alive(io.stderr),
      signal: abort.signal,
    };
    job.done = run(jobIo).then(
      (status) => this.exited(job, status),
      (err: unknown) => {
        jobIo.stderr(`bash: ${err instanceof Error ? err.message : String(err)}\n`);
        return this.exited(job, 1);
      },
    );
    this.jobs.push(job);
    this.order.push(id);
    return job;
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
  }

  /** Takes a job off the table (`fg` waited for it, or its exit was reported). */
  remove(job: Job): void {
    this.jobs.splice(this.jobs.indexOf(job), 1);
    this.order.splice(this.order.indexOf(job.id), 1);
  }

  /** bash's line for a job: `[1]+  Running                 sleep 100 &`. */
  format(job: Job): string {
    const mark = job.id === this.order.at(-1) ? '+' : job.id === this.order.at(-2) ? '-' : ' ';
    const state = job.finished ?? 'Running';
    const text = job.finished ? job.text : `${job.text} &`;
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
