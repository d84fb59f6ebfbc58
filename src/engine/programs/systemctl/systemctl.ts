// systemctl start|stop|restart|status UNIT, as systemd 252 prints them.

import {
  ServiceManager,
  formatJournalEntry,
  formatSystemdTime,
  formatTimespan,
} from '../../lab/services.ts';
import type { UnitStatus } from '../../lab/services.ts';
import type { Program } from '../types.ts';

const STATUS_LINES = 10;

function describe(st: UnitStatus, now: number): string {
  const unit = ServiceManager.unitName(st.spec.name);
  const cmd = st.spec.execStart.join(' ');
  const bullet = st.state === 'active' ? '●' : st.state === 'failed' ? '×' : '○';
  const since = `since ${formatSystemdTime(st.since)}; ${formatTimespan(now - st.since)} ago`;
  const lines = [
    `${bullet} ${unit} - ${st.spec.description}`,
    `     Loaded: loaded (/etc/systemd/system/${unit}; enabled; preset: enabled)`,
  ];
  const exit = (code: number) => (code === 0 ? 'status=0/SUCCESS' : `status=${code}/FAILURE`);
  if (st.state === 'active') {
    lines.push(`     Active: active (running) ${since}`);
    lines.push(`   Main PID: ${st.pid} (${st.spec.name})`);
    lines.push(`     CGroup: /system.slice/${unit}`);
    lines.push(`             └─${st.pid} ${cmd}`);
  } else if (st.pid === 0) {
    lines.push('     Active: inactive (dead)');
  } else {
    const code = st.exitCode ?? 0;
    lines.push(
      st.state === 'failed'
        ? `     Active: failed (Result: exit-code) ${since}`
        : `     Active: inactive (dead) ${since}`,
    );
    lines.push(`   Duration: ${formatTimespan(st.since - st.startedAt)}`);
    lines.push(`    Process: ${st.pid} ExecStart=${cmd} (code=exited, ${exit(code)})`);
    lines.push(`   Main PID: ${st.pid} (code=exited, ${exit(code)})`);
  }
  return lines.join('\n') + '\n';
}

export const systemctl: Program = async (argv, io, host) => {
  const [verb, ...names] = argv.slice(1);
  const services = host.services;
  if (!verb) {
    io.stderr('Too few arguments.\n');
    return 1;
  }
  if (!['start', 'stop', 'restart', 'status'].includes(verb)) {
    io.stderr(`Unknown command verb ${verb}.\n`);
    return 1;
  }
  if (names.length === 0) {
    io.stderr(`Too few arguments.\n`);
    return 1;
  }
  let code = 0;
  for (const name of names) {
    const unit = ServiceManager.unitName(name);
    const st = services?.status(name);
    if (verb === 'status') {
      if (!st) {
        io.stderr(`Unit ${unit} could not be found.\n`);
        code = 4;
        continue;
      }
      let text = describe(st, host.clock.now());
      const entries = (host.journal ?? services!.journal).entries
        .filter((e) => e.unit === unit)
        .slice(-STATUS_LINES);
      if (entries.length > 0)
        text += '\n' + entries.map((e) => formatJournalEntry(e) + '\n').join('');
      io.stdout(text);
      if (st.state !== 'active') code = 3;
      continue;
    }
    if (!st || !services) {
      const action = verb === 'restart' ? 'restart' : verb;
      io.stderr(`Failed to ${action} ${unit}: Unit ${unit} not found.\n`);
      code = 5;
      continue;
    }
    if (verb === 'start') services.start(name);
    else if (verb === 'stop') await services.stop(name);
    else await services.restart(name);
  }
  return code;
};
