// systemd unit files as a host's units are read from disk: the [Service] keys the lab's units
// use (Description, Type, ExecStart, ExecStartPost, EnvironmentFile), environment files
// (KEY=VALUE, quotes stripped), and ExecStart's variable expansion as systemd.service(5) does
// it: `$VAR` splits the value into words, `${VAR}` keeps it one word, an unset variable is empty.

export interface UnitFile {
  description: string;
  type: 'simple' | 'notify';
  execStart: string;
  execStartPost: string[];
  /** In order; `optional` for a leading '-' (a missing file is no error). */
  environmentFiles: { path: string; optional: boolean }[];
}

/** Reads the keys of a unit file; later assignments of a single-valued key win, as in systemd. */
export function parseUnitFile(text: string): UnitFile {
  const unit: UnitFile = {
    description: '',
    type: 'simple',
    execStart: '',
    execStartPost: [],
    environmentFiles: [],
  };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const eq = line.indexOf('=');
    if (line.startsWith('#') || line.startsWith(';') || eq < 0) continue;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (key === 'Description') unit.description = value;
    else if (key === 'Type') unit.type = value === 'notify' ? 'notify' : 'simple';
    else if (key === 'ExecStart') unit.execStart = value;
    else if (key === 'ExecStartPost') unit.execStartPost.push(value);
    else if (key === 'EnvironmentFile') {
      const optional = value.startsWith('-');
      unit.environmentFiles.push({ path: optional ? value.slice(1) : value, optional });
    }
  }
  return unit;
}

/** An environment file's assignments (comments and blank lines skipped, one level of quotes removed). */
export function parseEnvironmentFile(text: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m || line.startsWith('#')) continue;
    let value = m[2].trim();
    if (/^"(.*)"$/s.test(value) || /^'(.*)'$/s.test(value)) value = value.slice(1, -1);
    vars.set(m[1], value);
  }
  return vars;
}

/** ExecStart's command line as argv: words split on blanks, `$VAR` split again, `${VAR}` kept whole. */
export function expandExecLine(line: string, env: ReadonlyMap<string, string>): string[] {
  const argv: string[] = [];
  for (const word of line.split(/\s+/).filter(Boolean)) {
    const whole = /^\$([A-Za-z_][A-Za-z0-9_]*)$/.exec(word);
    if (whole) {
      argv.push(...(env.get(whole[1]) ?? '').split(/\s+/).filter(Boolean));
      continue;
    }
    argv.push(
      word.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, a, b) =>
        String(env.get(a ?? b) ?? ''),
      ),
    );
  }
  // A leading '-' (ignore failure) or '@' is systemd's, not the program's.
  if (argv[0]) argv[0] = argv[0].replace(/^[-@+!]+/, '');
  return argv;
}
