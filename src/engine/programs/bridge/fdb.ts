// `bridge fdb`: show, add/append/replace/del forwarding database entries.

import type { FdbInfo, FdbRequest, FdbState, LinkInfo } from '../../kernel/types.ts';
import { formatMac, parseMac } from '../../packet/mac.ts';
import { ExitError, viaNetlink } from '../ip/errors.ts';
import { formatJson } from '../ip/json.ts';
import type { Json } from '../ip/json.ts';
import { ArgCursor, matches, parseAddress } from '../ip/parse.ts';
import type { BridgeContext } from './context.ts';
import { FDB_USAGE } from './usage.ts';
import { requireLink } from './context.ts';

export function doFdb(ctx: BridgeContext, args: string[]): number {
  const [cmd, ...rest] = args;
  if (cmd === undefined) return fdbShow(ctx, []);
  if (matches(cmd, 'add')) return fdbModify(ctx, rest, 'add');
  if (matches(cmd, 'append')) return fdbModify(ctx, rest, 'append');
  if (matches(cmd, 'replace')) return fdbModify(ctx, rest, 'replace');
  if (matches(cmd, 'delete')) return fdbModify(ctx, rest, 'del');
  if (matches(cmd, 'show') || matches(cmd, 'lst') || matches(cmd, 'list')) {
    return fdbShow(ctx, rest);
  }
  if (matches(cmd, 'help')) throw new ExitError(255, FDB_USAGE);
  throw new ExitError(255, `Command "${cmd}" is unknown, try "bridge fdb help".\n`);
}

function fdbShow(ctx: BridgeContext, args: string[]): number {
  let dev: LinkInfo | undefined;
  let br: LinkInfo | undefined;
  const cursor = new ArgCursor(args);
  for (let arg = cursor.take(); arg !== undefined; arg = cursor.take()) {
    if (arg === 'dev') dev = requireLink(ctx, cursor.value());
    else if (arg === 'br' || arg === 'brport') {
      const link = requireLink(ctx, cursor.value());
      if (arg === 'br') br = link;
      else dev = link;
    } else if (arg === 'vlan' || arg === 'state') cursor.value();
    else if (dev === undefined) dev = requireLink(ctx, arg);
    else throw new ExitError(255, `Error: either "dev" is duplicate, or "${arg}" is a garbage.\n`);
  }
  const links = ctx.kernel.linkDump(ctx.ns);
  const masterOf = (ifindex: number) => links.find((l) => l.ifindex === ifindex)?.master;
  const entries = ctx.kernel
    .fdbDump(ctx.ns)
    .filter(
      (e) =>
        (dev === undefined || e.ifindex === dev.ifindex) &&
        (br === undefined || e.ifindex === br.ifindex || masterOf(e.ifindex) === br.ifindex),
    );
  const name = (ifindex: number) =>
    links.find((l) => l.ifindex === ifindex)?.name ?? `if${ifindex}`;
  const showDev = dev === undefined;
  if (ctx.opts.json) {
    const items = entries.map((e) => fdbJson(e, name, showDev, ctx.opts.stats > 0));
    ctx.io.stdout(`${formatJson(items, ctx.opts.pretty)}\n`);
    return 0;
  }
  let out = '';
  for (const e of entries) out += `${fdbLine(e, name, showDev, ctx.opts.stats > 0)}\n`;
  ctx.io.stdout(out);
  return 0;
}

/** One entry as `bridge fdb show` prints it; `name` names a device by its ifindex. */
export function fdbLine(
  e: FdbInfo,
  name: (ifindex: number) => string,
  showDev: boolean,
  stats: boolean,
): string {
  let line = `${e.mac} `;
  if (showDev) line += `dev ${name(e.ifindex)} `;
  if (e.dst !== undefined) line += `dst ${e.dst} `;
  if (stats && e.master !== undefined) line += `used ${usedText(e)} `;
  if (e.self) line += 'self ';
  if (e.master !== undefined) line += `master ${name(e.master)} `;
  return `${line}${stateText(e.state)}`;
}

/** A learned (reachable) entry prints no state word, as the real one prints an empty one. */
function stateText(state: FdbState): string {
  return state === 'reachable' ? '' : state;
}

/**
 * `-s`: seconds since the entry was used and updated, which the bridge (master) entries carry.
 * The kernel reports one age for both.
 */
function usedText(e: FdbInfo): string {
  return `${e.ageing ?? 0}/${e.ageing ?? 0}`;
}

function fdbJson(
  e: FdbInfo,
  name: (ifindex: number) => string,
  showDev: boolean,
  stats: boolean,
): Json {
  const obj: { [key: string]: Json } = { mac: e.mac };
  if (showDev) obj.ifname = name(e.ifindex);
  if (e.dst !== undefined) obj.dst = e.dst;
  if (stats && e.master !== undefined) {
    obj.used = e.ageing ?? 0;
    obj.updated = e.ageing ?? 0;
  }
  obj.flags = e.self ? ['self'] : [];
  if (e.master !== undefined) obj.master = name(e.master);
  obj.state = stateText(e.state);
  return obj;
}

/** A MAC as `bridge` reads it: exactly six hex bytes. */
function parseMacText(text: string): string | null {
  const mac = parseMac(text);
  return mac === null ? null : formatMac(mac);
}

function fdbModify(ctx: BridgeContext, args: string[], op: 'add' | 'append' | 'replace' | 'del') {
  let mac: string | undefined;
  let devName: string | undefined;
  let dst: string | undefined;
  let self = false;
  let master = false;
  let state: FdbState | undefined;
  const cursor = new ArgCursor(args);
  for (let arg = cursor.take(); arg !== undefined; arg = cursor.take()) {
    if (arg === 'dev') devName = cursor.value();
    else if (arg === 'dst') dst = parseAddress(cursor.value());
    else if (arg === 'self') self = true;
    else if (arg === 'master') master = true;
    else if (arg === 'local' || arg === 'permanent') state = 'permanent';
    else if (arg === 'temp' || arg === 'static') state = 'static';
    else if (arg === 'dynamic') state = 'reachable';
    else if (arg === 'vlan' || arg === 'port' || arg === 'vni' || arg === 'via') cursor.value();
    else if (arg === 'router' || arg === 'use' || arg === 'extern_learn' || arg === 'sticky')
      continue;
    else {
      if (mac !== undefined) {
        throw new ExitError(255, `Error: either "addr" is duplicate, or "${arg}" is a garbage.\n`);
      }
      mac = arg;
    }
  }
  if (devName === undefined || mac === undefined) {
    throw new ExitError(255, 'Device and address are required arguments.\n');
  }
  const parsed = parseMacText(mac);
  if (parsed === null) throw new ExitError(255, `Invalid mac address ${mac}\n`);
  const link = requireLink(ctx, devName);
  // Neither self nor master given: the device's own table, as bridge.c assumes.
  const req: FdbRequest = { ifindex: link.ifindex, mac: parsed, master: master && !self };
  if (dst !== undefined) req.dst = dst;
  if (op !== 'del') req.state = state ?? 'permanent';
  if (op === 'del') viaNetlink(() => ctx.kernel.fdbDel(ctx.ns, req), 255);
  else {
    const flags = op === 'append' ? { append: true } : op === 'replace' ? { replace: true } : {};
    viaNetlink(() => ctx.kernel.fdbAdd(ctx.ns, req, flags), 255);
  }
  return 0;
}
