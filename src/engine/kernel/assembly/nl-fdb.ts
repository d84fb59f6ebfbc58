// Forwarding database.

import * as A from './abi';
import { Link, BrFdb, VxFdb, now, fdbChanged } from './state';
import { has, u32a, i32a, maca, begin, end, wu32, wf64, wmac, fail, resetOut } from './msg';
import { ENOENT, EEXIST, ENODEV, EINVAL, EOPNOTSUPP } from './errno';
import { linkFromReq, nsGet } from './nl-link';

export function fdbAdd(flags: u32): i32 {
  fdbChanged();
  const ns = nsGet();
  if (ns == null) return fail(ENOENT);
  const l = linkFromReq(ns);
  if (l == null) return fail(ENODEV, 'Cannot find device');
  const mac = maca(A.A_LLADDR);
  const state = i32a(A.A_STATE, A.FDB_PERMANENT);
  if (u32a(A.A_SELF, 1) == 0) {
    const br = l.master;
    if (br == null) return fail(EINVAL, 'Device is not a bridge port');
    if (br.brFdb.has(mac) && (flags & A.NLM_F_REPLACE) == 0) return fail(EEXIST);
    br.brFdb.set(mac, new BrFdb(mac, l, state == A.FDB_PERMANENT, state != A.FDB_REACHABLE, now));
    return 0;
  }
  if (l.kind != A.KIND_VXLAN) return fail(EOPNOTSUPP);
  if (!has(A.A_DST)) return fail(EINVAL, 'Destination IP address required');
  const dst = u32a(A.A_DST);
  if (l.vxFdb.has(mac)) {
    const e = l.vxFdb.get(mac);
    if ((flags & A.NLM_F_REPLACE) != 0) {
      e.dsts = [dst];
      e.state = state;
      return 0;
    }
    if ((flags & A.NLM_F_APPEND) != 0 && e.dsts.indexOf(dst) < 0) {
      e.dsts.push(dst);
      return 0;
    }
    return fail(EEXIST);
  }
  const e = new VxFdb(mac, state, now);
  e.dsts.push(dst);
  l.vxFdb.set(mac, e);
  l.vxFdbList.push(e);
  return 0;
}

export function fdbDel(): i32 {
  fdbChanged();
  const ns = nsGet();
  if (ns == null) return fail(ENOENT);
  const l = linkFromReq(ns);
  if (l == null) return fail(ENODEV, 'Cannot find device');
  const mac = maca(A.A_LLADDR);
  if (u32a(A.A_SELF, 1) == 0) {
    const br = l.master;
    if (br == null || !br.brFdb.has(mac)) return fail(ENOENT);
    br.brFdb.delete(mac);
    return 0;
  }
  if (l.kind != A.KIND_VXLAN || !l.vxFdb.has(mac)) return fail(ENOENT);
  const e = l.vxFdb.get(mac);
  if (has(A.A_DST)) {
    const i = e.dsts.indexOf(u32a(A.A_DST));
    if (i < 0) return fail(ENOENT);
    e.dsts.splice(i, 1);
    if (e.dsts.length > 0) return 0;
  }
  l.vxFdb.delete(mac);
  l.vxFdbList.splice(l.vxFdbList.indexOf(e), 1);
  return 0;
}

function writeFdb(
  ifindex: i32,
  mac: u64,
  dst: u32,
  master: i32,
  self: bool,
  state: i32,
  ageing: f64,
): void {
  begin();
  wu32(A.A_IFINDEX, <u32>ifindex);
  wmac(A.A_LLADDR, mac);
  if (dst != 0) wu32(A.A_DST, dst);
  if (master != 0) wu32(A.A_MASTER, <u32>master);
  wu32(A.A_SELF, self ? 1 : 0);
  wu32(A.A_STATE, <u32>state);
  if (ageing >= 0) wf64(A.A_AGEING, ageing);
  end();
}

/** Newest first, as Linux's bridge keeps its entries (a list it adds to at the head). */
function writeBridgeEntries(br: Link, port: Link | null): void {
  const vals = br.brFdb.values();
  for (let i = vals.length - 1; i >= 0; i--) {
    const e = vals[i];
    if (e.port != port) continue;
    const state = e.local ? A.FDB_PERMANENT : e.isStatic ? A.FDB_STATIC : A.FDB_REACHABLE;
    const ifx = port != null ? port.ifindex : br.ifindex;
    writeFdb(
      ifx,
      e.mac,
      0,
      br.ifindex,
      false,
      state,
      e.local || e.isStatic ? -1 : (now - e.updated) / 1000,
    );
  }
}

export function fdbDump(): i32 {
  const ns = nsGet();
  if (ns == null) return fail(ENOENT);
  resetOut();
  const links = ns.linksByIndex();
  for (let i = 0; i < links.length; i++) {
    const l = links[i];
    const br = l.master;
    if (br != null) writeBridgeEntries(br, l);
    if (l.kind == A.KIND_BRIDGE) {
      writeBridgeEntries(l, null);
      writeFdb(l.ifindex, 0x333300000001, 0, 0, true, A.FDB_PERMANENT, -1);
      writeFdb(l.ifindex, 0x01005e00006a, 0, 0, true, A.FDB_PERMANENT, -1);
      writeFdb(l.ifindex, 0x33330000006a, 0, 0, true, A.FDB_PERMANENT, -1);
      writeFdb(l.ifindex, 0x01005e000001, 0, 0, true, A.FDB_PERMANENT, -1);
    } else if (l.kind == A.KIND_ETHER || l.kind == A.KIND_VETH) {
      writeFdb(l.ifindex, 0x333300000001, 0, 0, true, A.FDB_PERMANENT, -1);
      writeFdb(l.ifindex, 0x01005e000001, 0, 0, true, A.FDB_PERMANENT, -1);
    } else if (l.kind == A.KIND_VXLAN) {
      // Newest first: the order the golden `bridge fdb show` shows (Linux walks a hash table).
      for (let j = l.vxFdbList.length - 1; j >= 0; j--) {
        const e = l.vxFdbList[j];
        for (let k = 0; k < e.dsts.length; k++) {
          writeFdb(
            l.ifindex,
            e.mac,
            e.dsts[k],
            0,
            true,
            e.state,
            e.state == A.FDB_REACHABLE ? (now - e.updated) / 1000 : -1,
          );
        }
      }
    }
  }
  return 0;
}

