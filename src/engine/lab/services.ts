// A tiny systemd for one host: units whose ExecStart is an async daemon, their state as
// `systemctl status` reports it, and a journal of what they and systemd logged.

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
}

export interface UnitSpec {
  /** 'flanneld' (the '.service' suffix is added). */
  name: string;
  description: string;
  /** The command line shown by `systemctl status` (CGroup / Process lines). */
  execStart: string[];
  run(io: DaemonIO): Daemon;
  /** `Restart=on-failure` with this `RestartSec=` (ms): a failed process is started again. */
  restartOnFailureMs?: number;
}

export type ActiveState = 'active' | 'inactive' | 'failed';

export interface UnitStatus {
  spec: UnitSpec;
  state: ActiveState;
  /** When the current state was entered. */
  since: number;
  pid: number;
  /** Set once the main process exited. */
  exitCode?: number;
  startedAt: number;
}

export class ServiceManager {
  private readonly units = new Map<string, UnitStatus>();
  private readonly daemons = new Map<string, Daemon>();
  /** Units being stopped by `stop()`, which reports their exit itself. */
  private readonly stopping = new Set<string>();
  /** systemd's per-unit restart counter. */
  private readonly restarts = new Map<string, number>();
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
      since: this.clock.now(),
      pid: 0,
      startedAt: 0,
    });
  }

  status(name: string): UnitStatus | undefined {
    return this.units.get(ServiceManager.unitName(name));
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

  /** Starts the unit (no-op when running). False when there is no such unit. */
  start(name: string): boolean {
    const unit = ServiceManager.unitName(name);
    const st = this.units.get(unit);
    if (!st) return false;
    if (st.state === 'active') return true;
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
    Object.assign(st, {
      state: 'active',
      since: this.clock.now(),
      startedAt: this.clock.now(),
      pid,
      exitCode: undefined,
    });
    this.systemd(unit, `Started ${unit} - ${st.spec.description}.`);
    const daemon = st.spec.run({ pid, log: entry, stdout: entry });
    this.daemons.set(unit, daemon);
    void daemon.exited.then((code) => this.onExit(unit, pid, code));
    return true;
  }

  private onExit(unit: string, pid: number, code: number): void {
    const st = this.units.get(unit);
    if (!st || st.pid !== pid || st.state !== 'active' || this.stopping.has(unit)) return;
    this.daemons.delete(unit);
    st.exitCode = code;
    st.since = this.clock.now();
    if (code === 0) {
      st.state = 'inactive';
      this.systemd(unit, `${unit}: Deactivated successfully.`);
    } else {
      st.state = 'failed';
      this.systemd(unit, `${unit}: Main process exited, code=exited, status=${code}/FAILURE`);
      this.systemd(unit, `${unit}: Failed with result 'exit-code'.`);
      const delay = st.spec.restartOnFailureMs;
      if (delay !== undefined) {
        this.clock.setTimer(delay, () => {
          // Unless someone started or stopped it meanwhile, as systemd's restart job would.
          if (st.state !== 'failed' || st.pid !== pid) return;
          this.restarts.set(unit, (this.restarts.get(unit) ?? 0) + 1);
          this.systemd(
            unit,
            `${unit}: Scheduled restart job, restart counter is at ${this.restarts.get(unit)}.`,
          );
          this.start(unit);
        });
      }
    }
  }

  /** Stops the unit and waits for its process to exit. False when there is no such unit. */
  async stop(name: string): Promise<boolean> {
    const unit = ServiceManager.unitName(name);
    const st = this.units.get(unit);
    if (!st) return false;
    const daemon = this.daemons.get(unit);
    if (!daemon || st.state !== 'active') return true;
    this.systemd(unit, `Stopping ${unit} - ${st.spec.description}...`);
    this.daemons.delete(unit);
    this.stopping.add(unit);
    daemon.stop();
    const code = await daemon.exited;
    this.stopping.delete(unit);
    st.exitCode = code;
    st.state = 'inactive';
    st.since = this.clock.now();
    this.systemd(unit, `${unit}: Deactivated successfully.`);
    this.systemd(unit, `Stopped ${unit} - ${st.spec.description}.`);
    return true;
  }

  async restart(name: string): Promise<boolean> {
    if (!(await this.stop(name))) return false;
    return this.start(name);
  }
}
