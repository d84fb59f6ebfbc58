// `ip address`: show, add, delete and flush IPv4 addresses.

import type { AddrInfo, AddrRequest, AddrScope, LinkInfo } from '../../kernel/types.ts';
import type { IpContext } from './context.ts';
import { ExitError, invalidArgument, unknownCommand, viaNetlink } from './errors.ts';
import { formatJson } from './json.ts';
import type { Json } from './json.ts';
import { filterLinks, parseLinkFilter } from './link.ts';
import {
  briefPrefix,
  detailsJson,
  detailsText,
  headerLine,
  linkJson,
  linkLayerLine,
  oneline,
  statsJson,
  statsText,
  viewLink,
} from './link-format.ts';
import { ADDR_USAGE } from './usage.ts';
import { ArgCursor, broadcastOf, matches, networkOf, parsePrefix } from './parse.ts';

export function doAddr(ctx: IpContext, args: string[]): number {
  const [cmd, ...rest] = args;
  if (cmd === undefined) return addrShow(ctx, []);
  if (matches(cmd, 'add')) return addrModify(ctx, rest, 'add');
  if (matches(cmd, 'change') || matches(cmd, 'replace')) return addrModify(ctx, rest, 'replace');
  if (matches(cmd, 'delete')) return addrModify(ctx, rest, 'del');
  if (matches(cmd, 'show') || matches(cmd, 'lst') || matches(cmd, 'list')) {
    return addrShow(ctx, rest);
  }
  if (matches(cmd, 'flush')) return addrFlush(ctx, rest);
  if (matches(cmd, 'help')) throw new ExitError(255, ADDR_USAGE);
  throw unknownCommand(cmd, 'ip address help');
}

/**
 * An address is secondary when an earlier address on the same device covers the same subnet;
 * the kernel marks it so (IFA_F_SECONDARY) and iproute2 prints `secondary`.
 */
function isSecondary(addr: AddrInfo, all: AddrInfo[]): boolean {
  for (const other of all) {
    if (other === addr) return false;
    if (
      other.ifindex === addr.ifindex &&
      other.prefixlen === addr.prefixlen &&
      networkOf(other.local, other.prefixlen) === networkOf(addr.local, addr.prefixlen)
    ) {
      return true;
    }
  }
  return false;
}

function addrLine(addr: AddrInfo, all: AddrInfo[]): string {
  const brd = addr.broadcast !== undefined ? ` brd ${addr.broadcast}` : '';
  const secondary = isSecondary(addr, all) ? ' secondary' : '';
  return (
    `    inet ${addr.local}/${addr.prefixlen}${brd} scope ${addr.scope}${secondary} ${addr.label}\n` +
    '       valid_lft forever preferred_lft forever'
  );
}

function addrJson(addr: AddrInfo, all: AddrInfo[]): Json {
  const obj: { [key: string]: Json } = {
    family: 'inet',
    local: addr.local,
    prefixlen: addr.prefixlen,
  };
  if (addr.broadcast !== undefined) obj.broadcast = addr.broadcast;
  obj.scope = addr.scope;
  if (isSecondary(addr, all)) obj.secondary = true;
  obj.label = addr.label;
  obj.valid_life_time = 4294967295;
  obj.preferred_life_time = 4294967295;
  return obj;
}

function addrShow(ctx: IpContext, args: string[]): number {
  const filter = parseLinkFilter(ctx, args);
  const all = ctx.kernel.linkDump(ctx.ns);
  const addrs = ctx.kernel.addrDump(ctx.ns);
  const { opts } = ctx;
  const ipv4Only = opts.family === 'inet';
  // Only IPv4 exists here: `-6` shows nothing, `-0` shows links alone.
  const wantAddrs = opts.family !== 'link';
  const links = filterLinks(all, filter).filter(
    (l) => !ipv4Only || addrs.some((a) => a.ifindex === l.ifindex),
  );
  if (opts.family === 'inet6') {
    ctx.io.stdout(opts.json ? `${formatJson([], opts.pretty)}\n` : '');
    return 0;
  }
  const of = (l: LinkInfo) => (wantAddrs ? addrs.filter((a) => a.ifindex === l.ifindex) : []);
  if (opts.json) {
    const items: Json[] = links.map((l) => {
      const obj = linkJson(ctx, viewLink(ctx, l, all), all, false);
      if (opts.details > 0) Object.assign(obj, detailsJson(ctx, l, all, false));
      obj.addr_info = of(l).map((a) => addrJson(a, addrs));
      if (opts.stats > 0) obj.stats64 = statsJson(l.stats);
      return obj;
    });
    ctx.io.stdout(`${formatJson(items, opts.pretty)}\n`);
    return 0;
  }
  let out = '';
  for (const l of links) {
    const view = viewLink(ctx, l, all);
    const mine = of(l);
    if (opts.brief) {
      out += `${briefPrefix(view)}${mine.map((a) => `${a.local}/${a.prefixlen} `).join('')}\n`;
    } else if (opts.oneline) {
      for (const a of mine) {
        out += `${l.ifindex}: ${l.name}${oneline(addrLine(a, addrs), true)}\n`;
      }
    } else {
      out += `${headerLine(ctx, view, all, false)}\n`;
      if (!ipv4Only) {
        const details = opts.details > 0 ? detailsText(ctx, l, all, false) : '';
        out += `${linkLayerLine(view)}${details}\n`;
      }
      for (const a of mine) out += `${addrLine(a, addrs)}\n`;
      if (opts.stats > 0) out += statsText(l.stats, opts.stats);
    }
  }
  ctx.io.stdout(out);
  return 0;
}

const SCOPES: AddrScope[] = ['global', 'site', 'link', 'host'];

function addrModify(ctx: IpContext, args: string[], op: 'add' | 'replace' | 'del'): number {
  let local: ReturnType<typeof parsePrefix> | undefined;
  let dev: string | undefined;
  let brd: string | undefined;
  let scope: AddrScope | undefined;
  const cursor = new ArgCursor(args);
  for (let arg = cursor.take(); arg !== undefined; arg = cursor.take()) {
    if (arg === 'dev') dev = cursor.value();
    else if (arg === 'broadcast' || arg === 'brd') brd = cursor.value();
    else if (arg === 'scope') {
      const text = cursor.value();
      const found = SCOPES.find((s) => s === text);
      if (found === undefined) throw invalidArgument(text, 'invalid scope value.');
      scope = found;
    } else if (arg === 'label') cursor.value();
    else {
      const text = arg === 'local' ? cursor.value() : arg;
      if (local !== undefined) {
        throw new ExitError(
          255,
          `Error: either "local" is duplicate, or "${text}" is a garbage.\n`,
        );
      }
      local = parsePrefix(text);
    }
  }
  if (dev === undefined) {
    throw new ExitError(1, 'Not enough information: "dev" argument is required.\n');
  }
  const link = ctx.requireLink(dev);
  if (local === undefined) throw new ExitError(2, 'RTNETLINK answers: Operation not supported\n');
  const req: AddrRequest = { ifindex: link.ifindex, local: local.addr, prefixlen: local.len };
  if (brd === '+' || brd === '-') {
    if (local.len < 31) {
      req.broadcast =
        brd === '+' ? broadcastOf(local.addr, local.len) : networkOf(local.addr, local.len);
    }
  } else if (brd !== undefined) {
    req.broadcast = parsePrefix(brd).addr;
  }
  if (scope !== undefined) req.scope = scope;
  else if (local.addr.startsWith('127.')) req.scope = 'host';

  if (op === 'del') {
    if (!local.hasLen) {
      // Old scripts delete `A` without a length: the kernel then matches any prefix length.
      ctx.io.stderr(
        'Warning: Executing wildcard deletion to stay compatible with old scripts.\n' +
          `         Explicitly specify the prefix length (${local.addr}/32) to avoid this warning.\n` +
          '         This special behaviour is likely to disappear in further releases,\n' +
          '         fix your scripts!\n',
      );
      const match = ctx.kernel
        .addrDump(ctx.ns)
        .find((a) => a.ifindex === link.ifindex && a.local === local.addr);
      if (match !== undefined) req.prefixlen = match.prefixlen;
    }
    viaNetlink(() => ctx.kernel.addrDel(ctx.ns, req));
    return 0;
  }
  if (op === 'replace') {
    const existing = ctx.kernel
      .addrDump(ctx.ns)
      .find(
        (a) => a.ifindex === link.ifindex && a.local === local.addr && a.prefixlen === local.len,
      );
    if (existing !== undefined) viaNetlink(() => ctx.kernel.addrDel(ctx.ns, req));
  }
  viaNetlink(() => ctx.kernel.addrAdd(ctx.ns, req));
  return 0;
}

function addrFlush(ctx: IpContext, args: string[]): number {
  if (args.length === 0) throw new ExitError(1, 'Flush requires arguments.\n');
  const filter = parseLinkFilter(ctx, args);
  const links = new Set(filterLinks(ctx.kernel.linkDump(ctx.ns), filter).map((l) => l.ifindex));
  // Secondaries go with their primary in the kernel, so delete in reverse dump order.
  for (const a of ctx.kernel.addrDump(ctx.ns).reverse()) {
    if (!links.has(a.ifindex)) continue;
    viaNetlink(() =>
      ctx.kernel.addrDel(ctx.ns, { ifindex: a.ifindex, local: a.local, prefixlen: a.prefixlen }),
    );
  }
  return 0;
}
