// The lab's etcd: one KV store in its own worker (one per lab per tab), persisted in IndexedDB.
// Each host worker gets its own MessagePort to it (`connect`), over which the store's KvClient
// is served (see kv-remote.ts). Wiring only; the logic lives in kv-service.ts.

import * as Comlink from 'comlink';
import type { ClockParams } from '../engine/lab/realtime-clock.ts';
import { KvService } from './kv-service.ts';
import { createIdbKvStorage } from './kv-storage-idb.ts';

export interface KvWorkerApi {
  /** Opens lab `labId`'s store on the lab clock; call it before `connect`. */
  open(labId: string, clock: ClockParams): Promise<void>;
  /** Serves lab `labId`'s store on `port` (one port per host worker). */
  connect(labId: string, port: MessagePort): Promise<void>;
  /** The UI's new clock params (speed change, fast-forward): lease expiry follows them. */
  setClock(params: ClockParams): void;
}

const service = new KvService({
  source: () => performance.timeOrigin + performance.now(),
  schedule: (fn, ms) => {
    const id = setTimeout(fn, ms);
    return () => clearTimeout(id);
  },
  storage: createIdbKvStorage,
  warn: (message) => console.warn(message),
});

const api: KvWorkerApi = {
  open: (labId, clock) => service.open(labId, clock),
  connect: (labId, port) => service.connect(labId, port),
  setClock: (params) => service.setClock(params),
};

Comlink.expose(api);
