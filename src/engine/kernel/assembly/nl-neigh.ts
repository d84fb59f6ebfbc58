// Neighbours.

import * as A from './abi';
import { has, u32a, i32a, maca, begin, end, wu32, wmac, fail, resetOut } from './msg';
import { ENOENT, EEXIST, ENODEV, EINVAL, ENOBUFS } from './errno';
import { neighConfirm, neighCreate, neighLookup, neighRemove } from './neigh';
import { linkFromReq, nsGet } from './nl-link';

export function neighAdd(flags: u32): i32 {
  const ns = nsGet();
  if (ns == null) return fail(ENOENT);
  const l = linkFromReq(ns);
  if (l == null) return fail(ENODEV, 'Cannot find device');
  const ip = u32a(A.A_DST);
  const state = i32a(A.A_STATE, A.NUD_PERMANENT);
  // Only a state that claims a known address needs one (INCOMPLETE and FAILED do not).
  const unresolved = state == A.NUD_INCOMPLETE || state == A.NUD_FAILED;
  if (!has(A.A_LLADDR) && state != A.NUD_NOARP && !unresolved && l.isArpDevice()) {
    return fail(EINVAL, 'No link layer address given');
  }
  const mac = maca(A.A_LLADDR);
  let n = neighLookup(ns, l, ip);
  if (n != null && (flags & A.NLM_F_REPLACE) == 0) return fail(EEXIST);
  if (n == null) n = neighCreate(ns, l, ip, state == A.NUD_PERMANENT);
  if (n == null) return fail(ENOBUFS);
  neighConfirm(n, mac, state);
  return 0;
}

export function neighDel(): i32 {
  const ns = nsGet();
  if (ns == null) return fail(ENOENT);
  const l = linkFromReq(ns);
  if (l == null) return fail(ENODEV, 'Cannot find device');
  const ip = u32a(A.A_DST);
  const n = neighLookup(ns, l, ip);
  if (n == null) return fail(ENOENT);
  neighRemove(ns, ns.neighList.indexOf(n));
  return 0;
}

export function neighDump(): i32 {
  const ns = nsGet();
  if (ns == null) return fail(ENOENT);
  resetOut();
  for (let i = ns.neighList.length - 1; i >= 0; i--) {
    const n = ns.neighList[i];
    if (n.state == A.NUD_NONE) continue;
    begin();
    wu32(A.A_IFINDEX, <u32>n.link.ifindex);
    wu32(A.A_DST, n.ip);
    if (n.state != A.NUD_INCOMPLETE && n.state != A.NUD_FAILED && n.link.isArpDevice())
      wmac(A.A_LLADDR, n.mac);
    wu32(A.A_STATE, <u32>n.state);
    end();
  }
  return 0;
}

