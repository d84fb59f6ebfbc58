// `ip route`: show, add/del/replace/append/change, flush and get.

import type {
  LinkInfo,
  RouteInfo,
  RouteLookup,
  RouteProtocol,
  RouteRequest,
  RouteScope,
  RouteType,
} from '../../kernel/types.ts';
import { IFF } from '../../kernel/types.ts';
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
import {
  ArgCursor,
  matches,
  networkOf,
  parseAddress,
  parsePrefix,
  parseUnsigned,
} from './parse.ts';
import { ROUTE_USAGE } from './usage.ts';
import { own } from '../../text/own.ts';

export function doRoute(ctx: IpContext, args: string[]): number {
  const [cmd, ...rest] = args;
  if (cmd === undefined) return routeShow(ctx, [], false);
  if (matches(cmd, 'list') || matches(cmd, 'show') || matches(cmd, 'lst')) {
    return routeShow(ctx, rest, false);
  }
  if (matches(cmd, 'add')) return routeModify(ctx, rest, 'add');
  if (matches(cmd, 'change') || cmd === 'chg') return routeModify(ctx, rest, 'change');
  if (matches(cmd, 'replace')) return routeModify(ctx, rest, 'replace');
  if (matches(cmd, 'prepend')) return routeModify(ctx, rest, 'add');
  if (matches(cmd, 'append')) return routeModify(ctx, rest, 'append');
  if (matches(cmd, 'delete')) return routeModify(ctx, rest, 'del');
  if (matches(cmd, 'get')) return routeGet(ctx, rest);
  if (matches(cmd, 'flush')) return routeShow(ctx, rest, true);
  if (matches(cmd, 'help')) throw new ExitError(255, ROUTE_USAGE);
  throw unknownCommand(cmd, 'ip route help');
}

const TYPES: RouteType[] = [
  'unicast',
  'local',
  'broadcast',
  'unreachable',
  'blackhole',
  'prohibit',
];
const SCOPE_NAMES: Record<string, RouteScope> = {
  global: 'global',
  universe: 'global',
  link: 'link',
  host: 'host',
};

function parseProtocol(text: string): RouteProtocol {
  if (text === 'kernel' || text === 'boot' || text === 'static') return text;
  const value = parseUnsigned(text);
  if (value === null || value > 255) throw invalidArgument(text, '"protocol" value is invalid\n');
  return value;
}

type Table = 'main' | 'local' | 'all';

function parseTable(text: string): Table {
  if (text === 'main' || text === '254') return 'main';
  if (text === 'local' || text === '255') return 'local';
  if (text === 'all' || text === '0') return 'all';
  const value = parseUnsigned(text);
  if (value === null) throw invalidArgument(text, '"table" value is invalid\n');
  // Only the main and local tables exist in this kernel.
  throw new ExitError(2, 'Error: ipv4: FIB table does not exist.\nDump terminated\n');
}

function formatDst(dst: string, len: number): string {
  if (len === 0 && dst === '0.0.0.0') return 'default';
  return len === 32 ? dst : `${dst}/${len}`;
}

interface ShowFilter {
  table: Table;
  dev?: LinkInfo;
  /** `exact` (the default), `root` (this prefix or longer) or `match` (covering it). */
  prefix?: { addr: string; len: number; how: 'exact' | 'root' | 'match' };
  protocol?: RouteProtocol;
  scope?: RouteScope;
  type?: RouteType;
}

function routeText(ctx: IpContext, r: RouteInfo, links: LinkInfo[], filter: ShowFilter): string {
  return routeLine(r, links, {
    details: ctx.opts.details > 0,
    showDev: filter.dev === undefined,
    showTable: filter.table === 'all',
  });
}

/** One route as `ip route show` prints it (with its trailing space); `links` name its device. */
export function routeLine(
  r: RouteInfo,
  links: LinkInfo[],
  opts: { details: boolean; showDev: boolean; showTable: boolean },
): string {
  const { details } = opts;
  const parts: string[] = [];
  if (r.type !== 'unicast' || details) parts.push(r.type);
  parts.push(formatDst(r.dst, r.dstLen));
  if (r.gateway !== undefined) parts.push(`via ${r.gateway}`);
  if (r.oif !== undefined && opts.showDev)
    parts.push(`dev ${links.find((l) => l.ifindex === r.oif)?.name ?? `if${r.oif}`}`);
  if (r.table !== 'main' && opts.showTable) parts.push(`table ${r.table}`);
  if (r.protocol !== 'boot' || details) parts.push(`proto ${r.protocol}`);
  if (r.scope !== 'global' || details) parts.push(`scope ${r.scope}`);
  if (r.prefsrc !== undefined) parts.push(`src ${r.prefsrc}`);
  if (r.metric !== undefined) parts.push(`metric ${r.metric}`);
  parts.push(...nexthopFlags(r, links));
  return `${parts.join(' ')} `;
}

function routeJson(ctx: IpContext, r: RouteInfo, links: LinkInfo[], filter: ShowFilter): Json {
  const details = ctx.opts.details > 0;
  const obj: { [key: string]: Json } = {};
  if (r.type !== 'unicast' || details) obj.type = r.type;
  obj.dst = formatDst(r.dst, r.dstLen);
  if (r.gateway !== undefined) obj.gateway = r.gateway;
  if (r.oif !== undefined && filter.dev === undefined) obj.dev = ctx.linkName(r.oif, links);
  if (r.table !== 'main' && filter.table === 'all') obj.table = r.table;
  if (r.protocol !== 'boot' || details) obj.protocol = String(r.protocol);
  if (r.scope !== 'global' || details) obj.scope = r.scope;
  if (r.prefsrc !== undefined) obj.prefsrc = r.prefsrc;
  if (r.metric !== undefined) obj.metric = r.metric;
  obj.flags = nexthopFlags(r, links);
  return obj;
}

/**
 * RTNH_F_* flags in iproute2's order. The kernel marks a route `linkdown` while its device is
 * up without carrier (carrier.txt: not its local routes; an admin-down device's keep none);
 * the API reports the device's state, so it is read from there.
 */
function nexthopFlags(r: RouteInfo, links: LinkInfo[]): string[] {
  const flags: string[] = [];
  if (r.onlink) flags.push('onlink');
  const dev = links.find((l) => l.ifindex === r.oif);
  // A host route to the device's own address (scope host) never carries it.
  const lost = dev !== undefined && (dev.flags & (IFF.UP | IFF.LOWER_UP)) === IFF.UP;
  if (lost && r.type !== 'local') flags.push('linkdown');
  return flags;
}

function parseShowFilter(ctx: IpContext, args: string[]): ShowFilter {
  const filter: ShowFilter = { table: 'main' };
  const cursor = new ArgCursor(args);
  for (let arg = cursor.take(); arg !== undefined; arg = cursor.take()) {
    if (arg === 'table') filter.table = parseTable(cursor.value());
    else if (arg === 'dev' || arg === 'oif') filter.dev = ctx.requireLink(cursor.value());
    else if (arg === 'proto' || arg === 'protocol') filter.protocol = parseProtocol(cursor.value());
    else if (arg === 'scope') {
      const text = cursor.value();
      const scope = own(SCOPE_NAMES, text);
      if (scope === undefined) throw invalidArgument(text, 'invalid "scope" value\n');
      filter.scope = scope;
    } else if (arg === 'type') {
      const text = cursor.value();
      const type = TYPES.find((t) => t === text);
      if (type === undefined) throw invalidArgument(text, 'invalid "type" value\n');
      filter.type = type;
    } else {
      const how = arg === 'root' || arg === 'match' ? arg : 'exact';
      const text = ['to', 'exact', 'root', 'match'].includes(arg) ? cursor.value() : arg;
      if (filter.prefix !== undefined) throw duplicateOrGarbage('to', text);
      const p = parsePrefix(text);
      filter.prefix = { addr: networkOf(p.addr, p.len), len: p.len, how };
    }
  }
  return filter;
}

function selected(r: RouteInfo, f: ShowFilter): boolean {
  return (
    (f.table === 'all' || r.table === f.table) &&
    (f.dev === undefined || r.oif === f.dev.ifindex) &&
    (f.prefix === undefined || prefixSelects(f.prefix, r)) &&
    (f.protocol === undefined || r.protocol === f.protocol) &&
    (f.scope === undefined || r.scope === f.scope) &&
    (f.type === undefined || r.type === f.type)
  );
}

function prefixSelects(p: NonNullable<ShowFilter['prefix']>, r: RouteInfo): boolean {
  switch (p.how) {
    case 'exact':
      return r.dst === p.addr && r.dstLen === p.len;
    case 'root':
      return r.dstLen >= p.len && networkOf(r.dst, p.len) === p.addr;
    case 'match':
      return r.dstLen <= p.len && networkOf(p.addr, r.dstLen) === r.dst;
  }
}

function routeShow(ctx: IpContext, args: string[], flush: boolean): number {
  const filter = parseShowFilter(ctx, args);
  if (flush && args.length === 0) throw new ExitError(1, '"ip route flush" requires arguments.\n');
  const { opts } = ctx;
  // Only IPv4 routes exist: `-6` lists nothing.
  const routes =
    opts.family === 'inet6'
      ? []
      : ctx.kernel.routeDump(ctx.ns, filter.table).filter((r) => selected(r, filter));
  if (flush) {
    for (const r of routes) {
      viaNetlink(() => ctx.kernel.routeDel(ctx.ns, asDeleteRequest(r)));
    }
    return 0;
  }
  const links = ctx.kernel.linkDump(ctx.ns);
  if (opts.json) {
    const items = routes.map((r) => routeJson(ctx, r, links, filter));
    ctx.io.stdout(`${formatJson(items, opts.pretty)}\n`);
    return 0;
  }
  ctx.io.stdout(routes.map((r) => `${routeText(ctx, r, links, filter)}\n`).join(''));
  return 0;
}

/** A dumped route as a delete request: only the fields the kernel reported. */
function asDeleteRequest(r: RouteInfo): RouteRequest {
  const req: RouteRequest = {
    table: r.table,
    type: r.type,
    dst: r.dst,
    dstLen: r.dstLen,
    scope: r.scope,
    protocol: r.protocol,
  };
  if (r.gateway !== undefined) req.gateway = r.gateway;
  if (r.oif !== undefined) req.oif = r.oif;
  if (r.metric !== undefined) req.metric = r.metric;
  return req;
}

type ModifyOp = 'add' | 'change' | 'replace' | 'append' | 'del';

function routeModify(ctx: IpContext, args: string[], op: ModifyOp): number {
  const req: Partial<RouteRequest> = {};
  let dst: { addr: string; len: number; text: string } | undefined;
  let dev: string | undefined;
  const cursor = new ArgCursor(args);
  for (let arg = cursor.take(); arg !== undefined; arg = cursor.take()) {
    if (arg === 'via') {
      let text = cursor.value();
      if (text === 'inet') text = cursor.value();
      req.gateway = parseAddress(text);
    } else if (arg === 'dev' || arg === 'oif') dev = cursor.value();
    else if (arg === 'src') req.prefsrc = parseAddress(cursor.value());
    else if (arg === 'metric' || arg === 'priority' || arg === 'preference') {
      const text = cursor.value();
      const metric = parseUnsigned(text);
      if (metric === null) throw invalidArgument(text, '"metric" value is invalid\n');
      req.metric = metric;
    } else if (arg === 'table') {
      const table = parseTable(cursor.value());
      if (table === 'all') throw invalidArgument('all', '"table" value is invalid\n');
      req.table = table;
    } else if (arg === 'proto' || arg === 'protocol') req.protocol = parseProtocol(cursor.value());
    else if (arg === 'scope') {
      const text = cursor.value();
      const scope = own(SCOPE_NAMES, text);
      if (scope === undefined) throw invalidArgument(text, 'invalid "scope" value\n');
      req.scope = scope;
    } else if (arg === 'onlink') req.onlink = true;
    else if (TYPES.includes(arg as RouteType) && dst === undefined && req.type === undefined) {
      req.type = arg as RouteType;
    } else {
      const text = arg === 'to' ? cursor.value() : arg;
      if (dst !== undefined) throw duplicateOrGarbage('to', text);
      const p = parsePrefix(text);
      dst = { addr: p.addr, len: p.len, text };
    }
  }
  if (dst === undefined) throw new ExitError(255, ROUTE_USAGE);
  if (networkOf(dst.addr, dst.len) !== dst.addr && op !== 'del') {
    throw new ExitError(2, 'Error: Invalid prefix for given prefix length.\n');
  }
  req.dst = dst.addr;
  req.dstLen = dst.len;
  if (dev !== undefined) req.oif = ctx.requireLink(dev).ifindex;
  const full = { ...req, dst: dst.addr, dstLen: dst.len };
  if (op === 'del') {
    viaNetlink(() => ctx.kernel.routeDel(ctx.ns, full));
    return 0;
  }
  // iproute2's defaults: protocol boot, and link scope for a unicast route with no gateway.
  const type = full.type ?? 'unicast';
  if (full.protocol === undefined) full.protocol = 'boot';
  if (full.scope === undefined) {
    if (type === 'local') full.scope = 'host';
    else if (type === 'broadcast') full.scope = 'link';
    else if (type === 'unicast' && full.gateway === undefined) full.scope = 'link';
  }
  if (op === 'change') {
    // NLM_F_REPLACE without NLM_F_CREATE: only an existing route may change.
    const exists = ctx.kernel
      .routeDump(ctx.ns, full.table ?? 'main')
      .some((r) => r.dst === full.dst && r.dstLen === full.dstLen);
    if (!exists) throw new ExitError(2, 'RTNETLINK answers: No such file or directory\n');
  }
  const flags =
    op === 'replace' || op === 'change'
      ? { replace: true }
      : op === 'append'
        ? { append: true }
        : {};
  viaNetlink(() => ctx.kernel.routeAdd(ctx.ns, full, flags));
  return 0;
}

function routeGet(ctx: IpContext, args: string[]): number {
  let dst: string | undefined;
  let from: string | undefined;
  let oif: number | undefined;
  const cursor = new ArgCursor(args);
  for (let arg = cursor.take(); arg !== undefined; arg = cursor.take()) {
    if (arg === 'from') from = parsePrefix(cursor.value()).addr;
    else if (arg === 'oif' || arg === 'dev') oif = ctx.requireLink(cursor.value()).ifindex;
    else if (arg === 'fibmatch' || arg === 'connected') continue;
    else {
      const text = arg === 'to' ? cursor.value() : arg;
      if (dst !== undefined) throw duplicateOrGarbage('to', text);
      dst = parsePrefix(text).addr;
    }
  }
  if (dst === undefined) throw new ExitError(255, ROUTE_USAGE);
  const target = dst;
  const opts = {
    ...(from !== undefined ? { src: from } : {}),
    ...(oif !== undefined ? { oif } : {}),
  };
  const hit = viaNetlink(() => ctx.kernel.routeGet(ctx.ns, target, opts));
  const links = ctx.kernel.linkDump(ctx.ns);
  const cache = cacheFlags(hit);
  if (ctx.opts.json) {
    const obj: { [key: string]: Json } = {};
    if (hit.type !== 'unicast') obj.type = hit.type;
    obj.dst = hit.dst;
    if (from !== undefined) obj.from = from;
    if (hit.gateway !== undefined) obj.gateway = hit.gateway;
    obj.dev = ctx.linkName(hit.oif, links);
    if (from === undefined) obj.prefsrc = hit.prefsrc;
    obj.flags = [];
    obj.uid = 0;
    obj.cache = cache;
    ctx.io.stdout(`${formatJson([obj], ctx.opts.pretty)}\n`);
    return 0;
  }
  const parts: string[] = [];
  if (hit.type !== 'unicast') parts.push(hit.type);
  parts.push(hit.dst);
  if (from !== undefined) parts.push(`from ${from}`);
  if (hit.gateway !== undefined) parts.push(`via ${hit.gateway}`);
  parts.push(`dev ${ctx.linkName(hit.oif, links)}`);
  if (from === undefined) parts.push(`src ${hit.prefsrc}`);
  parts.push('uid 0');
  const cacheText = cache.length > 0 ? `<${cache.join(',')}> ` : '';
  ctx.io.stdout(`${parts.join(' ')} \n    cache ${cacheText}\n`);
  return 0;
}

/** The route cache flags `ip route get` shows: `<local>` for a packet delivered locally. */
function cacheFlags(hit: RouteLookup): string[] {
  if (hit.type === 'local') return ['local'];
  if (hit.type === 'broadcast') return ['local', 'brd'];
  return [];
}
