// systemctl start|stop|restart|status|kill|is-active|is-enabled|list-units|daemon-reload, as
// systemd 252 prints them (src/systemctl/systemctl-*.c).

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

/** list-units: the table (format-table: one space between columns), then the legend. */
function listUnits(units: UnitStatus[], all: boolean): string {
  const shown = units
    .filter((u) => all || u.state !== 'inactive')
    .sort((a, b) =>
      ServiceManager.unitName(a.spec.name).localeCompare(ServiceManager.unitName(b.spec.name)),
    );
  const rows = [
    ['', 'UNIT', 'LOAD', 'ACTIVE', 'SUB', 'DESCRIPTION'],
    ...shown.map((u) => [
      u.state === 'failed' ? '●' : ' ',
      ServiceManager.unitName(u.spec.name),
      'loaded',
      u.state,
      u.subState,
      u.spec.description,
    ]),
  ];
  // The glyph column is one cell wide even when no unit fills it.
  const widths = rows[0].map((_, c) => Math.max(c === 0 ? 1 : 0, ...rows.map((r) => r[c].length)));
  const lines = rows.map((r) =>
    r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join(' '),
  );
  let out = lines.join('\n') + '\n';
  if (shown.length > 0)
    out +=
      '\nLOAD   = Reflects whether the unit definition was properly loaded.\n' +
      'ACTIVE = The high-level unit activation state, i.e. generalization of SUB.\n' +
      'SUB    = The low-level unit activation state, values depend on unit type.\n';
  out += all
    ? `${shown.length} loaded units listed.\n`
    : `${shown.length} loaded units listed. Pass --all to see loaded but inactive units, too.\n`;
  return out + "To show all installed unit files use 'systemctl list-unit-files'.\n";
}

const VERBS = [
  'start',
  'stop',
  'restart',
  'status',
  'kill',
  'is-active',
  'is-enabled',
  'list-units',
  'daemon-reload',
];

export const systemctl: Program = async (argv, io, host) => {
  const flags: string[] = [];
  const words: string[] = [];
  let signal: string | undefined;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-s' || a === '--signal') signal = argv[++i] ?? '';
    else if (a.startsWith('--signal=')) signal = a.slice('--signal='.length);
    else if (a.startsWith('-')) flags.push(a);
    else words.push(a);
  }
  // --no-block: queue the job and return at once instead of waiting for it.
  const noBlock = flags.includes('--no-block');
  const quiet = flags.includes('--quiet') || flags.includes('-q');
  const all = flags.includes('--all') || flags.includes('-a');
  const [verb = 'list-units', ...names] = words;
  const services = host.services;
  if (!VERBS.includes(verb)) {
    io.stderr(`Unknown command verb ${verb}.\n`);
    return 1;
  }
  if (verb === 'list-units') {
    io.stdout(listUnits(services?.list() ?? [], all));
    return 0;
  }
  if (verb === 'daemon-reload') return 0;
  if (verb === 'is-active') {
    if (names.length === 0) {
      io.stderr('Too few arguments.\n');
      return 1;
    }
    let code = 3;
    for (const name of names) {
      const state = services?.status(name)?.state ?? 'inactive';
      if (!quiet) io.stdout(`${state}\n`);
      if (state === 'active') code = 0;
    }
    return code;
  }
  if (verb === 'is-enabled') {
    if (names.length === 0) {
      io.stderr('Too few arguments.\n');
      return 1;
    }
    for (const name of names) {
      if (!services?.status(name)) {
        io.stderr(
          `Failed to get unit file state for ${ServiceManager.unitName(name)}: No such file or directory\n`,
        );
        return 1;
      }
      if (!quiet) io.stdout('enabled\n');
    }
    return 0;
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
    if (verb === 'kill') {
      const sig =
        signal
          ?.replace(/^(--signal=|-s)/, '')
          .toUpperCase()
          .replace(/^SIG/, '') ?? 'TERM';
      if (!['TERM', '15', 'KILL', '9'].includes(sig)) {
        io.stderr(`Failed to parse signal string ${sig}.\n`);
        return 1;
      }
      // Nothing runs: systemd has no process to signal, and says nothing.
      services.kill(name, sig === 'KILL' || sig === '9' ? 'KILL' : 'TERM');
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
