// Where the store persists itself. The server saves a whole snapshot after each turn in which
// something was committed (the lab's data is small), so nothing committed is lost on reload.

import type { StoredKv } from './key-index.ts';
import type { Lease } from './lessor.ts';

export interface KvSnapshot {
  format: 1;
  currentRev: number;
  compactRev: number;
  raftIndex: number;
  /** The lease-id generator's position, so ids never repeat after a reload. */
  leaseSeq: number;
  /** Every stored record (history kept since the last compaction), in revision order. */
  records: StoredKv[];
  /** Leases with their expiry on the lab clock. */
  leases: Lease[];
}

export interface KvStorage {
  load(): Promise<KvSnapshot | null>;
  save(snapshot: KvSnapshot): Promise<void>;
}

/** For Node tests: keeps a deep copy, so later changes to the store cannot leak into it. */
export class MemoryKvStorage implements KvStorage {
  private data: string | null = null;
  saves = 0;

  load(): Promise<KvSnapshot | null> {
    return Promise.resolve(this.data === null ? null : (JSON.parse(this.data) as KvSnapshot));
  }

  save(snapshot: KvSnapshot): Promise<void> {
    this.data = JSON.stringify(snapshot);
    this.saves++;
    return Promise.resolve();
  }
}
