// `bridge` from iproute2 6.1: the fdb and link objects.

import { NetlinkError } from '../../kernel/types.ts';
import type { Program } from '../types.ts';
import { ExitError, kernelRefusal } from '../ip/errors.ts';
import { matches } from '../ip/parse.ts';
import { BRIDGE_USAGE } from './usage.ts';
import type { BridgeContext, BridgeOptions } from './context.ts';
import { doFdb } from './fdb.ts';
import { doBridgeLink } from './link.ts';

export const BRIDGE_VERSION = 'bridge utility, 6.1.0\n';

type ObjectCommand = (ctx: BridgeContext, args: string[]) => number;

/** bridge.c's object table, in its order (`bridge l` is link, `bridge f` fdb). */
const OBJECTS: [string, ObjectCommand | null][] = [
  ['link', doBridgeLink],
  ['fdb', doFdb],
  ['mdb', null],
  ['vlan', null],
  ['monitor', null],
  ['help', null],
];

export const bridge: Program = async (argv, io, host) => {
  const opts: BridgeOptions = { json: false, pretty: false, details: 0, stats: 0 };
  let ns = host.netns;
  let i = 1;
  try {
    for (; i < argv.length; i++) {
      let opt = argv[i] ?? '';
      if (!opt.startsWith('-') || opt === '-') break;
      if (opt.startsWith('--')) opt = opt.slice(1);
      const is = (name: string) => matches(opt, name);
      if (is('-help')) throw new ExitError(255, BRIDGE_USAGE);
      else if (is('-Version')) {
        io.stdout(BRIDGE_VERSION);
        return 0;
      } else if (is('-stats') || is('-statistics')) opts.stats++;
      else if (is('-details')) opts.details++;
      else if (is('-oneline') || is('-timestamp') || is('-compressvlans') || is('-force')) continue;
      else if (is('-netns')) {
        const name = argv[++i];
        if (name === undefined) throw new ExitError(255, 'No netns name specified\n');
        if (!host.kernel.netnsList().includes(name)) {
          throw new ExitError(
            255,
            `Cannot open network namespace "${name}": No such file or directory\n`,
          );
        }
        ns = name;
      } else if (is('-json')) opts.json = true;
      else if (is('-pretty')) opts.pretty = true;
      else if (opt === '-color' || is('-color')) continue;
      else throw new ExitError(255, `Option "${opt}" is unknown, try "bridge help".\n`);
    }
    const [object, ...args] = argv.slice(i);
    if (object === undefined) throw new ExitError(255, BRIDGE_USAGE);
    const entry = OBJECTS.find(([name]) => matches(object, name));
    if (entry?.[0] === 'help') throw new ExitError(255, BRIDGE_USAGE);
    const command = entry?.[1];
    if (command === undefined || command === null) {
      throw new ExitError(255, `Object "${object}" is unknown, try "bridge help".\n`);
    }
    return command({ kernel: host.kernel, ns, opts, io }, args);
  } catch (err) {
    // bridge exits 255 where ip exits 2 for a kernel refusal.
    const failure = err instanceof NetlinkError ? kernelRefusal(err, 255) : err;
    if (failure instanceof ExitError) {
      io.stderr(failure.stderr);
      return failure.code;
    }
    throw err;
  }
};
