// nsenter --net=FILE [program [args...]]: runs a program (the user's $SHELL by default) in the
// network namespace that FILE names. `ip netns add` names live under /run/netns (and
// /var/run/netns, its symlink). Only the network namespace exists in a lab host.

import type { MissingProgram, Program } from '../types.ts';

const NETNS_DIRS = ['/run/netns/', '/var/run/netns/'];

const USAGE =
  '\nUsage:\n nsenter [options] [<program> [<argument>...]]\n\n' +
  'Run a program with namespaces of other processes.\n\nOptions:\n' +
  ' -n, --net[=<file>]       enter network namespace\n\n' +
  ' -h, --help               display this help\n';

/** util-linux's execvp failure: `nsenter -` runs a program named "-". */
const MISSING: MissingProgram = {
  message: (name) => `nsenter: failed to execute ${name}: No such file or directory\n`,
  status: 127,
};

function tryHelp(): string {
  return "Try 'nsenter --help' for more information.\n";
}

export const nsenter: Program = async (argv, io, host) => {
  let file: string | null = null;
  let wantsNet = false;
  let i = 1;
  for (; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      i++;
      break;
    }
    if (arg === '-h' || arg === '--help') {
      io.stdout(USAGE);
      return 0;
    }
    if (arg === '--net' || arg === '-n') wantsNet = true;
    else if (arg.startsWith('--net=')) [wantsNet, file] = [true, arg.slice(6)];
    else if (/^-n./.test(arg)) [wantsNet, file] = [true, arg.slice(2)];
    else if (arg.startsWith('-') && arg !== '-') {
      const what = arg.startsWith('--')
        ? `unrecognized option '${arg}'`
        : `invalid option -- '${arg[1]}'`;
      io.stderr(`nsenter: ${what}\n${tryHelp()}`);
      return 1;
    } else break;
  }
  const rest = argv.slice(i);
  const program = rest.length ? rest : ['bash'];
  // Without a namespace to enter, util-linux 2.38 runs the program where it is.
  if (!wantsNet) return host.exec(program, io, host.netns, MISSING);
  if (file === null) {
    io.stderr('nsenter: neither filename nor target pid supplied for ns/net\n');
    return 1;
  }
  const dir = NETNS_DIRS.find((d) => file.startsWith(d));
  const name = dir ? file.slice(dir.length) : null;
  if (
    name === null ||
    name === '' ||
    name.includes('/') ||
    !host.kernel.netnsList().includes(name)
  ) {
    // The file is opened first (a missing one fails there), then setns() refuses a file that
    // is not a namespace.
    io.stderr(
      host.fs.exists(file)
        ? "nsenter: reassociate to namespace 'ns/net' failed: Invalid argument\n"
        : `nsenter: cannot open ${file}: No such file or directory\n`,
    );
    return 1;
  }
  return host.exec(program, io, name, MISSING);
};
