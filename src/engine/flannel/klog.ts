// flanneld logs through klog: 'I1123 08:10:00.123456    1234 main.go:211] msg'
// (severity, mmdd, time with microseconds, the pid right-aligned in 7 columns, file:line).

export type Severity = 'I' | 'W' | 'E';

/** Receives each formatted log line (no trailing newline). */
export type LogSink = (line: string) => void;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

export function klogLine(
  severity: Severity,
  timeMs: number,
  pid: number,
  where: string,
  msg: string,
): string {
  const d = new Date(Math.floor(timeMs));
  const micros = Math.floor((timeMs - Math.floor(timeMs / 1000) * 1000) * 1000);
  const stamp =
    `${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(micros, 6)}`;
  return `${severity}${stamp} ${String(pid).padStart(7, ' ')} ${where}] ${msg}`;
}

/** Go's time.Duration.String for a duration in milliseconds ('22h59m59.9s', '1m0s', '500ms'). */
export function goDuration(ms: number): string {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  if (rest < 1000) return `${sign}${trimFraction(rest)}ms`;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = `${trimFraction(rest / 1000)}s`;
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${sign}${minutes}m${seconds}`;
  return sign + seconds;
}

function trimFraction(value: number): string {
  return value.toFixed(6).replace(/0+$/, '').replace(/\.$/, '');
}

/** Go's time.Time.String in UTC: '2026-11-24 08:10:00.123 +0000 UTC' (fraction trimmed). */
export function goTime(ms: number): string {
  const d = new Date(Math.floor(ms));
  const frac =
    ms % 1000 === 0 ? '' : ('.' + pad(Math.round((ms % 1000) * 1000), 6)).replace(/0+$/, '');
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${frac} +0000 UTC`
  );
}

/** A logger bound to one process: pid, clock and sink. */
export class Klog {
  constructor(
    private readonly sink: LogSink,
    private readonly now: () => number,
    private readonly pid: number,
  ) {}

  info(where: string, msg: string): void {
    this.sink(klogLine('I', this.now(), this.pid, where, msg));
  }

  warning(where: string, msg: string): void {
    this.sink(klogLine('W', this.now(), this.pid, where, msg));
  }

  error(where: string, msg: string): void {
    this.sink(klogLine('E', this.now(), this.pid, where, msg));
  }
}
