// systemctl start|stop|restart|status UNIT and daemon-reload, as systemd 252 prints them.

import {
  ServiceManager,
  formatJournalEntry,
  formatSystemdTime,
  formatTimespan,
} from '../../os/services.ts';
import type { UnitStatus } from '../../os/services.ts';
import type { Program } from '../types.ts';

const STATUS_LINES = 10;

/** systemd 252's glyphs: a black circle while active or activating. */
function bullet(st: UnitStatus): string {
  if (st.state === 'failed') return '×';
  return st.state === 'inactive' ? '○' : '●';
}

function describe(st: UnitStatus, now: number): string {
  const unit = ServiceManager.unitName(st.spec.name);
  const cmd = st.spec.execStart.join(' ');
  const since = `since ${formatSystemdTime(st.since)}; ${formatTimespan(now - st.since)} ago`;
  const lines = [
    `${bullet(st)} ${unit} - ${st.spec.description}`,
    `     Loaded: loaded (/etc/systemd/system/${unit}; enabled; preset: enabled)`,
  ];
  if (st.pid === 0) {
    lines.push('     Active: inactive (dead)');
    return lines.join('\n') + '\n';
  }
  const result = st.result === 'success' ? '' : ` (Result: ${st.result})`;
  // The sub-state is shown only when it says more than the state ('failed', not 'failed (failed)').
  const sub = st.subState === st.state ? '' : ` (${st.subState})`;
  lines.push(`     Active: ${st.state}${sub}${result} ${since}`);
  const running = st.state === 'active' || st.subState === 'start';
  if (running) {
    lines.push(`   Main PID: ${st.pid} (${st.spec.name})`);
    lines.push(`     CGroup: /system.slice/${unit}`);
    lines.push(`             └─${st.pid} ${cmd}`);
    return lines.join('\n') + '\n';
  }
  const code = st.exitCode ?? 0;
  const exit = code === 0 ? 'status=0/SUCCESS' : `status=${code}/FAILURE`;
  const { activeEnterAt: entered, activeExitAt: left } = st;
  if (st.state !== 'activating' && entered !== undefined && left !== undefined && left >= entered)
    lines.push(`   Duration: ${formatTimespan(left - entered)}`);
  lines.push(`    Process: ${st.pid} ExecStart=${cmd} (code=exited, ${exit})`);
  lines.push(`   Main PID: ${st.pid} (code=exited, ${exit})`);
  return lines.join('\n') + '\n';
}

/** The reason systemctl gives when a start job fails (bus-wait-for-jobs.c). */
const JOB_FAILURE: Record<string, string> = {
  'exit-code': 'the control process exited with error code',
  protocol: 'the service did not take the steps required by its unit configuration',
};

export const systemctl: Program = async (argv, io, host) => {
  // --no-block: queue the job and return at once instead of waiting for it.
  const noBlock = argv.includes('--no-block');
  const [verb, ...names] = argv.slice(1).filter((a) => a !== '--no-block');
  const services = host.services;
  if (!verb) {
    io.stderr('Too few arguments.\n');
    return 1;
  }
  // The lab's units read their unit files at each start (lab/units-from-files.ts): there is
  // nothing to reload, and systemd prints nothing either.
  if (verb === 'daemon-reload') return 0;
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
    if (verb === 'stop') {
      await services.stop(name);
      continue;
    }
    if (verb === 'start') services.start(name);
    else await services.restart(name);
    // A notify unit's start job lasts until READY=1 (across automatic restarts).
    if (noBlock || st.spec.type !== 'notify') continue;
    let ok: boolean;
    try {
      ok = await services.whenActive(name, io.signal);
    } catch {
      return 130; // Ctrl-C while waiting
    }
    if (!ok) {
      const why = JOB_FAILURE[st.result];
      io.stderr(
        `Job for ${unit} failed${why ? ` because ${why}` : ''}.\n` +
          `See "systemctl status ${unit}" and "journalctl -xeu ${unit}" for details.\n`,
      );
      code = 1;
    }
  }
  return code;
};
