// A tiny systemd for one host: units whose ExecStart is an async daemon, their state as
// `systemctl status` reports it, and a journal of what they and systemd logged.

import { abortError } from './clock.ts';
import type { LabClock } from './clock.ts';

export interface JournalEntry {
  /** Lab-clock ms. */
  time: number;
  hostname: string;
  /** syslog identifier: 'flanneld', 'systemd'. */
  ident: string;
  pid: number;
  /** The unit the entry belongs to ('flanneld.service'). */
  unit: string;
  message: string;
}

export class Journal {
  readonly entries: JournalEntry[] = [];
  private readonly listeners = new Set<(e: JournalEntry) => void>();

  append(entry: JournalEntry): void {
    this.entries.push(entry);
    for (const fn of this.listeners) fn(entry);
  }

  subscribe(fn: (e: JournalEntry) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const pad = (n: number) => String(n).padStart(2, '0');

/** journalctl's short format: 'Nov 23 08:10:00 node2 flanneld[1234]: message'. */
export function formatJournalEntry(e: JournalEntry): string {
  const d = new Date(Math.floor(e.time));
  const stamp = `${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return `${stamp} ${e.hostname} ${e.ident}[${e.pid}]: ${e.message}`;
}

/** 'Mon 2026-11-23 08:10:00 UTC', as systemctl prints timestamps. */
export function formatSystemdTime(ms: number): string {
  const d = new Date(Math.floor(ms));
  return `${DAYS[d.getUTCDay()]} ${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC`;
}

/** systemd's format_timespan at second accuracy: '3s', '2min 5s', '1h 4min', '2d 3h'. */
export function formatTimespan(ms: number): string {
  let s = Math.max(0, Math.floor(ms / 1000));
  const units: [string, number][] = [
    ['d', 86400],
    ['h', 3600],
    ['min', 60],
    ['s', 1],
  ];
  const parts: string[] = [];
  for (const [name, size] of units) {
    if (s >= size && parts.length < 2) {
      parts.push(`${Math.floor(s / size)}${name}`);
      s %= size;
    } else if (parts.length > 0) break;
  }
  return parts.length > 0 ? parts.join(' ') : `${Math.floor(ms)}ms`;
}

/** What a unit's ExecStart gives back: a running daemon. */
export interface Daemon {
  stop(): void;
  readonly exited: Promise<number>;
}

export interface DaemonIO {
  pid: number;
  /** A line for the journal (the daemon's stderr). */
  log(line: string): void;
  /** A stdout line (also journaled). */
  stdout(line: string): void;
  /** sd_notify(3): newline-separated assignments; 'READY=1' ends a notify unit's start-up. */
  notify(state: string): void;
}

/** systemd's `Type=`: a simple unit is up once forked, a notify unit once it sends READY=1. */
export type UnitType = 'simple' | 'notify';

export interface UnitSpec {
  /** 'flanneld' (the '.service' suffix is added). */
  name: string;
  description: string;
  /** The command line shown by `systemctl status` (CGroup / Process lines). */
  execStart: string[];
  run(io: DaemonIO): Daemon;
  /** `Type=`; 'simple' unless told. */
  type?: UnitType;
  /** `Restart=on-failure` with this `RestartSec=` (ms): a failed process is started again. */
  restartOnFailureMs?: number;
}

export type ActiveState = 'active' | 'activating' | 'inactive' | 'failed';
/** The service's sub-state, the word in parentheses after `Active:`. */
export type SubState = 'running' | 'start' | 'auto-restart' | 'dead' | 'failed';
/** systemd's `Result=`: why the last run ended. */
export type UnitResult = 'success' | 'exit-code' | 'protocol' | 'signal';

export interface UnitStatus {
  spec: UnitSpec;
  state: ActiveState;
  subState: SubState;
  /** When the current state was entered. */
  since: number;
  pid: number;
  /** Set once the main process exited. */
  exitCode?: number;
  result: UnitResult;
  startedAt: number;
  /** When the unit last became active and last stopped being active (for `Duration:`). */
  activeEnterAt?: number;
  activeExitAt?: number;
}

export class ServiceManager {
  private readonly units = new Map<string, UnitStatus>();
  private readonly daemons = new Map<string, Daemon>();
  /** Units being stopped by `stop()`, which reports their exit itself. */
  private readonly stopping = new Set<string>();
  /** Units in `systemctl restart`: waiters do not give up while they pass through 'inactive'. */
  private readonly restartingByHand = new Set<string>();
  /** Pending `Restart=` timers, cancelled by a manual start or stop. */
  private readonly restartTimers = new Map<string, () => void>();
  /** systemd's per-unit restart counter. */
  private readonly restarts = new Map<string, number>();
  private readonly listeners = new Set<() => void>();
  private nextPid: number;

  constructor(
    private readonly clock: LabClock,
    private readonly hostname: string,
    readonly journal: Journal,
    firstPid = 1200,
  ) {
    this.nextPid = firstPid;
  }

  static unitName(name: string): string {
    return name.endsWith('.service') ? name : `${name}.service`;
  }

  define(spec: UnitSpec): void {
    this.units.set(ServiceManager.unitName(spec.name), {
      spec,
      state: 'inactive',
      subState: 'dead',
      since: this.clock.now(),
      pid: 0,
      result: 'success',
      startedAt: 0,
    });
  }

  /** Every defined unit, in the order they were defined (ps lists their processes). */
  list(): UnitStatus[] {
    return [...this.units.values()];
  }

  status(name: string): UnitStatus | undefined {
    return this.units.get(ServiceManager.unitName(name));
  }

  /** Calls `fn` after every state change of any unit; returns the unsubscribe function. */
  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * Resolves true once the unit is active (a notify unit: once it sent READY=1). It keeps
   * waiting while the unit starts or waits to be restarted (`throughRestarts: false` gives up at
   * the first failure instead), and resolves false when the unit is not running and will not
   * run again on its own: stopped by hand, exited, failed without `Restart=`, or unknown.
   * Rejects with an AbortError when `signal` fires first.
   */
  whenActive(
    name: string,
    signal?: AbortSignal,
    opts: { throughRestarts?: boolean } = {},
  ): Promise<boolean> {
    const unit = ServiceManager.unitName(name);
    const st = this.units.get(unit);
    if (!st) return Promise.resolve(false);
    const throughRestarts = opts.throughRestarts ?? true;
    return new Promise<boolean>((resolve, reject) => {
      if (signal?.aborted) return reject(abortError());
      const verdict = (): boolean | undefined => {
        if (st.state === 'active') return true;
        if (this.restartingByHand.has(unit)) return undefined;
        if (st.state === 'activating' && (st.subState === 'start' || throughRestarts))
          return undefined;
        return false;
      };
      const finish = (settle: () => void) => {
        unsubscribe();
        signal?.removeEventListener('abort', onAbort);
        settle();
      };
      const check = () => {
        const v = verdict();
        if (v !== undefined) finish(() => resolve(v));
      };
      const onAbort = () => finish(() => reject(abortError()));
      const unsubscribe = this.subscribe(check);
      signal?.addEventListener('abort', onAbort, { once: true });
      check();
    });
  }

  private changed(): void {
    for (const fn of [...this.listeners]) fn();
  }

  private systemd(unit: string, message: string): void {
    this.journal.append({
      time: this.clock.now(),
      hostname: this.hostname,
      ident: 'systemd',
      pid: 1,
      unit,
      message,
    });
  }

  private enter(st: UnitStatus, state: ActiveState, subState: SubState): void {
    const now = this.clock.now();
    if (state === 'active' && st.state !== 'active') st.activeEnterAt = now;
    if (state !== 'active' && st.state === 'active') st.activeExitAt = now;
    st.state = state;
    st.subState = subState;
    st.since = now;
  }

  /** Starts the unit (no-op when running or starting). False when there is no such unit. */
  start(name: string): boolean {
    const unit = ServiceManager.unitName(name);
    const st = this.units.get(unit);
    if (!st) return false;
    if (st.state === 'active' || (st.state === 'activating' && st.subState === 'start'))
      return true;
    this.restartTimers.get(unit)?.();
    this.restartTimers.delete(unit);
    const pid = this.nextPid++;
    const entry = (message: string) =>
      this.journal.append({
        time: this.clock.now(),
        hostname: this.hostname,
        ident: st.spec.name,
        pid,
        unit,
        message,
      });
    const notify = st.spec.type === 'notify';
    Object.assign(st, { startedAt: this.clock.now(), pid, exitCode: undefined, result: 'success' });
    const title = `${unit} - ${st.spec.description}`;
    if (notify) {
      this.enter(st, 'activating', 'start');
      this.systemd(unit, `Starting ${title}...`);
    } else {
      this.enter(st, 'active', 'running');
      this.systemd(unit, `Started ${title}.`);
    }
    const daemon = st.spec.run({
      pid,
      log: entry,
      stdout: entry,
      notify: (state) => this.onNotify(unit, pid, state),
    });
    this.daemons.set(unit, daemon);
    void daemon.exited.then((code) => this.onExit(unit, pid, code));
    this.changed();
    return true;
  }

  /** sd_notify from the unit's main process. Only READY=1 changes anything here. */
  private onNotify(unit: string, pid: number, state: string): void {
    const st = this.units.get(unit);
    if (!st || st.pid !== pid || st.state !== 'activating' || st.subState !== 'start') return;
    if (!state.split('\n').includes('READY=1')) return;
    this.enter(st, 'active', 'running');
    this.systemd(unit, `Started ${unit} - ${st.spec.description}.`);
    this.changed();
  }

  private onExit(unit: string, pid: number, code: number): void {
    const st = this.units.get(unit);
    if (!st || st.pid !== pid || this.stopping.has(unit)) return;
    const starting = st.state === 'activating' && st.subState === 'start';
    if (st.state !== 'active' && !starting) return;
    this.daemons.delete(unit);
    st.exitCode = code;
    // A notify unit that exits before READY=1 broke the protocol, even with status 0.
    st.result = code !== 0 ? 'exit-code' : starting ? 'protocol' : 'success';
    if (st.result === 'success') {
      this.enter(st, 'inactive', 'dead');
      this.systemd(unit, `${unit}: Deactivated successfully.`);
      this.changed();
      return;
    }
    if (code !== 0)
      this.systemd(unit, `${unit}: Main process exited, code=exited, status=${code}/FAILURE`);
    this.failed(unit, st, pid);
  }

  /** The run failed (st.result says how): Restart=on-failure schedules the next. */
  private failed(unit: string, st: UnitStatus, pid: number): void {
    this.systemd(unit, `${unit}: Failed with result '${st.result}'.`);
    const delay = st.spec.restartOnFailureMs;
    if (delay === undefined) {
      this.enter(st, 'failed', 'failed');
      this.changed();
      return;
    }
    // Restart=on-failure: systemd 252 shows 'activating (auto-restart)' until RestartSec passes.
    this.enter(st, 'activating', 'auto-restart');
    this.restartTimers.set(
      unit,
      this.clock.setTimer(delay, () => {
        this.restartTimers.delete(unit);
        if (st.subState !== 'auto-restart' || st.pid !== pid) return;
        this.restarts.set(unit, (this.restarts.get(unit) ?? 0) + 1);
        this.systemd(
          unit,
          `${unit}: Scheduled restart job, restart counter is at ${this.restarts.get(unit)}.`,
        );
        this.systemd(unit, `Stopped ${unit} - ${st.spec.description}.`);
        this.start(unit);
      }),
    );
    this.changed();
  }

  /** The unit whose main process has this PID, while it runs. */
  unitByPid(pid: number): string | undefined {
    for (const [unit, st] of this.units) if (st.pid === pid && this.daemons.has(unit)) return unit;
    return undefined;
  }

  /**
   * A signal to the unit's main process (`systemctl kill`, `kill PID`). SIGTERM ends a daemon
   * cleanly (systemd's EXIT_CLEAN_DAEMON: no restart, the unit is dead); SIGKILL is a failure
   * with result 'signal', which Restart=on-failure restarts. False when nothing runs.
   */
  kill(name: string, signal: 'TERM' | 'KILL'): boolean {
    const unit = ServiceManager.unitName(name);
    const st = this.units.get(unit);
    const daemon = this.daemons.get(unit);
    if (!st || !daemon) return false;
    const pid = st.pid;
    this.daemons.delete(unit);
    this.stopping.add(unit);
    daemon.stop();
    void daemon.exited.then(() => {
      this.stopping.delete(unit);
      if (st.pid !== pid) return;
      if (signal === 'TERM') {
        st.result = 'success';
        this.enter(st, 'inactive', 'dead');
        this.systemd(unit, `${unit}: Deactivated successfully.`);
      } else {
        st.result = 'signal';
        this.systemd(unit, `${unit}: Main process exited, code=killed, status=9/KILL`);
        this.failed(unit, st, pid);
      }
      this.changed();
    });
    return true;
  }

  /** Stops the unit and waits for its process to exit. False when there is no such unit. */
  async stop(name: string): Promise<boolean> {
    const unit = ServiceManager.unitName(name);
    const st = this.units.get(unit);
    if (!st) return false;
    if (st.subState === 'auto-restart') {
      // Cancels the pending restart; the unit is dead, with the failed run's result.
      this.restartTimers.get(unit)?.();
      this.restartTimers.delete(unit);
      this.enter(st, 'inactive', 'dead');
      this.systemd(unit, `Stopped ${unit} - ${st.spec.description}.`);
      this.changed();
      return true;
    }
    const daemon = this.daemons.get(unit);
    if (!daemon || (st.state !== 'active' && st.state !== 'activating')) return true;
    this.systemd(unit, `Stopping ${unit} - ${st.spec.description}...`);
    this.daemons.delete(unit);
    this.stopping.add(unit);
    daemon.stop();
    const code = await daemon.exited;
    this.stopping.delete(unit);
    st.exitCode = code;
    this.enter(st, 'inactive', 'dead');
    this.systemd(unit, `${unit}: Deactivated successfully.`);
    this.systemd(unit, `Stopped ${unit} - ${st.spec.description}.`);
    this.changed();
    return true;
  }

  async restart(name: string): Promise<boolean> {
    const unit = ServiceManager.unitName(name);
    this.restartingByHand.add(unit);
    try {
      if (!(await this.stop(name))) return false;
    } finally {
      this.restartingByHand.delete(unit);
    }
    return this.start(name);
  }
}
