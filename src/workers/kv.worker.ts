// The lab's etcd: one KV store in its own worker. Each host worker gets its own MessagePort
// to it (`connect`), over which the store's KvClient is exposed with Comlink.

import * as Comlink from 'comlink';
import { createUnavailableKv } from './kv-unavailable.ts';

export interface KvWorkerApi {
  /** Serves the lab `labId`'s store on `port` (one port per host worker). */
  connect(labId: string, port: MessagePort): void;
}

// TODO(kv author): replace with the real store, persisted through ./kv-storage-idb.ts, e.g.
//   const store = await openStore(labId, idbStorage(labId)); Comlink.expose(store.client(), port);
const api: KvWorkerApi = {
  connect(_labId: string, port: MessagePort) {
    Comlink.expose(createUnavailableKv(), port);
  },
};

Comlink.expose(api);
