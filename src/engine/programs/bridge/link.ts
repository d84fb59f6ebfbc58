// `bridge link`: the ports of the namespace's bridges and their STP state.

import { IFF, type LinkChange, type LinkInfo } from '../../kernel/types.ts';
import { ExitError, parseOnOff, viaNetlink } from '../ip/errors.ts';
import { formatJson } from '../ip/json.ts';
import type { Json } from '../ip/json.ts';
import { flagNames, portState } from '../ip/link-format.ts';
import { ArgCursor, matches } from '../ip/parse.ts';
import type { BridgeContext } from './context.ts';
import { BRIDGE_LINK_USAGE } from './usage.ts';
import { requireLink } from './context.ts';

export function doBridgeLink(ctx: BridgeContext, args: string[]): number {
  const [cmd, ...rest] = args;
  if (cmd === undefined) return linkShow(ctx, []);
  if (matches(cmd, 'show') || matches(cmd, 'lst') || matches(cmd, 'list')) {
    return linkShow(ctx, rest);
  }
  if (matches(cmd, 'set') || matches(cmd, 'change')) return linkSet(ctx, rest);
  if (matches(cmd, 'help')) throw new ExitError(255, BRIDGE_LINK_USAGE);
  throw new ExitError(255, `Command "${cmd}" is unknown, try "bridge link help".\n`);
}

/**
 * The name after '@': bridge resolves a veth's peer ifindex in its own namespace even when
 * the peer lives elsewhere, so a pod-facing veth shows whatever local link has that index.
 */
function atName(l: LinkInfo, links: LinkInfo[]): string {
  if (l.peer === undefined) return '';
  const local = links.find((x) => x.ifindex === l.peer?.ifindex);
  return local ? local.name : `if${l.peer.ifindex}`;
}

function linkShow(ctx: BridgeContext, args: string[]): number {
  let dev: LinkInfo | undefined;
  const cursor = new ArgCursor(args);
  for (let arg = cursor.take(); arg !== undefined; arg = cursor.take()) {
    dev = requireLink(ctx, arg === 'dev' ? cursor.value() : arg);
  }
  const links = ctx.kernel.linkDump(ctx.ns);
  const ports = links.filter(
    (l) => l.master !== undefined && (dev === undefined || l.ifindex === dev.ifindex),
  );
  const items: Json[] = [];
  let out = '';
  for (const l of ports) {
    const master = links.find((b) => b.ifindex === l.master);
    const at = atName(l, links);
    const state = portState(l, master);
    // M-DOWN, as for the name: the peer's index is looked up among this namespace's links.
    const peer = links.find((x) => x.ifindex === l.peer?.ifindex);
    const flags = flagNames(l.flags, peer !== undefined && (peer.flags & IFF.UP) === 0);
    if (ctx.opts.json) {
      const obj: { [key: string]: Json } = { ifindex: l.ifindex };
      if (at !== '') obj.link = at;
      Object.assign(obj, {
        ifname: l.name,
        flags,
        mtu: l.mtu,
        master: master?.name ?? '',
        state,
        priority: 32,
        cost: 2,
      });
      items.push(obj);
      continue;
    }
    out +=
      `${l.ifindex}: ${l.name}${at !== '' ? `@${at}` : ''}: <${flags.join(',')}> mtu ${l.mtu} ` +
      `master ${master?.name ?? ''} state ${state} priority 32 cost 2 \n`;
    if (ctx.opts.details > 0) {
      out +=
        `    hairpin ${l.bridgePort?.hairpin ? 'on' : 'off'} guard off root_block off fastleave off learning on flood on ` +
        'mcast_flood on bcast_flood on mcast_router 1 mcast_to_unicast off neigh_suppress off ' +
        'vlan_tunnel off isolated off locked off \n';
    }
  }
  ctx.io.stdout(ctx.opts.json ? `${formatJson(items, ctx.opts.pretty)}\n` : out);
  return 0;
}

/** `bridge link set dev DEV [hairpin on|off]`: the port flags the kernel models. */
function linkSet(ctx: BridgeContext, args: string[]): number {
  let name: string | undefined;
  const change: LinkChange = {};
  const cursor = new ArgCursor(args);
  for (let arg = cursor.take(); arg !== undefined; arg = cursor.take()) {
    if (arg === 'dev') name = cursor.value();
    else if (arg === 'hairpin') change.hairpin = parseOnOff('hairpin', cursor.value());
    else throw new ExitError(255, BRIDGE_LINK_USAGE);
  }
  if (name === undefined) throw new ExitError(255, 'Device is a required argument.\n');
  let link: LinkInfo;
  try {
    link = ctx.kernel.linkGet(ctx.ns, name);
  } catch {
    throw new ExitError(255, `Cannot find bridge device "${name}"\n`);
  }
  if (Object.keys(change).length === 0) return 0;
  viaNetlink(() => ctx.kernel.linkSet(ctx.ns, link.ifindex, change), 255);
  return 0;
}
