// sysctl [-n] [-q] [-w] KEY[=VALUE]...: reads and writes kernel parameters through the kernel's
// sysctl calls. Keys may use dots or slashes (net.ipv4.ip_forward, net/ipv4/ip_forward).

import { NetlinkError } from '../../kernel/types.ts';
import type { Program } from '../types.ts';
import { getopt } from './common.ts';

export const sysctl: Program = async (argv, io, host) => {
  const args = getopt('sysctl', argv, 'nqwe', { values: 'n', quiet: 'q', write: 'w' });
  if ('error' in args) {
    io.stderr(
      `${args.error}\n\nUsage:\n sysctl [options] [variable[=value] ...]\n\nFor more details see sysctl(8).\n`,
    );
    return 1;
  }
  const o = args.opts;
  if (args.operands.length === 0) {
    io.stderr("sysctl: no variables specified\nTry `sysctl --help' for more information.\n");
    return 1;
  }
  let status = 0;
  for (const operand of args.operands) {
    const eq = operand.indexOf('=');
    if (o.has('w') && eq < 0) {
      io.stderr(`sysctl: "${operand}" must be of the form name=value\n`);
      status = 1;
      continue;
    }
    const rawKey = eq < 0 ? operand : operand.slice(0, eq);
    const key = rawKey.replace(/\//g, '.');
    const path = `/proc/sys/${key.replace(/\./g, '/')}`;
    try {
      let value: string;
      if (eq >= 0) {
        value = operand.slice(eq + 1).trim();
        host.kernel.sysctlSet(host.netns, key, value);
        if (o.has('q')) continue;
      } else {
        value = host.kernel.sysctlGet(host.netns, key);
      }
      io.stdout(o.has('n') ? `${value}\n` : `${key} = ${value}\n`);
    } catch (err) {
      if (!(err instanceof NetlinkError)) throw err;
      if (err.errno === 2) io.stderr(`sysctl: cannot stat ${path}: No such file or directory\n`);
      else io.stderr(`sysctl: setting key "${key}": ${err.message}\n`);
      status = 1;
    }
  }
  return status;
};
