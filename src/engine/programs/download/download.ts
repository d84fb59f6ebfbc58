// download FILE...: sends files of the host's filesystem to the person at the terminal (the
// browser saves them), the way `sz` sends a file over a terminal session. Silent on success,
// like cp; errors name the file and the errno text, as coreutils does.

import { FsError } from '../../os/fs-types.ts';
import { errnoText } from '../coreutils/common.ts';
import type { Program } from '../types.ts';

const USAGE =
  'Usage: download FILE...\n' +
  "Send each FILE to this terminal's user (the browser saves it as a download).\n";

export const download: Program = async (argv, io, host) => {
  const operands: string[] = [];
  let endOfOptions = false;
  for (const arg of argv.slice(1)) {
    if (!endOfOptions && arg === '--') endOfOptions = true;
    else if (!endOfOptions && arg === '--help') {
      io.stdout(USAGE);
      return 0;
    } else if (!endOfOptions && arg.startsWith('-') && arg !== '-') {
      const what = arg.startsWith('--')
        ? `unrecognized option '${arg}'`
        : `invalid option -- '${arg[1]}'`;
      io.stderr(`download: ${what}\nTry 'download --help' for more information.\n`);
      return 1;
    } else operands.push(arg);
  }
  if (operands.length === 0) {
    io.stderr("download: missing file operand\nTry 'download --help' for more information.\n");
    return 1;
  }
  let status = 0;
  for (const name of operands) {
    try {
      // Relative names are taken from the shell's working directory by the filesystem.
      if (host.fs.stat(name).type === 'dir') throw new FsError('EISDIR', name);
      const bytes = host.fs.readFile(name).slice();
      if (!io.download) {
        io.stderr(`download: ${name}: no terminal to receive the file\n`);
        status = 1;
        continue;
      }
      io.download(name.split('/').filter(Boolean).pop() ?? name, bytes);
    } catch (err) {
      io.stderr(`download: ${name}: ${errnoText(err)}\n`);
      status = 1;
    }
  }
  return status;
};
