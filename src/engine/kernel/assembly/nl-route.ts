// Routes.

import * as A from './abi';
import { Link, Netns, Route } from './state';
import { has, u32a, i32a, begin, end, wu32, fail, resetOut } from './msg';
import { netmask } from './bytes';
import { neighRemove } from './neigh';
import {
  ENOENT,
  ESRCH,
  EACCES,
  EEXIST,
  ENODEV,
  EINVAL,
  ENETDOWN,
  ENETUNREACH,
  EHOSTUNREACH,
} from './errno';
import { scopeFromAttr } from './nl-addr';
import { nsGet } from './nl-link';

export function removeRoutesOn(ns: Netns, l: Link, all: bool): void {
  const tables = [ns.main, ns.local];
  for (let t = 0; t < 2; t++) {
    const rs = tables[t].all();
    for (let i = 0; i < rs.length; i++) {
      const r = rs[i];
      if (r.dev != l) continue;
      // Taking a link down keeps the routes of its own addresses to themselves.
      if (!all && r.type == A.RTN_LOCAL && r.len == 32 && r.table == A.TABLE_LOCAL) continue;
      tables[t].remove(r);
    }
  }
}

export function flushNeigh(ns: Netns, l: Link, all: bool): void {
  for (let i = ns.neighList.length - 1; i >= 0; i--) {
    const n = ns.neighList[i];
    if (n.link != l) continue;
    if (!all && (n.state == A.NUD_PERMANENT || n.state == A.NUD_NOARP)) continue;
    neighRemove(ns, i);
  }
}

/** Whether gw is reachable directly (a link-scope route without a gateway), as fib_check_nh. */
function gatewayLink(ns: Netns, gw: u32, oif: i32): Link | null {
  const r = ns.main.lookup(gw);
  if (r == null || r.gw != 0 || r.type != A.RTN_UNICAST) return null;
  const d = r.dev;
  if (d == null) return null;
  if (oif != 0 && d.ifindex != oif) return null;
  return d;
}

export function routeAdd(flags: u32): i32 {
  const ns = nsGet();
  if (ns == null) return fail(ENOENT);
  const table = i32a(A.A_TABLE, A.TABLE_MAIN) == A.TABLE_LOCAL ? A.TABLE_LOCAL : A.TABLE_MAIN;
  const type = i32a(A.A_TYPE, A.RTN_UNICAST);
  const dst = u32a(A.A_DST);
  const len = i32a(A.A_DSTLEN);
  if (len < 0 || len > 32) return fail(EINVAL, 'Invalid prefix length');
  if ((dst & ~netmask(len)) != 0) return fail(EINVAL, 'Invalid prefix for given prefix length');
  const gw = u32a(A.A_GATEWAY);
  const oif = i32a(A.A_OIF);
  const onlink = u32a(A.A_ONLINK) != 0;
  let dev: Link | null = null;
  if (oif != 0) {
    dev = ns.link(oif);
    if (dev == null) return fail(ENODEV, 'Device not found');
  }
  const special = type == A.RTN_UNREACHABLE || type == A.RTN_BLACKHOLE || type == A.RTN_PROHIBIT;
  if (!special) {
    if (gw != 0) {
      if (ns.isLocalAddr(gw) && !onlink) return fail(EINVAL, 'Nexthop has invalid gateway');
      if (onlink) {
        if (dev == null) return fail(EINVAL, 'Nexthop device required for onlink');
        if (!dev.up) return fail(ENETDOWN, 'Nexthop device is not up');
      } else {
        const via = gatewayLink(ns, gw, oif);
        // Linux's lookup of the gateway finds no link route: ENETUNREACH (flannel's host-gw
        // logs it as "network is unreachable"), with this extack.
        if (via == null) return fail(ENETUNREACH, 'Nexthop has invalid gateway');
        dev = via;
      }
    } else {
      if (dev == null) return fail(ENODEV, 'Device for nexthop is not up');
      if (!dev.up) return fail(ENETDOWN, 'Device for nexthop is not up');
    }
  }
  const prefsrc = u32a(A.A_PREFSRC);
  if (prefsrc != 0 && !ns.isLocalAddr(prefsrc)) return fail(EINVAL, 'Invalid prefsrc address');
  const metric = u32a(A.A_METRIC);
  const r = new Route();
  r.table = table;
  r.type = type;
  r.dst = dst;
  r.len = len;
  r.gw = gw;
  r.dev = special ? null : dev;
  r.onlink = onlink;
  r.scope = scopeFromAttr(
    gw != 0 || special ? A.SCOPE_GLOBAL : type == A.RTN_LOCAL ? A.SCOPE_HOST : A.SCOPE_LINK,
  );
  r.proto = i32a(A.A_PROTO, A.PROTO_BOOT);
  r.prefsrc = prefsrc;
  r.metric = metric;
  const t = table == A.TABLE_LOCAL ? ns.local : ns.main;
  const ex = t.exact(dst, len);
  for (let i = 0; i < ex.length; i++) {
    const o = ex[i];
    if (o.metric != metric) continue;
    if ((flags & A.NLM_F_REPLACE) != 0) {
      t.remove(o);
      t.insert(r, false);
      return 0;
    }
    if ((flags & A.NLM_F_APPEND) != 0) {
      if (o.gw == r.gw && o.dev == r.dev && o.type == r.type) return fail(EEXIST);
      continue;
    }
    return fail(EEXIST);
  }
  t.insert(r, (flags & A.NLM_F_APPEND) != 0);
  return 0;
}

export function routeDel(): i32 {
  const ns = nsGet();
  if (ns == null) return fail(ENOENT);
  const table = i32a(A.A_TABLE, A.TABLE_MAIN) == A.TABLE_LOCAL ? ns.local : ns.main;
  const dst = u32a(A.A_DST);
  const len = i32a(A.A_DSTLEN);
  if (len < 0 || len > 32) return fail(EINVAL);
  const ex = table.exact(dst, len);
  for (let i = 0; i < ex.length; i++) {
    const r = ex[i];
    if (has(A.A_GATEWAY) && r.gw != u32a(A.A_GATEWAY)) continue;
    if (has(A.A_OIF)) {
      const d = r.dev;
      if (d == null || d.ifindex != i32a(A.A_OIF)) continue;
    }
    if (has(A.A_METRIC) && r.metric != u32a(A.A_METRIC)) continue;
    if (has(A.A_TYPE) && r.type != i32a(A.A_TYPE)) continue;
    if (has(A.A_PROTO) && r.proto != i32a(A.A_PROTO)) continue;
    if (has(A.A_SCOPE) && r.scope != i32a(A.A_SCOPE)) continue;
    table.remove(r);
    return 0;
  }
  return fail(ESRCH);
}

function routeOrder(a: Route, b: Route): i32 {
  if (a.dst != b.dst) return a.dst < b.dst ? -1 : 1;
  if (a.len != b.len) return b.len - a.len;
  return a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : 0;
}

function writeRoute(r: Route): void {
  begin();
  wu32(A.A_TABLE, <u32>r.table);
  wu32(A.A_TYPE, <u32>r.type);
  wu32(A.A_DST, r.dst);
  wu32(A.A_DSTLEN, <u32>r.len);
  if (r.gw != 0) wu32(A.A_GATEWAY, r.gw);
  const d = r.dev;
  if (d != null) wu32(A.A_OIF, <u32>d.ifindex);
  wu32(A.A_ONLINK, r.onlink ? 1 : 0);
  wu32(A.A_SCOPE, <u32>r.scope);
  wu32(A.A_PROTO, <u32>r.proto);
  if (r.prefsrc != 0) wu32(A.A_PREFSRC, r.prefsrc);
  if (r.metric != 0) wu32(A.A_METRIC, r.metric);
  end();
}

export function routeDump(): i32 {
  const ns = nsGet();
  if (ns == null) return fail(ENOENT);
  const which = i32a(A.A_TABLE_FILTER, A.TABLE_MAIN);
  resetOut();
  if (which == A.TABLE_MAIN || which == A.TABLE_ALL) {
    const rs = ns.main.all();
    rs.sort(routeOrder);
    for (let i = 0; i < rs.length; i++) writeRoute(rs[i]);
  }
  if (which == A.TABLE_LOCAL || which == A.TABLE_ALL) {
    const rs = ns.local.all();
    rs.sort(routeOrder);
    for (let i = 0; i < rs.length; i++) writeRoute(rs[i]);
  }
  return 0;
}

export function routeGet(): i32 {
  const ns = nsGet();
  if (ns == null) return fail(ENOENT);
  const dst = u32a(A.A_DST);
  const r = ns.lookup(dst);
  if (r == null) return fail(ENETUNREACH);
  if (r.type == A.RTN_UNREACHABLE) return fail(EHOSTUNREACH);
  if (r.type == A.RTN_PROHIBIT) return fail(EACCES);
  if (r.type == A.RTN_BLACKHOLE) return fail(EINVAL);
  resetOut();
  begin();
  wu32(A.A_TYPE, <u32>r.type);
  wu32(A.A_DST, dst);
  if (r.gw != 0) wu32(A.A_GATEWAY, r.gw);
  let dev = r.dev;
  if (r.type == A.RTN_LOCAL) dev = ns.lo;
  wu32(A.A_OIF, dev != null ? <u32>dev.ifindex : 0);
  const src = has(A.A_SRC) ? u32a(A.A_SRC) : r.type == A.RTN_LOCAL ? dst : ns.routeSrc(r);
  wu32(A.A_PREFSRC, src);
  end();
  return 0;
}

