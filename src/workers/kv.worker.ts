// The lab's etcd: one KV worker per lab per tab. Tabs that open the same lab share one store:
// their KV workers compete for the lab's Web Lock and the holder serves the others over a
// BroadcastChannel (see kv-service.ts). Each host worker gets its own MessagePort to this
// worker (`connect`), over which the lab's KvClient is served (see kv-remote.ts). Wiring only.

import * as Comlink from 'comlink';
import type { ClockParams } from '../engine/os/realtime-clock.ts';
import type { QuietReport } from './clock-steps.ts';
import { connectEtcd } from './etcd-connect.ts';
import { etcdHealth, type EtcdHealth } from './etcd-health.ts';
import { KvService, type KvServiceDeps } from './kv-service.ts';
import { createIdbKvStorage } from './kv-storage-idb.ts';

/** Read once: the getter crosses into the browser on every call, and the clock is read per frame. */
const timeOrigin = performance.timeOrigin;

export interface KvWorkerApi {
  /** Opens lab `labId`'s store on the lab clock; call it before `connect`. */
  open(labId: string, clock: ClockParams): Promise<void>;
  /**
   * Opens lab `labId` on a real etcd cluster (`?etcd=`) instead: rejects with what to fix when
   * the page at `origin` cannot reach any of `endpoints`. `tabId` names the tab in its host
   * claims, unique across the classroom's browsers.
   */
  openEtcd(
    labId: string,
    clock: ClockParams,
    endpoints: string[],
    origin: string,
    tabId: string,
  ): Promise<void>;
  /** How the real etcd is doing (null: the lab runs on its own store). */
  etcdHealth(): Promise<EtcdHealth | null>;
  /** Serves lab `labId`'s store on `port` (one port per host worker). */
  connect(labId: string, port: MessagePort): Promise<void>;
  /** Claims `count` host names for this tab: node1.. first, the next free ones for a joiner. */
  claimHosts(labId: string, count: number): Promise<string[]>;
  /** A host of this tab left the lab: its subnet leases are revoked. Resolves to their keys. */
  removeHost(labId: string, name: string): Promise<string[]>;
  /** The UI's new clock params (speed change, fast-forward): lease expiry follows them. */
  setClock(params: ClockParams): void;
  /** A fast-forward steps the store's paused clock (see clock-steps.ts). */
  clockDeadline(): number;
  clockStepTo(t: number): Promise<void>;
  clockQuiet(): QuietReport;
  /** The "etcd unreachable" fault: false cuts this tab's hosts off the store, true heals it. */
  setReachable(reachable: boolean): void;
}

/** Web Locks exist only in secure contexts: without them the tab keeps its lab to itself. */
function tabsDeps(): KvServiceDeps['tabs'] {
  const locks = (self.navigator as Navigator | undefined)?.locks;
  if (!locks || typeof BroadcastChannel === 'undefined') return undefined;
  return {
    lock: (name, hold) => locks.request(name, hold),
    heldLocks: async () => ((await locks.query()).held ?? []).map((l) => l.name ?? ''),
    channel: (name) => new BroadcastChannel(name),
    newId: () => crypto.randomUUID(),
  };
}

const service = new KvService({
  source: () => timeOrigin + performance.now(),
  schedule: (fn, ms) => {
    const id = setTimeout(fn, ms);
    return () => clearTimeout(id);
  },
  storage: createIdbKvStorage,
  warn: (message) => console.warn(message),
  tabs: tabsDeps(),
});

/** The real etcd's client URLs, once the lab runs on one. */
let etcdEndpoints: string[] = [];

const api: KvWorkerApi = {
  open: (labId, clock) => service.open(labId, clock),
  openEtcd: (labId, clock, endpoints, origin, tabId) => {
    etcdEndpoints = endpoints;
    return service.openRemote(
      labId,
      clock,
      connectEtcd(endpoints, origin, {
        fetch: (input, init) => fetch(input, init),
        setTimer: (ms, fn) => {
          const id = setTimeout(fn, ms);
          return () => clearTimeout(id);
        },
        random: () => crypto.getRandomValues(new Uint32Array(1))[0] / 2 ** 32,
        onReconnect: (endpoint, reason) =>
          console.warn(`etcd: watch stream broke (${reason}); resuming on ${endpoint}`),
      }),
      tabId,
    );
  },
  etcdHealth: async () =>
    etcdEndpoints.length ? etcdHealth(etcdEndpoints, (input, init) => fetch(input, init)) : null,
  connect: (labId, port) => service.connect(labId, port),
  claimHosts: (labId, count) => service.claimHosts(labId, count),
  removeHost: (labId, name) => service.removeHost(labId, name),
  setClock: (params) => service.setClock(params),
  clockDeadline: () => service.clockDeadline(),
  clockStepTo: (t) => service.clockStepTo(t),
  clockQuiet: () => service.clockQuiet(),
  setReachable: (reachable) => service.setReachable(reachable),
};

Comlink.expose(api);
