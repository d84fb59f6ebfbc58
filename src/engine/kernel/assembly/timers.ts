// Timers.

import * as A from './abi';
import { Route, Neigh, nsOrder, now, fdbChanged } from './state';
import { reasmTimers } from './ip-reasm';
import { neighGcTimer, neighTimers } from './neigh';
import { qdiscTimers, qdiscNextTimer } from './qdisc';

export function runTimers(): void {
  fdbChanged();
  reasmTimers(true);
  neighGcTimer(true);
  qdiscTimers();
  for (let i = 0; i < nsOrder.length; i++) {
    const ns = nsOrder[i];
    neighTimers(ns);
    for (let j = 0; j < ns.links.length; j++) {
      const l = ns.links[j];
      if (l.kind == A.KIND_BRIDGE) {
        const vals = l.brFdb.values();
        const age = <f64>l.brAgeing * 10;
        for (let k = 0; k < vals.length; k++) {
          const e = vals[k];
          if (!e.local && !e.isStatic && now - e.updated >= age) l.brFdb.delete(e.mac);
        }
      } else if (l.kind == A.KIND_VXLAN) {
        const age = <f64>l.vxAgeing * 1000;
        for (let k = l.vxFdbList.length - 1; k >= 0; k--) {
          const e = l.vxFdbList[k];
          if (e.state == A.FDB_REACHABLE && now - e.updated >= age) {
            l.vxFdbList.splice(k, 1);
            l.vxFdb.delete(e.mac);
          }
        }
      }
    }
  }
}

export function nextTimer(): f64 {
  let next = min(min(reasmTimers(false), neighGcTimer(false)), qdiscNextTimer());
  for (let i = 0; i < nsOrder.length; i++) {
    const ns = nsOrder[i];
    for (let j = 0; j < ns.neighList.length; j++) {
      const t = ns.neighList[j].timerAt;
      if (t > 0 && t < next) next = t;
    }
    for (let j = 0; j < ns.links.length; j++) {
      const l = ns.links[j];
      if (l.kind == A.KIND_BRIDGE) {
        const vals = l.brFdb.values();
        for (let k = 0; k < vals.length; k++) {
          const e = vals[k];
          if (!e.local && !e.isStatic) next = Math.min(next, e.updated + <f64>l.brAgeing * 10);
        }
      } else if (l.kind == A.KIND_VXLAN) {
        for (let k = 0; k < l.vxFdbList.length; k++) {
          const e = l.vxFdbList[k];
          if (e.state == A.FDB_REACHABLE) next = Math.min(next, e.updated + <f64>l.vxAgeing * 1000);
        }
      }
    }
  }
  return next;
}

export { Neigh, Route };
