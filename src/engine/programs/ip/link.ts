// `ip link`: show, add, delete and set network devices.

import { IFF } from '../../kernel/types.ts';
import type { LinkAddRequest, LinkChange, LinkInfo, VxlanInfo } from '../../kernel/types.ts';
import { LINK_KINDS, isAddable, linkKind, type AddableLinkKind } from '../../kernel/link-kinds.ts';
import type { IpContext } from './context.ts';
import {
  ExitError,
  cannotFindDevice,
  duplicateOrGarbage,
  invalidArgument,
  parseOnOff,
  unknownCommand,
  viaNetlink,
} from './errors.ts';
import { formatJson } from './json.ts';
import type { Json } from './json.ts';
import {
  briefPrefix,
  detailsJson,
  detailsText,
  flagNames,
  headerLine,
  linkJson,
  linkLayerLine,
  oneline,
  statsJson,
  statsText,
  viewLink,
} from './link-format.ts';
import {
  ArgCursor,
  matches,
  parseAddress,
  parseInteger,
  parseLladdr,
  parseUnsigned,
} from './parse.ts';
import { LINK_USAGE } from './usage.ts';

export function doLink(ctx: IpContext, args: string[]): number {
  const [cmd, ...rest] = args;
  if (cmd === undefined) return linkShow(ctx, []);
  if (matches(cmd, 'add')) return linkAdd(ctx, rest);
  if (matches(cmd, 'set') || matches(cmd, 'change')) return linkSet(ctx, rest);
  if (matches(cmd, 'delete')) return linkDel(ctx, rest);
  if (matches(cmd, 'show') || matches(cmd, 'lst') || matches(cmd, 'list')) {
    return linkShow(ctx, rest);
  }
  if (matches(cmd, 'help')) throw new ExitError(255, LINK_USAGE);
  throw unknownCommand(cmd, 'ip link help');
}

/** The filters `ip link show` and `ip addr show` share. */
export interface LinkFilter {
  dev?: LinkInfo;
  up: boolean;
  master?: number;
  kind?: string;
}

export function parseLinkFilter(ctx: IpContext, args: string[]): LinkFilter {
  const filter: LinkFilter = { up: false };
  const cursor = new ArgCursor(args);
  for (let arg = cursor.take(); arg !== undefined; arg = cursor.take()) {
    if (arg === 'up') filter.up = true;
    else if (arg === 'type') filter.kind = cursor.value();
    else if (arg === 'master') filter.master = requireDevice(ctx, cursor.value()).ifindex;
    else {
      const name = arg === 'dev' ? cursor.value() : arg;
      if (filter.dev !== undefined) throw duplicateOrGarbage('dev', name);
      filter.dev = requireDevice(ctx, name);
    }
  }
  return filter;
}

function requireDevice(ctx: IpContext, name: string): LinkInfo {
  const link = ctx.findLink(name);
  if (link === null) throw new ExitError(1, `Device "${name}" does not exist.\n`);
  return link;
}

export function filterLinks(all: LinkInfo[], filter: LinkFilter): LinkInfo[] {
  return all.filter(
    (l) =>
      (filter.dev === undefined || l.ifindex === filter.dev.ifindex) &&
      (!filter.up || (l.flags & IFF.UP) !== 0) &&
      (filter.master === undefined || l.master === filter.master) &&
      (filter.kind === undefined || kindName(l) === filter.kind),
  );
}

/** The kind name `type X` filters on and `-d` prints. */
function kindName(l: LinkInfo): string {
  return LINK_KINDS[l.kind].infoKind ?? '';
}

function linkShow(ctx: IpContext, args: string[]): number {
  const filter = parseLinkFilter(ctx, args);
  const all = ctx.kernel.linkDump(ctx.ns);
  const links = filterLinks(all, filter);
  const { opts } = ctx;
  if (opts.json) {
    const items: Json[] = links.map((l) => {
      const obj = linkJson(ctx, viewLink(ctx, l, all), all, true);
      if (opts.details > 0) Object.assign(obj, detailsJson(ctx, l, all));
      if (opts.stats > 0) obj.stats64 = statsJson(l.stats);
      return obj;
    });
    ctx.io.stdout(`${formatJson(items, opts.pretty)}\n`);
    return 0;
  }
  let out = '';
  for (const l of links) {
    const view = viewLink(ctx, l, all);
    if (opts.brief) {
      const addr = l.address !== null ? `${l.address} ` : '';
      out += `${briefPrefix(view)}${addr}<${flagNames(l.flags, view.peerDown).join(',')}> \n`;
      continue;
    }
    let text = `${headerLine(ctx, view, all, true)}\n${linkLayerLine(view)}`;
    if (opts.details > 0) text += detailsText(ctx, l, all);
    if (opts.stats > 0) text += `\n${statsText(l.stats, opts.stats).replace(/\n$/, '')}`;
    out += `${oneline(text, opts.oneline)}\n`;
  }
  ctx.io.stdout(out);
  return 0;
}

function linkDel(ctx: IpContext, args: string[]): number {
  let name: string | undefined;
  const cursor = new ArgCursor(args);
  for (let arg = cursor.take(); arg !== undefined; arg = cursor.take()) {
    if (arg === 'type') {
      cursor.value();
      continue;
    }
    const value = arg === 'dev' ? cursor.value() : arg;
    if (name !== undefined) throw duplicateOrGarbage('dev', value);
    name = value;
  }
  if (name === undefined) {
    throw new ExitError(255, 'Not enough information: "dev" argument is required.\n');
  }
  const link = ctx.requireLink(name);
  viaNetlink(() => ctx.kernel.linkDel(ctx.ns, link.ifindex));
  return 0;
}

/** Options `ip link add` and a veth's `peer` share. */
interface LinkArgs {
  name?: string;
  mtu?: number;
  address?: string;
  netns?: string;
  up?: boolean;
  txqlen?: number;
  type?: string;
  /** Arguments after `type KIND`. */
  typeArgs: string[];
}

function parseLinkArgs(ctx: IpContext, args: string[], allowType: boolean): LinkArgs {
  const parsed: LinkArgs = { typeArgs: [] };
  const cursor = new ArgCursor(args);
  for (let arg = cursor.take(); arg !== undefined; arg = cursor.take()) {
    if (arg === 'type' && allowType) {
      parsed.type = cursor.value();
      parsed.typeArgs = cursor.rest();
      break;
    } else if (arg === 'name' || arg === 'dev') {
      parsed.name = cursor.value();
    } else if (arg === 'mtu') {
      const text = cursor.value();
      const mtu = parseUnsigned(text);
      if (mtu === null) throw invalidArgument(text, 'Invalid "mtu" value\n');
      parsed.mtu = mtu;
    } else if (arg === 'address') {
      parsed.address = parseLladdr(cursor.value());
    } else if (arg === 'netns') {
      const ns = cursor.value();
      if (!ctx.kernel.netnsList().includes(ns))
        throw invalidArgument(ns, 'Invalid "netns" value\n');
      parsed.netns = ns;
    } else if (arg === 'up') {
      parsed.up = true;
    } else if (arg === 'txqueuelen' || arg === 'qlen' || arg === 'txqlen') {
      parsed.txqlen = parseTxqlen(cursor.value());
    } else if (arg === 'numtxqueues' || arg === 'numrxqueues') {
      cursor.value();
    } else {
      if (parsed.name !== undefined) throw duplicateOrGarbage('dev', arg);
      parsed.name = arg;
    }
  }
  return parsed;
}

function linkAdd(ctx: IpContext, args: string[]): number {
  const parsed = parseLinkArgs(ctx, args, true);
  if (parsed.type === undefined) {
    throw new ExitError(1, 'Not enough information: "type" argument is required\n');
  }
  const req = buildAddRequest(ctx, parsed);
  const ifindex = viaNetlink(() => ctx.kernel.linkAdd(ctx.ns, req));
  // The real request carries netns and up flags; the kernel API applies them as a change.
  const change: LinkChange = {};
  if (parsed.up) change.up = true;
  if (parsed.netns !== undefined) change.netns = parsed.netns;
  if (Object.keys(change).length > 0) {
    viaNetlink(() => ctx.kernel.linkSet(ctx.ns, ifindex, change));
  }
  return 0;
}

function buildAddRequest(ctx: IpContext, parsed: LinkArgs): LinkAddRequest {
  const name = parsed.name;
  const type = parsed.type ?? '';
  const base = {
    ...(parsed.mtu !== undefined ? { mtu: parsed.mtu } : {}),
    ...(parsed.address !== undefined ? { address: parsed.address } : {}),
    ...(parsed.txqlen !== undefined ? { txqlen: parsed.txqlen } : {}),
  };
  if (name === undefined) {
    throw new ExitError(2, 'Error: Required attributes not provided to perform the operation.\n');
  }
  const kind = linkKind(type);
  if (kind === undefined || !isAddable(kind)) {
    throw new ExitError(2, 'Error: Unknown device type.\n');
  }
  return { name, kind, ...base, ...TYPE_OPTIONS[kind](ctx, parsed.typeArgs) };
}

type TypeOptions = (ctx: IpContext, args: string[]) => Partial<LinkAddRequest>;

/** What each kind takes after `ip link add ... type KIND`. */
const TYPE_OPTIONS: { [K in AddableLinkKind]: TypeOptions } = {
  bridge: () => ({}),
  veth: (ctx, args) => ({ peer: parseVethPeer(ctx, args) }),
  vxlan: (ctx, args) => ({ vxlan: parseVxlan(ctx, args) }),
};

function parseVethPeer(ctx: IpContext, args: string[]): NonNullable<LinkAddRequest['peer']> {
  if (args.length === 0) throw new ExitError(2, 'Error: Unknown device type.\n');
  if (args[0] !== 'peer') throw duplicateOrGarbage('peer', args[0] ?? '');
  const peer = parseLinkArgs(ctx, args.slice(1), false);
  if (peer.name === undefined) {
    throw new ExitError(2, 'Error: Required attributes not provided to perform the operation.\n');
  }
  return {
    name: peer.name,
    ...(peer.netns !== undefined ? { netns: peer.netns } : {}),
    ...(peer.txqlen !== undefined ? { txqlen: peer.txqlen } : {}),
  };
}

/** The device's queue length, as iplink.c reads it (get_integer, sent as an unsigned int). */
function parseTxqlen(text: string): number {
  const qlen = parseInteger(text);
  if (qlen === null) throw invalidArgument(text, 'Invalid "txqueuelen" value\n');
  return qlen;
}

/** `ip link set DEV type bridge_slave ...`: the port options the kernel models. */
function parseBridgeSlave(args: string[], change: LinkChange): void {
  const cursor = new ArgCursor(args);
  for (let arg = cursor.take(); arg !== undefined; arg = cursor.take()) {
    if (arg === 'hairpin') change.hairpin = parseOnOff('hairpin', cursor.value());
    else throw new ExitError(255, `bridge_slave: unknown option "${arg}"?\n`);
  }
}

function parseVxlan(ctx: IpContext, args: string[]): Partial<VxlanInfo> & { vni: number } {
  const info: Partial<VxlanInfo> = { learning: true };
  let vni: number | undefined;
  const cursor = new ArgCursor(args);
  for (let arg = cursor.take(); arg !== undefined; arg = cursor.take()) {
    if (arg === 'id' || arg === 'vni') {
      const text = cursor.value();
      const value = parseUnsigned(text);
      if (value === null || value >= 1 << 24) throw invalidArgument(text, 'invalid id');
      vni = value;
    } else if (arg === 'local') {
      info.local = parseAddress(cursor.value());
    } else if (arg === 'dev') {
      info.dev = ctx.requireLink(cursor.value(), 255).ifindex;
    } else if (arg === 'dstport') {
      const text = cursor.value();
      const port = parseUnsigned(text);
      if (port === null || port > 65535) throw invalidArgument(text, 'dst port');
      info.dstport = port;
    } else if (arg === 'nolearning') {
      info.learning = false;
    } else if (arg === 'learning') {
      info.learning = true;
    } else if (arg === 'ttl' || arg === 'hoplimit') {
      const text = cursor.value();
      const ttl = text === 'auto' ? 0 : parseUnsigned(text);
      if (ttl === null) throw invalidArgument(text, 'invalid TTL');
      if (ttl > 255) throw invalidArgument(text, 'TTL must be <= 255');
      info.ttl = ttl;
    } else if (arg === 'ageing') {
      const text = cursor.value();
      const ageing = parseUnsigned(text);
      if (ageing === null) throw invalidArgument(text, 'ageing\n');
      info.ageing = ageing;
    } else {
      throw new ExitError(255, `vxlan: unknown command "${arg}"?\n`);
    }
  }
  if (vni === undefined) {
    throw new ExitError(2, 'Error: Required attributes not provided to perform the operation.\n');
  }
  if (info.dstport === undefined) {
    ctx.io.stderr(
      'vxlan: destination port not specified\n' +
        'Will use Linux kernel default (non-standard value)\n' +
        "Use 'dstport 4789' to get the IANA assigned value\n" +
        "Use 'dstport 0' to get default and quiet this message\n",
    );
  }
  return { ...info, vni };
}

/** `ip link set` settings that take one value and that the kernel API cannot express. */
const UNMODELLED_SETTINGS = [
  'promisc',
  'arp',
  'multicast',
  'allmulticast',
  'dynamic',
  'trailers',
  'carrier',
  'alias',
  'broadcast',
  'brd',
  'group',
];

function linkSet(ctx: IpContext, args: string[]): number {
  let name: string | undefined;
  let unsupported = false;
  const change: LinkChange = {};
  const cursor = new ArgCursor(args);
  for (let arg = cursor.take(); arg !== undefined; arg = cursor.take()) {
    if (arg === 'up' || arg === 'down') change.up = arg === 'up';
    else if (arg === 'mtu') {
      const text = cursor.value();
      const mtu = parseUnsigned(text);
      if (mtu === null) throw invalidArgument(text, 'Invalid "mtu" value\n');
      change.mtu = mtu;
    } else if (arg === 'address') change.address = parseLladdr(cursor.value());
    else if (arg === 'master') {
      const text = cursor.value();
      const master = ctx.findLink(text);
      if (master === null) throw invalidArgument(text, 'Device does not exist\n');
      change.master = master.ifindex;
    } else if (arg === 'nomaster') change.master = 0;
    else if (arg === 'txqueuelen' || arg === 'qlen' || arg === 'txqlen') {
      change.txqlen = parseTxqlen(cursor.value());
    } else if (arg === 'type') {
      // The kind's own options take the rest of the line.
      if (cursor.value() === 'bridge_slave') parseBridgeSlave(cursor.rest(), change);
      else unsupported = true;
      break;
    } else if (UNMODELLED_SETTINGS.includes(arg)) {
      cursor.value();
      unsupported = true;
    } else if (arg === 'name') change.name = cursor.value();
    else if (arg === 'netns') {
      const ns = cursor.value();
      if (!ctx.kernel.netnsList().includes(ns))
        throw invalidArgument(ns, 'Invalid "netns" value\n');
      change.netns = ns;
    } else if (arg === 'dev') {
      const value = cursor.value();
      if (name !== undefined) throw duplicateOrGarbage('dev', value);
      name = value;
    } else {
      if (name !== undefined) throw duplicateOrGarbage('dev', arg);
      name = arg;
    }
  }
  if (name === undefined) {
    throw new ExitError(255, 'Not enough information: "dev" argument is required.\n');
  }
  const link = ctx.findLink(name);
  if (link === null) throw cannotFindDevice(name);
  // The kernel API has no way to change these: answer as a kernel that does not support them.
  if (unsupported) throw new ExitError(2, 'RTNETLINK answers: Operation not supported\n');
  if (Object.keys(change).length === 0) return 0;
  viaNetlink(() => ctx.kernel.linkSet(ctx.ns, link.ifindex, change));
  return 0;
}
