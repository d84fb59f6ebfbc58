// `ip netns`: list, add, delete namespaces and exec a command inside one.

import type { IpContext } from './context.ts';
import { ExitError, unknownCommand } from './errors.ts';
import { matches } from './parse.ts';
import { NETNS_USAGE } from './usage.ts';

export async function doNetns(ctx: IpContext, args: string[]): Promise<number> {
  const [cmd, ...rest] = args;
  if (cmd === undefined || matches(cmd, 'list') || cmd === 'show') return netnsList(ctx);
  if (matches(cmd, 'add')) return netnsAdd(ctx, rest);
  if (matches(cmd, 'delete')) return netnsDel(ctx, rest);
  if (matches(cmd, 'exec')) return netnsExec(ctx, rest);
  if (matches(cmd, 'help')) throw new ExitError(255, NETNS_USAGE);
  throw unknownCommand(cmd, 'ip netns help');
}

function netnsList(ctx: IpContext): number {
  // Linux lists /run/netns in directory order; the kernel's order stands in for it.
  let out = '';
  for (const name of ctx.kernel.netnsList()) {
    const id = ctx.netnsId(name);
    out += id === null ? `${name}\n` : `${name} (id: ${id})\n`;
  }
  ctx.io.stdout(out);
  return 0;
}

function requireName(args: string[]): string {
  const name = args[0];
  if (name === undefined) throw new ExitError(1, 'No netns name specified\n');
  if (name.includes('/') || name === '.' || name === '..') {
    throw new ExitError(255, `Invalid netns name "${name}"\n`);
  }
  return name;
}

function netnsAdd(ctx: IpContext, args: string[]): number {
  const name = requireName(args);
  if (ctx.kernel.netnsList().includes(name)) {
    throw new ExitError(1, `Cannot create namespace file "/run/netns/${name}": File exists\n`);
  }
  ctx.kernel.netnsAdd(name);
  return 0;
}

function netnsDel(ctx: IpContext, args: string[]): number {
  const name = requireName(args);
  if (!ctx.kernel.netnsList().includes(name)) {
    throw new ExitError(
      1,
      `Cannot remove namespace file "/run/netns/${name}": No such file or directory\n`,
    );
  }
  ctx.kernel.netnsDel(name);
  return 0;
}

async function netnsExec(ctx: IpContext, args: string[]): Promise<number> {
  const name = requireName(args);
  if (!ctx.kernel.netnsList().includes(name)) {
    throw new ExitError(
      255,
      `Cannot open network namespace "${name}": No such file or directory\n`,
    );
  }
  const argv = args.slice(1);
  if (argv.length === 0) throw new ExitError(1, 'No command specified\n');
  return ctx.host.exec(argv, ctx.io, name);
}
