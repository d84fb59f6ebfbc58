// Addresses and the routes they imply.

import * as A from './abi';
import { Link, Netns, Addr, Route } from './state';
import { has, u32a, i32a, begin, end, wu32, wstr, fail, resetOut } from './msg';
import { netmask } from './bytes';
import { ENOENT, EEXIST, ENODEV, EINVAL, EADDRNOTAVAIL } from './errno';
import { linkFromReq, nsGet } from './nl-link';

function addRouteRaw(
  ns: Netns,
  table: i32,
  type: i32,
  dst: u32,
  len: i32,
  dev: Link,
  scope: i32,
  prefsrc: u32,
): void {
  const t = table == A.TABLE_LOCAL ? ns.local : ns.main;
  const ex = t.exact(dst, len);
  for (let i = 0; i < ex.length; i++)
    if (ex[i].dev == dev && ex[i].type == type && ex[i].metric == 0) return;
  const r = new Route();
  r.table = table;
  r.type = type;
  r.dst = dst;
  r.len = len;
  r.dev = dev;
  r.scope = scope;
  r.proto = A.PROTO_KERNEL;
  r.prefsrc = prefsrc;
  t.insert(r, true);
}

function delRouteRaw(ns: Netns, table: i32, type: i32, dst: u32, len: i32, dev: Link): void {
  const t = table == A.TABLE_LOCAL ? ns.local : ns.main;
  const ex = t.exact(dst, len);
  for (let i = 0; i < ex.length; i++) {
    const r = ex[i];
    if (r.dev == dev && r.type == type && r.proto == A.PROTO_KERNEL) {
      t.remove(r);
      return;
    }
  }
}

/** Whether another address on the link already covers a's prefix (a is then "secondary"). */
function isSecondary(ns: Netns, a: Addr): bool {
  const m = netmask(a.prefixlen);
  for (let i = 0; i < ns.addrs.length; i++) {
    const o = ns.addrs[i];
    if (o == a) break;
    if (o.link == a.link && o.prefixlen == a.prefixlen && (o.local & m) == (a.local & m))
      return true;
  }
  return false;
}

/** The prefix and broadcast routes of an address (only while the link is up). */
export function addrPrefixRoutes(ns: Netns, a: Addr, add: bool): void {
  const l = a.link;
  if (a.prefixlen >= 32 || isSecondary(ns, a)) {
    if (a.broadcast != 0 && a.broadcast != 0xffffffff) {
      if (add)
        addRouteRaw(ns, A.TABLE_LOCAL, A.RTN_BROADCAST, a.broadcast, 32, l, A.SCOPE_LINK, a.local);
      else delRouteRaw(ns, A.TABLE_LOCAL, A.RTN_BROADCAST, a.broadcast, 32, l);
    }
    return;
  }
  const m = netmask(a.prefixlen);
  const prefix = a.local & m;
  if (l.kind == A.KIND_LOOPBACK) {
    if (add)
      addRouteRaw(ns, A.TABLE_LOCAL, A.RTN_LOCAL, prefix, a.prefixlen, l, A.SCOPE_HOST, a.local);
    else delRouteRaw(ns, A.TABLE_LOCAL, A.RTN_LOCAL, prefix, a.prefixlen, l);
  } else {
    if (add)
      addRouteRaw(ns, A.TABLE_MAIN, A.RTN_UNICAST, prefix, a.prefixlen, l, A.SCOPE_LINK, a.local);
    else delRouteRaw(ns, A.TABLE_MAIN, A.RTN_UNICAST, prefix, a.prefixlen, l);
  }
  const bcasts = new Array<u32>();
  if (a.prefixlen < 31) bcasts.push(prefix | ~m);
  if (a.broadcast != 0 && a.broadcast != 0xffffffff && a.broadcast != (prefix | ~m))
    bcasts.push(a.broadcast);
  for (let i = 0; i < bcasts.length; i++) {
    if (add)
      addRouteRaw(ns, A.TABLE_LOCAL, A.RTN_BROADCAST, bcasts[i], 32, l, A.SCOPE_LINK, a.local);
    else delRouteRaw(ns, A.TABLE_LOCAL, A.RTN_BROADCAST, bcasts[i], 32, l);
  }
}

export function addAddress(
  ns: Netns,
  l: Link,
  local: u32,
  len: i32,
  brd: u32,
  scope: i32,
  label: string,
): Addr {
  const a = new Addr(l, local, len, brd, scope, label);
  ns.addrs.push(a);
  addRouteRaw(ns, A.TABLE_LOCAL, A.RTN_LOCAL, local, 32, l, A.SCOPE_HOST, local);
  if (l.up) addrPrefixRoutes(ns, a, true);
  return a;
}

export function scopeFromAttr(dflt: i32): i32 {
  return has(A.A_SCOPE) ? i32a(A.A_SCOPE) : dflt;
}

export function addrAdd(): i32 {
  const ns = nsGet();
  if (ns == null) return fail(ENOENT);
  const l = linkFromReq(ns);
  if (l == null) return fail(ENODEV, 'Cannot find device');
  const local = u32a(A.A_LOCAL);
  const len = i32a(A.A_PREFIXLEN, 32);
  if (len < 0 || len > 32) return fail(EINVAL, 'Invalid prefix length');
  for (let i = 0; i < ns.addrs.length; i++) {
    const o = ns.addrs[i];
    if (o.link == l && o.local == local && o.prefixlen == len)
      return fail(EEXIST, 'ipv4: Address already assigned');
  }
  const dfltScope = local >> 24 == 127 ? A.SCOPE_HOST : A.SCOPE_GLOBAL;
  addAddress(
    ns,
    l,
    local,
    len,
    has(A.A_BROADCAST) ? u32a(A.A_BROADCAST) : 0,
    scopeFromAttr(dfltScope),
    l.name,
  );
  return 0;
}

export function addrDel(): i32 {
  const ns = nsGet();
  if (ns == null) return fail(ENOENT);
  const l = linkFromReq(ns);
  if (l == null) return fail(ENODEV, 'Cannot find device');
  const local = u32a(A.A_LOCAL);
  const len = has(A.A_PREFIXLEN) ? i32a(A.A_PREFIXLEN) : -1;
  for (let i = 0; i < ns.addrs.length; i++) {
    const a = ns.addrs[i];
    if (a.link != l || a.local != local || (len >= 0 && a.prefixlen != len)) continue;
    if (l.up) addrPrefixRoutes(ns, a, false);
    ns.addrs.splice(i, 1);
    let shared = false;
    for (let j = 0; j < ns.addrs.length; j++) if (ns.addrs[j].local == local) shared = true;
    if (!shared) delRouteRaw(ns, A.TABLE_LOCAL, A.RTN_LOCAL, local, 32, l);
    // A secondary on the same prefix takes over the prefix routes.
    if (l.up) {
      for (let j = 0; j < ns.addrs.length; j++)
        if (ns.addrs[j].link == l) addrPrefixRoutes(ns, ns.addrs[j], true);
    }
    return 0;
  }
  return fail(EADDRNOTAVAIL, 'ipv4: Address not found');
}

export function addrDump(): i32 {
  const ns = nsGet();
  if (ns == null) return fail(ENOENT);
  resetOut();
  const links = ns.linksByIndex();
  for (let i = 0; i < links.length; i++) {
    for (let j = 0; j < ns.addrs.length; j++) {
      const a = ns.addrs[j];
      if (a.link != links[i]) continue;
      begin();
      wu32(A.A_IFINDEX, <u32>a.link.ifindex);
      wu32(A.A_LOCAL, a.local);
      wu32(A.A_PREFIXLEN, <u32>a.prefixlen);
      if (a.broadcast != 0) wu32(A.A_BROADCAST, a.broadcast);
      wu32(A.A_SCOPE, <u32>a.scope);
      wstr(A.A_LABEL, a.label);
      end();
    }
  }
  return 0;
}

