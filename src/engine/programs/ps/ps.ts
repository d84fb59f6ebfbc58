// ps -ef / -fe (procps-ng 4.0.2): init, then the main process of every running unit with the
// command line it was started with (flanneld's and dockerd's flags), then the login shell and
// ps itself. The lab keeps no other processes, so kernel threads and gettys are not listed.

import { formatSystemdTime } from '../../os/services.ts';
import type { Program } from '../types.ts';

const HEADER = 'UID        PID  PPID  C STIME TTY          TIME CMD\n';
const SHELL_PID = 1000;

/** STIME: the start time of day (HH:MM) in the lab's UTC, as ps prints a process of today. */
function stime(ms: number): string {
  return formatSystemdTime(ms).slice(15, 20);
}

function line(pid: number, ppid: number, started: number, tty: string, cmd: string): string {
  return `${'root'.padEnd(8)} ${String(pid).padStart(5)} ${String(ppid).padStart(5)}  0 ${stime(started)} ${tty.padEnd(8)} 00:00:00 ${cmd}\n`;
}

export const ps: Program = async (argv, io, host) => {
  const flags = argv.slice(1).join('').replace(/-/g, '');
  if (!/^[efA]+$/.test(flags) || (!flags.includes('f') && !flags.includes('e'))) {
    io.stderr('error: only ps -ef / -fe is available here\n');
    return 1;
  }
  const now = host.clock.now();
  const units = (host.services?.list() ?? []).filter(
    (u) => u.state === 'active' || (u.state === 'activating' && u.subState === 'start'),
  );
  // The lab keeps no boot time: init and the login shell started with the first unit.
  const boot = Math.min(now, ...units.map((u) => u.startedAt));
  const rows: [number, string][] = [
    [1, line(1, 0, boot, '?', '/sbin/init')],
    [SHELL_PID, line(SHELL_PID, 1, boot, 'pts/0', '-bash')],
    ...units.map((u): [number, string] => [
      u.pid,
      line(u.pid, 1, u.startedAt, '?', u.spec.execStart.join(' ')),
    ]),
  ];
  rows.sort((a, b) => a[0] - b[0]);
  const self = Math.max(...rows.map(([pid]) => pid)) + 1;
  io.stdout(
    HEADER +
      rows.map(([, text]) => text).join('') +
      line(self, SHELL_PID, now, 'pts/0', argv.join(' ')),
  );
  return 0;
};
