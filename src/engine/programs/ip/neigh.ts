// `ip neigh`: show, add/replace/change/del and flush ARP entries.

import type { LinkInfo, NeighInfo, NeighState } from '../../kernel/types.ts';
import type { IpContext } from './context.ts';
import {
  ExitError,
  duplicateOrGarbage,
  invalidArgument,
  unknownCommand,
  viaNetlink,
} from './errors.ts';
import { formatJson } from './json.ts';
import type { Json } from './json.ts';
import { NEIGH_USAGE } from './usage.ts';
import { ipv4OrThrow, prefixMask } from '../../packet/ipaddr.ts';
import { ArgCursor, matches, parseLladdr, parsePrefix } from './parse.ts';
import { own } from '../../text/own.ts';

export function doNeigh(ctx: IpContext, args: string[]): number {
  const [cmd, ...rest] = args;
  if (cmd === undefined) return neighShow(ctx, [], false);
  if (matches(cmd, 'add')) return neighModify(ctx, rest, 'add');
  if (matches(cmd, 'change') || cmd === 'chg') return neighModify(ctx, rest, 'change');
  if (matches(cmd, 'replace')) return neighModify(ctx, rest, 'replace');
  if (matches(cmd, 'delete')) return neighModify(ctx, rest, 'del');
  if (matches(cmd, 'show') || matches(cmd, 'lst') || matches(cmd, 'list')) {
    return neighShow(ctx, rest, false);
  }
  if (matches(cmd, 'flush')) return neighShow(ctx, rest, true);
  if (matches(cmd, 'help')) throw new ExitError(255, NEIGH_USAGE);
  throw unknownCommand(cmd, 'ip neigh help');
}

const STATES: Record<string, NeighState> = {
  permanent: 'PERMANENT',
  reachable: 'REACHABLE',
  stale: 'STALE',
  delay: 'DELAY',
  probe: 'PROBE',
  failed: 'FAILED',
  incomplete: 'INCOMPLETE',
  noarp: 'NOARP',
};

function parseNud(text: string): NeighState {
  const state = own(STATES, text.toLowerCase());
  if (state === undefined) throw invalidArgument(text, 'nud state is bad');
  return state;
}

function neighModify(ctx: IpContext, args: string[], op: 'add' | 'change' | 'replace' | 'del') {
  let dst: string | undefined;
  let dev: string | undefined;
  let lladdr: string | undefined;
  let state: NeighState = 'PERMANENT';
  const cursor = new ArgCursor(args);
  for (let arg = cursor.take(); arg !== undefined; arg = cursor.take()) {
    if (arg === 'lladdr') lladdr = cursor.value();
    else if (arg === 'nud') state = parseNud(cursor.value());
    else if (arg === 'dev') dev = cursor.value();
    else if (arg === 'router' || arg === 'proxy' || arg === 'extern_learn') continue;
    else {
      const text = arg === 'to' ? cursor.value() : arg;
      if (dst !== undefined) throw duplicateOrGarbage('to', text);
      dst = parsePrefix(text).addr;
    }
  }
  if (dev === undefined || dst === undefined) {
    throw new ExitError(255, 'Device and destination are required arguments.\n');
  }
  const mac = lladdr !== undefined && lladdr !== 'null' ? parseLladdr(lladdr) : undefined;
  const link = ctx.requireLink(dev);
  const target = dst;
  if (op === 'del') {
    viaNetlink(() => ctx.kernel.neighDel(ctx.ns, { ifindex: link.ifindex, dst: target }));
    return 0;
  }
  if (op === 'change') {
    const exists = ctx.kernel
      .neighDump(ctx.ns)
      .some((n) => n.ifindex === link.ifindex && n.dst === target);
    if (!exists) throw new ExitError(2, 'RTNETLINK answers: No such file or directory\n');
  }
  const req = { ifindex: link.ifindex, dst: target, state, ...(mac ? { lladdr: mac } : {}) };
  viaNetlink(() => ctx.kernel.neighAdd(ctx.ns, req, { replace: op !== 'add' }));
  return 0;
}

function neighShow(ctx: IpContext, args: string[], flush: boolean): number {
  let devIndex: number | undefined;
  let prefix: { addr: number; mask: number } | undefined;
  let states: NeighState[] | undefined;
  const cursor = new ArgCursor(args);
  for (let arg = cursor.take(); arg !== undefined; arg = cursor.take()) {
    if (arg === 'dev') devIndex = ctx.requireLink(cursor.value()).ifindex;
    else if (arg === 'nud') {
      const text = cursor.value();
      if (text === 'all') states = Object.values(STATES);
      else (states ??= []).push(parseNud(text));
    } else {
      const text = arg === 'to' ? cursor.value() : arg;
      const p = parsePrefix(text);
      prefix = { addr: ipv4OrThrow(p.addr), mask: prefixMask(p.len) };
    }
  }
  if (flush && args.length === 0) throw new ExitError(1, 'Flush requires arguments.\n');
  // Without `nud`, a listing hides NOARP entries and a flush also spares PERMANENT ones.
  const dynamic: NeighState[] = ['REACHABLE', 'STALE', 'DELAY', 'PROBE', 'FAILED', 'INCOMPLETE'];
  const wanted = states ?? (flush ? dynamic : [...dynamic, 'PERMANENT']);
  const entries = ctx.kernel
    .neighDump(ctx.ns)
    .filter(
      (n) =>
        (devIndex === undefined || n.ifindex === devIndex) &&
        (prefix === undefined || (ipv4OrThrow(n.dst) & prefix.mask) >>> 0 === prefix.addr) &&
        wanted.includes(n.state),
    );
  if (flush) {
    for (const n of entries) {
      viaNetlink(() => ctx.kernel.neighDel(ctx.ns, { ifindex: n.ifindex, dst: n.dst }));
    }
    return 0;
  }
  const links = ctx.kernel.linkDump(ctx.ns);
  const showDev = devIndex === undefined;
  if (ctx.opts.json) {
    const items = entries.map((n) => neighJson(ctx, n, links, showDev));
    ctx.io.stdout(`${formatJson(items, ctx.opts.pretty)}\n`);
    return 0;
  }
  let out = '';
  for (const n of entries) out += `${neighLine(n, links, showDev)}\n`;
  ctx.io.stdout(out);
  return 0;
}

/** One entry as `ip neigh show` prints it (with its trailing space); `links` name its device. */
export function neighLine(n: NeighInfo, links: LinkInfo[], showDev: boolean): string {
  let line = n.dst;
  if (showDev)
    line += ` dev ${links.find((l) => l.ifindex === n.ifindex)?.name ?? `if${n.ifindex}`}`;
  if (n.lladdr !== undefined) line += ` lladdr ${n.lladdr}`;
  if (n.router) line += ' router';
  return `${line} ${n.state} `;
}

function neighJson(ctx: IpContext, n: NeighInfo, links: LinkInfo[], showDev: boolean): Json {
  const obj: { [key: string]: Json } = { dst: n.dst };
  if (showDev) obj.dev = ctx.linkName(n.ifindex, links);
  if (n.lladdr !== undefined) obj.lladdr = n.lladdr;
  if (n.router) obj.router = null;
  obj.state = [n.state];
  return obj;
}
