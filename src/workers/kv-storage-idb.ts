// The KV's storage in the browser: one IndexedDB database per lab (idb-keyval's store), holding
// the counters under 'meta', each record under ['r', modRevision, sub] and each lease under
// ['l', id]. A save is one transaction writing what changed since the last one. A lab saved by
// an older version (the whole store under 'snapshot') is rewritten in this layout on load.

import { createStore, entries, promisifyRequest } from 'idb-keyval';
import type { StoredKv } from '../engine/kv/key-index.ts';
import type { Lease } from '../engine/kv/lessor.ts';
import {
  inRevisionOrder,
  type KvChanges,
  type KvMeta,
  type KvSnapshot,
  type KvStorage,
} from '../engine/kv/storage.ts';

const META = 'meta';
const LEGACY = 'snapshot';
const recordKey = (r: { modRevision: number; sub: number }) => ['r', r.modRevision, r.sub];
const leaseKey = (id: number) => ['l', id];

export function createIdbKvStorage(labId: string): KvStorage {
  const store = createStore(`flannel-playground-kv-${labId}`, 'kv');

  const save = (changes: KvChanges): Promise<void> =>
    store('readwrite', (s) => {
      const { records, removed, leases, revokedLeases, ...meta } = changes;
      for (const r of records) s.put(r, recordKey(r));
      for (const r of removed) s.delete(recordKey(r));
      for (const l of leases) s.put(l, leaseKey(l.id));
      for (const id of revokedLeases) s.delete(leaseKey(id));
      s.put(meta, META);
      s.delete(LEGACY);
      return promisifyRequest(s.transaction);
    });

  return {
    async load() {
      let meta: KvMeta | null = null;
      let legacy: KvSnapshot | null = null;
      const records: StoredKv[] = [];
      const leases: Lease[] = [];
      for (const [key, value] of await entries<IDBValidKey, unknown>(store)) {
        if (key === META) meta = value as KvMeta;
        else if (key === LEGACY) legacy = value as KvSnapshot;
        else if (Array.isArray(key) && key[0] === 'r') records.push(value as StoredKv);
        else if (Array.isArray(key) && key[0] === 'l') leases.push(value as Lease);
      }
      if (meta === null && legacy !== null) {
        const { format: _f, ...rest } = legacy;
        await save({ ...rest, removed: [], revokedLeases: [] });
        return legacy;
      }
      if (meta === null) return null;
      return { format: 1, ...meta, records: inRevisionOrder(records), leases };
    },
    save,
  };
}
