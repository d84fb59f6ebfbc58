// The KV's storage in the browser: one IndexedDB record per lab, written with idb-keyval.

import { createStore, get, set } from 'idb-keyval';
import type { KvSnapshot, KvStorage } from '../engine/kv/storage.ts';

export function createIdbKvStorage(labId: string): KvStorage {
  const store = createStore(`flannel-playground-kv-${labId}`, 'kv');
  return {
    load: async () => (await get<KvSnapshot>('snapshot', store)) ?? null,
    save: (snapshot) => set('snapshot', snapshot, store),
  };
}
